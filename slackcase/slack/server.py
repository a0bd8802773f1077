"""HTTP mode: Bolt behind a production WSGI server (waitress), plus /healthz.

Slack's signature is checked on the raw body before anything parses it: unsigned or
stale requests get 401 and one counted log line a minute at most; a signed body Slack
would never send gets 400 and one log line.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from slackcase.slack.requests import body_problem

log = logging.getLogger("slackcase.slack.server")

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything bigger
MAX_HEADER_BYTES = 16_384
# A request must keep arriving: waitress closes a connection idle this long (checked every
# CLEANUP_SECONDS), so connections that send half a request and stall free their place.
CHANNEL_TIMEOUT_SECONDS = 10
CLEANUP_SECONDS = 2
CONNECTION_LIMIT = 1000  # poll(), not select(): more than 1024 descriptors are fine
UNSIGNED_LOG_EVERY = 60.0  # seconds between log lines about refused unsigned requests

Health = Callable[[], str | None]  # the reason the app cannot serve, or None when it can


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
    """Bolt's WSGI adapter, with the signature and the body's shape checked first."""

    def __init__(self, app: App, signing_secret: str) -> None:
        super().__init__(app, path="/slack/events")
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._unsigned = _Unsigned()

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = _raw_body(request.environ)
        headers = request.get_headers()
        if not self._signed(raw, headers):
            self._unsigned.refused()
            return BoltResponse(status=401, body="")
        body = raw.decode("utf-8")  # a valid signature is over UTF-8 text
        content_type = headers.get("content-type")
        problem = body_problem(body, content_type if isinstance(content_type, str) else None)
        if problem:
            log.warning("refused a signed request Slack would not send: %s", problem)
            return BoltResponse(status=400, body="")
        return self.app.dispatch(BoltRequest(body=body, query=request.query_string,
                                             headers=headers))

    def _signed(self, raw: bytes, headers: dict[str, Any]) -> bool:
        if self._verifier is None:  # no secret to check with: nothing is Slack's
            return False
        timestamp, signature = (headers.get("x-slack-request-timestamp"),
                                headers.get("x-slack-signature"))
        if isinstance(timestamp, list):
            timestamp = timestamp[0] if timestamp else None
        if isinstance(signature, list):
            signature = signature[0] if signature else None
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


def _json(start_response: Callable[..., Any], status: str, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def wsgi_app(bolt: App, health: Health, signing_secret: str,
             metrics: Callable[[], bytes] | None = None) -> Callable[..., Iterable[bytes]]:
    slack = _SlackHandler(bolt, signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            problem = health()
            if problem:
                return _json(start_response, "503 Service Unavailable",
                             {"ok": False, "mode": "http", "reason": problem})
            return _json(start_response, "200 OK", {"ok": True, "mode": "http"})
        if path == "/metrics" and method == "GET" and metrics is not None:
            body = metrics()
            start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if path == "/slack/events":
            return slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return application


def http_server(bolt: App, health: Health, host: str, port: int, *, signing_secret: str,
                metrics: Callable[[], bytes] | None = None, threads: int = 64) -> Any:
    """A waitress server: multi-threaded, bounded body and header sizes and idle time.

    The idle time bounds how long a connection that stalls mid-request holds one of the
    connection_limit places; one that trickles a byte at a time is the reverse proxy's to
    cut off (README, Running)."""
    return create_server(
        wsgi_app(bolt, health, signing_secret, metrics),
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
