"""Command line: run, check, sandbox, demo, submissions, retry.

The only place that reads the environment and `.env`.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from slackcase import dburl
from slackcase.config import ConfigError, Settings, load_settings
from slackcase.core.ports import StoreUnavailable
from slackcase.logs import setup_logging


def environment() -> dict[str, str]:
    """`.env` in the working directory, overridden by the real environment."""
    try:
        _refuse_unreadable_lines(".env")
        values = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    except UnicodeDecodeError as exc:
        raise ConfigError(f".env is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                          f"offset {exc.start}): save it as UTF-8") from None
    values.update(os.environ)
    return values


def _refuse_unreadable_lines(path: str) -> None:
    """python-dotenv skips a line it cannot read with a warning, and the setting on it is
    silently unset (an allow-list of channels, say): stop instead, naming the line."""
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                raise ConfigError(f"{path} line {binding.original.line} is not NAME=value: "
                                  "fix or remove it")


def _secrets(settings: Settings) -> list[str]:
    return [s.get_secret_value() for s in (settings.slack_bot_token, settings.slack_app_token,
                                           settings.slack_signing_secret,
                                           settings.kore_client_secret) if s] + \
        [dburl.password(settings.database)]


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="slackcase",
                                     description="Turn Slack conversations into Kore.ai cases.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve Slack (Socket Mode, or HTTP with --http)")
    run.add_argument("--http", action="store_true", help="serve POST /slack/events over HTTP")
    run.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (0.0.0.0 behind a load balancer)")
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    run.add_argument("--metrics-port", type=int, default=None,
                     help="serve GET /metrics and /healthz on this port too (Socket Mode has "
                          "no other)")
    run.add_argument("--metrics-host", default="127.0.0.1",
                     help="address for --metrics-port (default 127.0.0.1)")
    sub.add_parser("check", help="verify the configuration against Slack and Kore.ai")
    sandbox = sub.add_parser("sandbox", help="run the embedded Kore.ai case-API emulator")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sub.add_parser("demo", help="run the /case flow offline and show what was sent")
    listing = sub.add_parser("submissions", help="list submissions (failed ones by default)")
    listing.add_argument("--state", default="failed",
                         choices=["accepted", "sent", "created", "announced", "failed"])
    retry = sub.add_parser("retry", help="retry a failed submission (the app picks it up)")
    retry.add_argument("submission_id")
    args = parser.parse_args(argv)

    try:
        settings = load_settings(environment() if env is None else env)
    except ConfigError as exc:
        print(f"slackcase: configuration error: {exc}", file=sys.stderr)
        return 2
    level = "WARNING" if args.command == "demo" else settings.log_level
    setup_logging(level, secrets=_secrets(settings))
    try:
        if args.command == "run":
            return _run(settings, http=args.http, host=args.host, port=args.port,
                        metrics=(args.metrics_host, args.metrics_port))
        if args.command == "check":
            from slackcase.check import run_checks

            return run_checks(settings)
        if args.command == "sandbox":
            return _sandbox(settings, args.host, args.port)
        if args.command == "demo":
            from slackcase.demo import run_demo

            return run_demo()
        if args.command == "submissions":
            return _submissions(settings, args.state)
        if args.command == "retry":
            return _retry(settings, args.submission_id)
    except ConfigError as exc:
        print(f"slackcase: configuration error: {exc}", file=sys.stderr)
        return 2
    except StartUpError as exc:
        print(f"slackcase: {exc}", file=sys.stderr)
        return 1
    except StoreUnavailable as exc:
        print(f"slackcase: SLACKCASE_DATABASE: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _settle_heap() -> None:
    """Objects made at start-up (modules, settings, clients) live as long as the process.

    Frozen, they are out of the cyclic garbage collector's sight, so a full collection under
    load scans only what requests made: measured pauses of 30-80 ms became 5-20 ms, and a
    pause holds up every request in flight.
    """
    gc.collect()
    gc.freeze()


def _run(settings: Settings, *, http: bool, host: str, port: int,
         metrics: tuple[str, int | None] = ("127.0.0.1", None)) -> int:
    settings.require("SLACK_BOT_TOKEN")
    if http:
        settings.require("SLACK_SIGNING_SECRET")
    elif not settings.socket_mode:
        raise ConfigError("SLACK_APP_TOKEN is required for Socket Mode: an app-level token "
                          "xapp-… with connections:write (or serve HTTP with `slackcase run "
                          "--http`)")
    from slackcase.app import build_app
    app = build_app(settings)
    app.start()
    _settle_heap()
    if app.sandbox:
        print(f"slackcase: Kore.ai sandbox at {app.sandbox.url}", flush=True)
    side = None
    if metrics[1] is not None:  # GET /metrics and /healthz (Socket Mode has no other port)
        side = _listen(app, *metrics)
        threading.Thread(target=side.run, name="metrics", daemon=True).start()
        print(f"slackcase: metrics at http://{metrics[0]}:{side.effective_port}/metrics "
              f"(and /healthz)", flush=True)
    if http:

        server = _listen(app, host, port)
        real_port = server.effective_port
        threading.Thread(target=server.run, name="http", daemon=True).start()
        print(f"slackcase ready: HTTP on http://{host}:{real_port}/slack/events", flush=True)
        _wait_for_signal()
        server.close()
    else:
        from slackcase.slack.socket_mode import SlackSocketHandler

        assert settings.slack_app_token
        handler = SlackSocketHandler(app.bolt, settings.slack_app_token.get_secret_value(),
                                     client=app.services.client)
        try:
            handler.connect()
        except Exception as exc:  # Slack unreachable, the app-level token refused
            app.stop()
            raise StartUpError(f"Socket Mode could not connect to Slack ({_reason(exc)}); "
                               "`slackcase check` says what to fix") from None
        print("slackcase ready: Socket Mode connected", flush=True)
        _wait_for_signal()
        handler.close()
    if side:
        side.close()
    app.stop()
    return 0


class StartUpError(Exception):
    """`slackcase run` cannot start; str() is the one line for the operator."""


def _listen(app: Any, host: str, port: int) -> Any:
    try:
        return app.http_server(host, port)
    except OSError as exc:  # the port is taken, the address is not this machine's
        app.stop()
        raise StartUpError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is not None and hasattr(response, "get"):
        return f"Slack answered {response.get('error')}"
    return str(getattr(exc, "reason", None) or exc) or type(exc).__name__


def _sandbox(settings: Settings, host: str, port: int) -> int:
    from slackcase.app import with_sandbox_defaults
    from slackcase.sandbox.kore_server import KoreSandbox

    settings = with_sandbox_defaults(settings.model_copy(update={"kore_host": "sandbox"}))
    assert settings.kore_client_secret and settings.kore_stream_id and settings.kore_client_id
    sandbox = KoreSandbox(stream_id=settings.kore_stream_id, client_id=settings.kore_client_id,
                          client_secret=settings.kore_client_secret.get_secret_value(),
                          account_id=settings.kore_account_id,
                          templates={t.id: t.name for t in settings.kore_case_templates})
    url = sandbox.serve(host, port)
    print(f"Kore.ai sandbox listening on {url}", flush=True)
    print(f"  KORE_HOST={url}\n  KORE_STREAM_ID={settings.kore_stream_id}\n"
          f"  KORE_CLIENT_ID={settings.kore_client_id}\n  KORE_ACCOUNT_ID="
          f"{settings.kore_account_id}", flush=True)
    env_secret = "KORE_CLIENT_SECRET" in os.environ or "KORE_CLIENT_SECRET" in environment()
    if not env_secret:
        print(f"  KORE_CLIENT_SECRET={settings.kore_client_secret.get_secret_value()}"
              "  (development pair; not a secret)", flush=True)
    print("  templates: " + ", ".join(f"{t.id}={t.name}" for t in settings.kore_case_templates),
          flush=True)
    _wait_for_signal()
    sandbox.close()
    return 0


def _submissions(settings: Settings, state: str) -> int:
    from slackcase.core.domain import State
    from slackcase.store import open_store

    store = open_store(settings.database)
    rows = store.in_state(State(state))
    if not rows:
        print(f"No {state} submissions.")
    for sub in rows:
        ref = sub.case.refId if sub.case else "-"
        print(f"{sub.id}  {sub.state.value:<9}  {ref:<10}  by {sub.origin.user_id}  "
              f"“{sub.draft.title[:60]}”  {sub.error or ''}")
    return 0


def _retry(settings: Settings, submission_id: str) -> int:
    from slackcase.store import open_store

    store = open_store(settings.database)
    sub = store.reopen(submission_id)
    if sub is None:
        print(f"slackcase: {submission_id} is not a failed submission (`slackcase submissions` "
              "lists them)", file=sys.stderr)
        return 1
    print(f"{submission_id} queued again; the running app will pick it up.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
