"""HTTP mode: Bolt behind a production WSGI server (waitress), plus /healthz."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from slackcase.app import Slackcase
from slackcase.jobs import AckGate
from slackcase.payloads import SlackHttpRequest, body_problem, decode_payload

log = logging.getLogger("slackcase.server")

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything bigger
MAX_HEADER_BYTES = 16_384
# A request must keep arriving: waitress closes a connection idle this long (checked every
# CLEANUP_SECONDS), so connections that send half a request and stall free their place.
CHANNEL_TIMEOUT_SECONDS = 10
CLEANUP_SECONDS = 2
CONNECTION_LIMIT = 1000  # poll(), not select(): more than 1024 descriptors are fine
UNSIGNED_LOG_EVERY = 60.0  # seconds between log lines about refused unsigned requests


class _Unsigned:
    """Counts requests refused for their signature; says so at most once a minute, so a
    flood of them cannot flood the log, and a wrong signing secret is still noticed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._logged = float("-inf")

    def refused(self) -> None:
        with self._lock:
            self._count += 1
            now = time.monotonic()
            if now - self._logged < UNSIGNED_LOG_EVERY:
                return
            count, self._count, self._logged = self._count, 0, now
        log.warning("refused %d request(s) without a valid Slack signature (if Slack's own "
                    "are among them, check SLACK_SIGNING_SECRET)", count)


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter: the signature is checked on the raw body before anything reads
    it, a signed body Slack would never send gets a 400, and interaction payloads are
    decoded by slackcase.payloads."""

    def __init__(self, app: App, signing_secret: str, path: str) -> None:
        super().__init__(app, path=path)
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._unsigned = _Unsigned()

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = _raw_body(request.environ)
        headers = request.get_headers()
        if not self._signed(raw, headers):
            self._unsigned.refused()
            return BoltResponse(status=401, body="")
        body = raw.decode("utf-8")  # a valid signature is over UTF-8 text
        payload = decode_payload(body)
        content_type = headers.get("content-type")
        problem = body_problem(body, content_type if isinstance(content_type, str) else None,
                               payload)
        if problem:
            log.warning("refused a signed request Slack would not send: %s", problem)
            return BoltResponse(status=400, body="")
        return self.app.dispatch(SlackHttpRequest(body=body, query=request.query_string,
                                                  headers=headers, payload=payload))

    def _signed(self, raw: bytes, headers: dict[str, Any]) -> bool:
        if self._verifier is None:  # no secret to check with: nothing is Slack's
            return False
        timestamp, signature = (headers.get("x-slack-request-timestamp"),
                                headers.get("x-slack-signature"))
        if not isinstance(timestamp, str) or not isinstance(signature, str):
            return False
        try:
            return self._verifier.is_valid(raw, timestamp, signature)
        except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
            return False


def _raw_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    return stream.read(length) if stream is not None and length > 0 else b""


class _Counted:
    """A connection queued for a thread, counted as being answered until it is served."""

    __slots__ = ("_acks", "_channel")

    def __init__(self, channel: Any, acks: AckGate) -> None:
        self._channel = channel
        self._acks = acks

    def service(self) -> None:
        try:
            self._channel.service()
        finally:
            self._acks.end()

    def cancel(self) -> None:
        try:
            self._channel.cancel()
        finally:
            self._acks.end()


class _AcksFirstDispatcher(ThreadedTaskDispatcher):
    """waitress's thread pool, telling the AckGate of a request as soon as it has been read.

    When fifty arrive together, most wait in this queue for a thread: counted only once a
    thread took them up, they were invisible in a lull between threads, and work after
    the first acks started and shared the interpreter with the acks still to come.
    """

    def __init__(self, acks: AckGate) -> None:
        super().__init__()
        self._acks = acks

    def add_task(self, task: Any) -> None:
        self._acks.begin()
        super().add_task(_Counted(task, self._acks))


def wsgi_app(app: Slackcase) -> Callable[..., Iterable[bytes]]:
    secret = app.services.settings.slack_signing_secret
    slack = _SlackHandler(app.bolt, secret.get_secret_value() if secret else "",
                          path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            problem = app.services.store.health()
            answer = {"ok": True, "mode": "http"} if problem is None else \
                {"ok": False, "mode": "http", "error": problem}
            body = json.dumps(answer).encode()
            status = "200 OK" if problem is None else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(body)))])
            return [body]
        if path == "/slack/events":
            return slack(environ, start_response)
        body = b'{"ok": false, "error": "not_found"}'
        start_response("404 Not Found", [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body)))])
        return [body]

    return application


def http_server(app: Slackcase, host: str, port: int, threads: int = 64) -> Any:
    """A waitress server: multi-threaded, bounded body and header sizes and idle time.

    The idle time bounds how long a connection that stalls mid-request holds one of the
    connection_limit places; one that trickles a byte at a time is the reverse proxy's to
    cut off (README, Running)."""
    dispatcher = _AcksFirstDispatcher(app.services.acks)
    dispatcher.set_thread_count(threads)
    return create_server(
        wsgi_app(app),
        _dispatcher=dispatcher,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY_BYTES,
        max_request_header_size=MAX_HEADER_BYTES,
        channel_timeout=CHANNEL_TIMEOUT_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
        clear_untrusted_proxy_headers=True,
        ident="slackcase",
    )
