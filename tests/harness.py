"""A whole slackcase on loopback: fake Slack, Kore.ai sandbox, the app over real HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slackcase.app import Slackcase, build_app
from slackcase.config import Settings, load_settings
from slackcase.core.cases import RetryPolicy
from slackcase.core.domain import State
from slackcase.kore.models import Case
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.kore_server import KoreSandbox
from slackcase.sandbox.loopback import isolated_environment, wait_until
from slackcase.sandbox.slack_driver import SlackDriver

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-bot-token"
KORE_SECRET = "kore-test-secret-abcdef-0123456789-xyz"
FAST_RETRY = RetryPolicy(attempts=4, base=0.05, cap=0.2, announce_attempts=4)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    value = wait_until(predicate, timeout)
    if not value:
        raise AssertionError(f"timed out waiting for {what}")
    return value


@dataclass
class World:
    fake: FakeSlack
    kore: KoreSandbox
    settings: Settings
    app: Slackcase
    driver: SlackDriver
    server: Any
    url: str

    # ---- conveniences -------------------------------------------------------------------
    def latest_form(self) -> dict[str, Any] | None:
        """The newest open case form, or None while none is open (for wait_for)."""
        forms = [v for v in self.fake.views.values() if v.get("callback_id") == "case_form"]
        return forms[-1] if forms else None

    def cases(self) -> list[dict[str, Any]]:
        return list(self.kore.cases.values())

    def created(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        wait_for(lambda: len(self.kore.cases) >= count, timeout, f"{count} case(s)")
        return self.cases()

    def announced(self, count: int = 1, timeout: float = 10.0) -> None:
        wait_for(lambda: len(self.app.services.store.in_state(State.ANNOUNCED)) >= count,
                 timeout, "announcement")

    def stop(self) -> None:
        self.server.close()
        self.driver.close()
        self.app.stop()
        self.fake.close()
        self.kore.close()


def make_world(tmp_path: Any, *, env: dict[str, str] | None = None, fake_latency: float = 0.0,
               kore_latency: float = 0.0, retry: RetryPolicy = FAST_RETRY,
               database: str | None = None, start: bool = True,
               sweep_seconds: float | None = None) -> World:
    fake = FakeSlack(bot_token=BOT_TOKEN, latency=fake_latency)
    fake.serve()
    fake.add_user("UALICE", "Alice Example", email="alice@example.com")
    fake.add_user("UBOB", "Bob Builder", email="bob@example.com", locale="de-DE")
    fake.add_user("UNOMAIL", "Nora Nomail")
    fake.add_user("UGUEST", "Gina Guest", email="gina@example.com", guest=True)
    fake.add_channel("CGENERAL", "general")
    fake.add_channel("CSUPPORT", "support")
    fake.add_channel("CTEAMIT", "it-team")
    fake.add_channel("CTEAMGEN", "general-team")
    fake.add_channel("GSECRET", "secret", private=True, member=False)
    templates = {"ctm-general": "General", "ctm-it": "IT Support"}
    kore = KoreSandbox(stream_id="st-test-1", client_id="cs-test", client_secret=KORE_SECRET,
                       account_id="acct-test", templates=templates, latency=kore_latency)
    kore.serve()
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "KORE_HOST": kore.url or "",
        "KORE_STREAM_ID": "st-test-1",
        "KORE_CLIENT_ID": "cs-test",
        "KORE_CLIENT_SECRET": KORE_SECRET,
        "KORE_ACCOUNT_ID": "acct-test",
        "KORE_CASE_TEMPLATES": "ctm-general=General,ctm-it=IT Support",
        "KORE_TIMEOUT_SECONDS": "2",
        "SLACKCASE_DATABASE": database or str(tmp_path / "slackcase.db"),
        "SLACKCASE_POLL_SECONDS": "3600",
    }
    values.update(env or {})
    settings = load_settings(values)
    app = build_app(settings, retry=retry,
                    **({"sweep_seconds": sweep_seconds} if sweep_seconds else {}))
    if start:
        app.start()
    server = app.http_server("127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    driver = SlackDriver(url, SIGNING_SECRET, fake)
    return World(fake, kore, settings, app, driver, server, url)


def case_of(world: World, ref: str) -> Case:
    raw = next(c for c in world.cases() if c["refId"] == ref)
    return Case.model_validate(raw)


def submit_case(world: World, text: str = "disk full", user: str = "UALICE",
                channel: str = "CGENERAL") -> Any:
    world.driver.command(text, user=user, channel=channel)
    form = wait_for(world.latest_form, what="form")
    return world.driver.submit(form["id"], user=user)


def app_environment(world: World, tmp_path: Any, **settings: str) -> dict[str, str]:
    """The environment of a `slackcase run` process against world's fakes."""
    return isolated_environment({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": world.fake.api_url, "KORE_HOST": world.kore.url or "",
        "KORE_STREAM_ID": "st-test-1", "KORE_CLIENT_ID": "cs-test",
        "KORE_CLIENT_SECRET": KORE_SECRET, "KORE_ACCOUNT_ID": "acct-test",
        "KORE_CASE_TEMPLATES": "ctm-general=General,ctm-it=IT Support",
        "SLACKCASE_DATABASE": str(tmp_path / "app.db"), **settings})


def start_process(env: dict[str, str], cwd: Any) -> tuple[subprocess.Popen[str], str]:
    """`slackcase run --http` on a free port: the process and its URL once it is ready.
    Its log goes to a file, so a long run never fills a pipe nobody reads."""
    log = open(Path(cwd) / f"app-{uuid.uuid4().hex[:6]}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "slackcase", "run", "--http", "--port",
                             "0"], env=env, stdout=subprocess.PIPE, stderr=log, text=True,
                            cwd=cwd)
    log.close()
    line = "-"
    while line and "ready" not in line and proc.stdout:  # after any line about the sandbox
        line = proc.stdout.readline()
    assert "ready" in line, line + Path(log.name).read_text()
    return proc, line.split("HTTP on ")[1].strip().removesuffix("/slack/events")


def app_process(world: World, tmp_path: Any,
                **settings: str) -> Callable[[], subprocess.Popen[str]]:
    """A function that starts `slackcase run --http` as its own process against world's
    fakes (world's in-process app closed) and points world's driver at it."""
    world.server.close()
    env = app_environment(world, tmp_path, **settings)

    def start() -> subprocess.Popen[str]:
        proc, url = start_process(env, tmp_path)
        world.driver.url = url.rstrip("/") + "/slack/events"
        return proc

    return start


@dataclass
class Replica:
    """One `slackcase run --http` process of several on one database, with its own driver."""

    proc: subprocess.Popen[str]
    driver: SlackDriver

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.driver.close()


def start_replicas(world: World, tmp_path: Any, count: int, database: str,
                   **settings: str) -> list[Replica]:
    """`count` app processes on one database, against world's fakes (its own app closed)."""
    world.server.close()
    env = app_environment(world, tmp_path, SLACKCASE_DATABASE=database, **settings)
    replicas = []
    for _ in range(count):
        proc, url = start_process(env, tmp_path)
        replicas.append(Replica(proc, SlackDriver(url, SIGNING_SECRET, world.fake)))
    return replicas


def shut_down(world: World, proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    world.driver.close()
    world.app.stop()
    world.fake.close()
    world.kore.close()
