"""The load generator: runs in a process of its own, as Slack is another machine.

Its functions are called through a ProcessPoolExecutor, so timing a request never shares
an interpreter with the fakes.
"""

from __future__ import annotations

import re
import selectors
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from slackcase.sandbox.slack_driver import Answer, Request, parse_answer
from slackcase.sandbox.socket_slack import SocketSlack


def fire(urls: str | list[str], requests: list[Request], concurrency: int,
         method: str = "POST") -> list[Answer]:
    """In the load process: send each request on a new connection, `concurrency` at a time.

    One thread with non-blocking sockets, as Slack's senders are not short of CPU: each
    request is timed from its connect to the last byte of its answer arriving, and neither
    end waits for this process's interpreter. (Fifty threads with `http.client` spent
    about 30 ms sending a wave, and parsed the answers one at a time in their GIL: the
    load generator's own queue was part of every ack it timed.) A wave of `concurrency`
    requests goes out together; further requests start as answers come back.
    `started` is time.monotonic(), comparable with the fakes'. Given several URLs (the
    replicas behind a load balancer), request i goes to the (i mod n)-th.
    """
    targets = []
    for url in [urls] if isinstance(urls, str) else urls:
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        targets.append(((parts.hostname, parts.port),
                        f"{method} {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"))
    answers: list[Answer | None] = [None] * len(requests)
    waiting = list(range(len(requests)))[::-1]
    with selectors.DefaultSelector() as selector:
        try:
            while waiting or selector.get_map():
                while waiting and len(selector.get_map()) < concurrency:
                    i = waiting.pop()
                    address, head = targets[i % len(targets)]
                    exchange = _Exchange(i, _wire(head, requests[i]))
                    selector.register(exchange.sock, selectors.EVENT_READ, exchange)
                    exchange.send(address)
                ready = selector.select(timeout=60)
                if not ready:
                    raise TimeoutError(f"{len(selector.get_map())} request(s) not answered "
                                       "in 60 s")
                for key, _ in ready:
                    exchange = key.data
                    if exchange.receive():
                        selector.unregister(exchange.sock)
                        answers[exchange.index] = exchange.answer()
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
    return [a for a in answers if a is not None]


def _wire(head: str, request: Request) -> bytes:
    headers = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items()
                      if name.lower() not in ("host", "content-length"))
    return (f"{head}Content-Length: {len(request.body)}\r\n{headers}\r\n").encode() \
        + request.body


class _Exchange:
    """One request on its own connection, and its answer as it arrives."""

    def __init__(self, index: int, wire: bytes) -> None:
        self.index = index
        self.wire = wire
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.received = bytearray()
        self.length: int | None = None  # of the whole answer, once its head has arrived
        self.started = self.clock = self.elapsed = 0.0

    def send(self, address: tuple[str, int]) -> None:
        self.started, self.clock = time.monotonic(), time.perf_counter()
        self.sock.connect(address)  # loopback: the kernel completes it at once
        self.sock.sendall(self.wire)
        self.sock.setblocking(False)

    def receive(self) -> bool:
        """Read what has arrived; True once the whole answer has (it is then timed)."""
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return False
        self.received += chunk
        if self.length is None:
            end = self.received.find(b"\r\n\r\n")
            if end >= 0:
                found = _CONTENT_LENGTH.search(self.received, 0, end)
                self.length = end + 4 + int(found.group(1)) if found else -1
        done = not chunk or (self.length is not None and 0 <= self.length <= len(self.received))
        if done:
            self.elapsed = time.perf_counter() - self.clock
            self.sock.close()
        return done

    def answer(self) -> Answer:
        head, _, body = bytes(self.received).partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        return Answer(status, parse_answer(body), self.elapsed, self.started)


_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:\s*(\d+)\s*$")


_SOCKET: SocketSlack | None = None


def socket_serve() -> str:
    """In the load process: start Slack's end of Socket Mode; its URL."""
    global _SOCKET
    _SOCKET = SocketSlack()
    return _SOCKET.url


def socket_connections() -> int:
    assert _SOCKET
    with _SOCKET.arrived:
        return _SOCKET.connections


def socket_fire(envelopes: list[tuple[str, dict[str, Any]]], concurrency: int) -> list[Answer]:
    """In the load process: send each envelope on the app's websocket, at most
    `concurrency` unacknowledged at a time; time each from sending to its ack."""
    slack = _SOCKET
    assert slack and slack.connection
    ids = [uuid.uuid4().hex for _ in envelopes]
    answers: list[Answer | None] = [None] * len(envelopes)
    in_flight: dict[str, tuple[int, float, float]] = {}
    waiting = list(range(len(envelopes)))[::-1]
    with slack.arrived:
        while waiting or in_flight:
            while waiting and len(in_flight) < concurrency:
                i = waiting.pop()
                kind, payload = envelopes[i]
                in_flight[ids[i]] = (i, time.monotonic(), time.perf_counter())
                slack.post(ids[i], kind, payload)
            acked = [eid for eid in in_flight if eid in slack.acks]
            if not acked and not slack.arrived.wait(60):
                raise TimeoutError(f"{len(in_flight)} envelope(s) not acknowledged in 60s")
            for eid in acked:
                i, started, clock = in_flight.pop(eid)
                at, message = slack.acks.pop(eid)
                answers[i] = Answer(200, message.get("payload"), at - clock, started)
    return [a for a in answers if a is not None]
