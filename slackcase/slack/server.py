"""HTTP mode: Bolt behind a production WSGI server (waitress), plus /healthz."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything bigger
MAX_HEADER_BYTES = 16_384


Health = Callable[[], str | None]  # the reason the app cannot serve, or None when it can


def wsgi_app(bolt: App, health: Health) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(bolt, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            problem = health()
            body = json.dumps({"ok": problem is None, "mode": "http",
                               **({"reason": problem} if problem else {})}).encode()
            start_response("503 Service Unavailable" if problem else "200 OK",
                           [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
            return [body]
        if path == "/slack/events":
            return slack(environ, start_response)
        body = b'{"ok": false, "error": "not_found"}'
        start_response("404 Not Found", [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body)))])
        return [body]

    return application


def http_server(bolt: App, health: Health, host: str, port: int, threads: int = 64) -> Any:
    """A waitress server: multi-threaded, bounded body and header sizes and idle time."""
    return create_server(
        wsgi_app(bolt, health),
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
