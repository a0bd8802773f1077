"""The keep-alive WebClient against a loopback server that records its connections."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from slackcase.sandbox.loopback import serve_in_thread, server_url, wait_until
from slackcase.slack.keepalive import IDLE_SECONDS, MAX_IDLE, ConnectionPool, KeepAliveWebClient


class Server:
    """Answers every Slack method with ok, as told: close after answering, refuse, 429."""

    def __init__(self) -> None:
        self.peers: list[int] = []  # the client port of each request: one per connection
        self.close_after: set[int] = set()  # request numbers to close the connection after
        self.say_close: set[int] = set()  # ...and to answer with "Connection: close"
        self.rate_limited: set[int] = set()
        self.early_error: set[int] = set()
        self.closed = threading.Event()
        self.hold = threading.Event()
        self.hold.set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                number = len(owner.peers)
                early = number in owner.early_error  # answers before reading the body
                if not early:
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.peers.append(self.client_address[1])
                owner.hold.wait(10)
                if early:
                    status, body = 200, b'{"ok": false, "error": "invalid_auth"}'
                elif number in owner.rate_limited:
                    status, body = 429, b'{"ok": false, "error": "ratelimited"}'
                else:
                    status, body = 200, json.dumps({"ok": True, "n": number}).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if number in owner.say_close:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                if number in owner.close_after:
                    self.close_connection = True

            def finish(self) -> None:
                super().finish()
                if self.close_connection:  # the FIN goes out now, not when the server
                    # gets round to it (unless the client has closed its end already)
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    owner.closed.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.http = serve_in_thread(Handler, "127.0.0.1", 0, "keepalive-test")
        self.url = server_url(self.http) + "/api/"

    @property
    def connections(self) -> int:
        return len(set(self.peers))

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def client(server: Server, **kwargs: Any) -> KeepAliveWebClient:
    return KeepAliveWebClient(token="xoxb-test", base_url=server.url, timeout=5, **kwargs)


def test_calls_one_after_another_share_one_connection(server: Server):
    slack = client(server)
    answers = [slack.auth_test()["n"] for _ in range(5)]
    assert answers == [0, 1, 2, 3, 4]
    assert server.connections == 1 and slack.connections.opened == 1
    slack.close()


def test_a_connection_the_server_closed_while_idle_is_not_reused(server: Server):
    server.close_after.add(0)  # closed without saying so: only the socket tells
    slack = client(server, retry_handlers=[])  # no retry to hide a stale connection
    slack.auth_test()
    assert server.closed.wait(5)
    assert slack.auth_test()["n"] == 1
    assert server.connections == 2


def test_after_an_error_answer_the_next_call_starts_on_a_fresh_connection(server: Server):
    """A server that answers an error before reading the request body leaves the body in
    the connection; reused, the next request would be read as that body's continuation."""
    server.early_error.add(0)
    slack = client(server, retry_handlers=[])
    with pytest.raises(SlackApiError):
        slack.chat_postMessage(channel="C1", text="x" * 5000)
    assert slack.chat_postMessage(channel="C1", text="hello")["n"] == 1
    assert server.connections == 2


def test_a_connection_idle_too_long_is_not_reused(server: Server):
    now = [0.0]
    slack = client(server)
    slack.connections = ConnectionPool(None, 5, clock=lambda: now[0])
    slack.auth_test()
    now[0] += IDLE_SECONDS - 1
    slack.auth_test()
    assert server.connections == 1
    now[0] += IDLE_SECONDS + 1
    slack.auth_test()
    assert server.connections == 2


def test_connection_close_from_the_server_is_honoured(server: Server):
    server.say_close.add(0)
    server.close_after.add(0)
    slack = client(server, retry_handlers=[])
    slack.auth_test()
    slack.auth_test()
    assert server.connections == 2


def test_calls_in_flight_together_each_get_a_connection_then_reuse_them(server: Server):
    slack = client(server)
    server.hold.clear()
    with ThreadPoolExecutor(4) as pool:
        calls = [pool.submit(slack.auth_test) for _ in range(4)]
        assert wait_until(lambda: len(server.peers) == 4, 5)
        server.hold.set()
        assert sorted(c.result()["n"] for c in calls) == [0, 1, 2, 3]
    assert server.connections == 4
    for _ in range(8):
        slack.auth_test()
    assert server.connections == 4  # the idle four carried the next eight


def test_no_more_than_max_idle_connections_are_kept(server: Server):
    slack = client(server)
    server.hold.clear()
    count = MAX_IDLE + 4
    with ThreadPoolExecutor(count) as pool:
        calls = [pool.submit(slack.auth_test) for _ in range(count)]
        assert wait_until(lambda: len(server.peers) == count, 10)
        server.hold.set()
        for call in calls:
            call.result()
    assert sum(len(idle) for idle in slack.connections._idle.values()) == MAX_IDLE


def test_errors_reach_slack_sdk_as_urllib_raised_them(server: Server):
    """A 429 comes back as HTTPError, so slack_sdk's Retry-After handler retries it (on a
    fresh connection: see above); an error response without a retry is SlackApiError."""
    server.rate_limited.update({0, 2})
    slack = client(server, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert slack.auth_test()["n"] == 1
    plain = client(server)
    with pytest.raises(SlackApiError) as raised:
        plain.auth_test()
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"


def test_nobody_listening_is_a_urlerror_for_the_connection_retry_handler(
        server: Server, caplog: pytest.LogCaptureFixture):
    url = server.url
    server.close()
    slack = KeepAliveWebClient(token="xoxb-test", base_url=url, timeout=2,
                               retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)])
    with pytest.raises(URLError):
        slack.auth_test()
    failures = [r for r in caplog.records if "Failed to send" in r.getMessage()]
    assert len(failures) == 2  # the call, and the handler's one retry


@pytest.fixture
def tls_server(tmp_path: Any) -> Iterator[tuple[Server, str]]:
    """The same server behind TLS, with a certificate made for 127.0.0.1 just now."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    s = Server()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    # The handshake happens on the handler's thread; a client refusing the certificate is
    # expected here, not an error to print.
    s.http.socket = context.wrap_socket(s.http.socket, server_side=True,
                                        do_handshake_on_connect=False)
    s.http.handle_error = lambda request, address: None  # type: ignore[method-assign]
    s.url = s.url.replace("http://", "https://")
    yield s, str(cert)
    s.close()


def test_over_tls_the_connection_is_kept_and_the_certificate_still_checked(
        tls_server: tuple[Server, str]):
    server, cert = tls_server
    trusting = client(server, ssl=ssl.create_default_context(cafile=cert))
    assert [trusting.auth_test()["n"] for _ in range(3)] == [0, 1, 2]
    assert server.connections == 1  # one TLS handshake for three calls
    default = client(server, retry_handlers=[])  # the system's trust store: not this cert
    with pytest.raises(URLError, match="CERTIFICATE_VERIFY_FAILED"):
        default.auth_test()
