"""The load generator: runs in a process of its own, as Slack is another machine.

Its functions are called through a ProcessPoolExecutor, so timing a request never shares
an interpreter with the fakes.
"""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from slackcase.sandbox.slack_driver import Answer, Request, parse_answer
from slackcase.sandbox.socket_slack import SocketSlack


def fire(url: str, requests: list[Request], concurrency: int,
         method: str = "POST") -> list[Answer]:
    """In the load process: send each request on a new connection, `concurrency` at a time.

    The pool's threads all exist before the first request goes, so a wave of `concurrency`
    requests arrives together. `started` is time.monotonic(), comparable with the fakes'.
    """
    parts = urlsplit(url)
    assert parts.hostname and parts.port

    def one(request: Request) -> Answer:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            started, clock = time.monotonic(), time.perf_counter()
            connection.request(method, parts.path, request.body or None, request.headers)
            response = connection.getresponse()
            content = response.read()
            elapsed = time.perf_counter() - clock
        finally:
            connection.close()
        return Answer(response.status, parse_answer(content), elapsed, started)

    with ThreadPoolExecutor(concurrency) as pool:
        barrier = threading.Barrier(concurrency)
        for _ in range(concurrency):
            pool.submit(barrier.wait)
        return list(pool.map(one, requests))


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
