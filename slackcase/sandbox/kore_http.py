"""The Kore.ai emulator over HTTP: its API paths and the `/_sandbox/` admin routes."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from slackcase.sandbox.kore_rules import SandboxError
from slackcase.sandbox.loopback import LoopbackHandler

if TYPE_CHECKING:
    from slackcase.sandbox.kore_server import KoreSandbox

log = logging.getLogger("slackcase.sandbox")


def handler_for(sandbox: KoreSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(LoopbackHandler):

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sandbox %s", format % args)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, payload: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _admin(self, method: str) -> None:
            status, data = sandbox.admin(method, self.path, self._body())
            self._send(status, json.dumps(data).encode())

        def do_GET(self) -> None:
            if self.path.startswith("/_sandbox/"):
                return self._admin("GET")
            if self.path == "/healthz":
                return self._send(200, b'{"ok": true}')
            return self._send(405, _errors(405, "use POST"))

        def do_DELETE(self) -> None:
            if self.path.startswith("/_sandbox/"):
                return self._admin("DELETE")
            return self._send(405, _errors(405, "use POST"))

        def do_POST(self) -> None:
            if self.path.startswith("/_sandbox/"):
                return self._admin("POST")
            raw = self._body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, payload = sandbox.handle(self.path, headers, raw)
                self._send(status, payload)
            except SandboxError as exc:
                extra = {}
                if getattr(exc, "retry_after", None):
                    extra["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
                self._send(exc.status, _errors(exc.code, exc.msg), extra)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _errors(code: int, msg: str) -> bytes:
    return json.dumps({"errors": [{"msg": msg, "code": code}]}).encode()
