"""Slow clients cannot take the app offline: connections that send half a request and stall
are closed, and /healthz answers again within seconds, not after every one of them."""

import socket
import time

import httpx

from slackcase.slack.server import CHANNEL_TIMEOUT_SECONDS, CLEANUP_SECONDS, CONNECTION_LIMIT

PARTIAL = (b"POST /slack/events HTTP/1.1\r\nHost: slackcase\r\n"
           b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\":")


def test_stalled_connections_beyond_the_limit_do_not_block_healthz(world):
    port = int(world.url.rsplit(":", 1)[1])
    stalled = []
    try:
        for _ in range(CONNECTION_LIMIT + 20):  # every place taken, and a queue behind
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(PARTIAL)
            stalled.append(sock)
        started = time.monotonic()
        answer = httpx.get(world.url + "/healthz", trust_env=False,
                           timeout=CHANNEL_TIMEOUT_SECONDS + CLEANUP_SECONDS + 8)
        waited = time.monotonic() - started
        assert answer.status_code == 200
        assert waited < CHANNEL_TIMEOUT_SECONDS + CLEANUP_SECONDS + 3, waited
    finally:
        for sock in stalled:
            sock.close()
