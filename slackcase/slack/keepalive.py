"""slack_sdk's WebClient, keeping its connections to Slack alive between calls.

The sync WebClient sends every call through `urllib.request.urlopen`, which builds a new
opener and opens a new connection each time: in production a TCP and TLS handshake (two
or three round trips to Slack, and the TLS work on our side) before every
chat.postMessage. Here the one step that opens the connection is replaced by a small
pool of `http.client` connections, the same stdlib class urllib uses, so the request, the
response, the errors and therefore slack_sdk's retry handlers are exactly as before.
"""

from __future__ import annotations

import http.client
import io
import re
import select
import ssl
import threading
import time
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

_ERROR_ANSWER = re.compile(rb'"ok"\s*:\s*false')
IDLE_SECONDS = 30.0  # a connection idle longer is closed rather than reused
MAX_IDLE = 32  # connections kept open while idle, per host


class ConnectionPool:
    """Idle HTTP(S) connections per host, each lent to one request at a time."""

    def __init__(self, context: ssl.SSLContext | None, timeout: float,
                 clock: Any = time.monotonic) -> None:
        self._context = context or ssl.create_default_context()
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str, int], list[tuple[http.client.HTTPConnection,
                                                          float]]] = {}
        self.opened = 0  # connections opened so far (the tests read it)

    def send(self, req: Request) -> tuple[http.client.HTTPResponse, bytes]:
        """Send req on an idle connection (or a new one); return the response and its body.

        As in urllib's do_open, an OSError while sending is raised as URLError and one
        while reading as it is, so slack_sdk's retry handlers see what they always saw.
        """
        parts = urlsplit(req.full_url)
        key = (parts.scheme, parts.hostname or "",
               parts.port or (443 if parts.scheme == "https" else 80))
        connection = self._take(key)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {name.title(): value for name, value in req.header_items()}
        try:
            try:
                connection.request(req.get_method(), path, req.data, headers)
            except OSError as exc:
                raise URLError(exc) from exc
            response = connection.getresponse()
            body = response.read()
        except BaseException:
            connection.close()
            raise
        if 200 <= response.status < 300 and not _ERROR_ANSWER.search(body):
            self._give_back(key, connection)  # after "Connection: close" it holds no socket
        else:  # a server may answer an error before reading all of the request: what it
            connection.close()  # left unread would be taken for the start of the next one
        return response, body

    def _give_back(self, key: tuple[str, str, int], connection: http.client.HTTPConnection,
                   ) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < MAX_IDLE:
                idle.append((connection, self._clock()))
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection, _ in connections:
                connection.close()

    def _take(self, key: tuple[str, str, int]) -> http.client.HTTPConnection:
        now = self._clock()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    break
                connection, since = idle.pop()  # the most recently used: the warmest
            if now - since <= IDLE_SECONDS and _still_open(connection):
                return connection
            connection.close()
        scheme, host, port = key
        with self._lock:
            self.opened += 1
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self._timeout,
                                               context=self._context)
        return http.client.HTTPConnection(host, port, timeout=self._timeout)


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read has been closed by the server (or is
    out of step with it), and one without a socket was closed on our side ("Connection:
    close"): neither may carry another request."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class KeepAliveWebClient(WebClient):
    """A WebClient whose calls reuse connections; everything else is slack_sdk's own.

    Only the step that opens a connection and reads the response is replaced (what
    urllib.request.urlopen did); with a proxy configured slack_sdk's path is kept as is.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections = ConnectionPool(self.ssl, self.timeout)

    def close(self) -> None:
        self.connections.close()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)
        response, body = self.connections.send(req)
        if not 200 <= response.status < 300:  # as urllib: HTTPError carries the answer
            raise HTTPError(url, response.status, response.reason, response.headers,
                            io.BytesIO(body))
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {"status": response.status, "headers": response.headers,
                "body": body.decode(charset)}

