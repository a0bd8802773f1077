"""HTTP mode: Bolt behind a production WSGI server (waitress), plus /healthz."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from slackcase.app import Slackcase
from slackcase.jobs import AckGate
from slackcase.payloads import SlackHttpRequest

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything bigger
MAX_HEADER_BYTES = 16_384


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with interaction payloads decoded by slackcase.payloads."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(SlackHttpRequest(body=request.get_body(),
                                                  query=request.query_string,
                                                  headers=request.get_headers()))


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
    slack = _SlackHandler(app.bolt, path="/slack/events")

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
    """A waitress server: multi-threaded, bounded body and header sizes and idle time."""
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
        channel_timeout=30,
        connection_limit=200,
        clear_untrusted_proxy_headers=True,
        ident="slackcase",
    )
