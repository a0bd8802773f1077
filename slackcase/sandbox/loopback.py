"""What the fakes share: a threaded loopback HTTP server, waiting for a condition, and the
environment for a slackcase process started against them."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import slackcase


class LoopbackHandler(BaseHTTPRequestHandler):
    """What both fakes answer with: kept-alive HTTP/1.1 connections, as real servers."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (40 ms on Linux) on every kept-alive connection.
    disable_nagle_algorithm = True


class LoopbackServer(ThreadingHTTPServer):
    request_queue_size = 256  # many concurrent clients in benchmarks
    daemon_threads = True


def serve_in_thread(handler: type[BaseHTTPRequestHandler], host: str, port: int,
                    name: str) -> LoopbackServer:
    server = LoopbackServer((host, port), handler)
    # shutdown() waits until the loop next looks, every poll_interval (0.5 s by default):
    # each scenario test stops two of these servers.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name,
                     daemon=True).start()
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.02) -> Any:
    """Poll until predicate() is truthy; return its value, or None after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def isolated_environment(settings: dict[str, str]) -> dict[str, str]:
    """The environment for a slackcase process started against the fakes: `settings` only.

    The operator's SLACK_*, KORE_* and SLACKCASE_* variables (an allow-list of channels, a
    log level, real credentials) would change what a test or the benchmark sees, or stop
    it; run the process in a directory of its own too, away from any `.env`. PYTHONPATH
    keeps slackcase importable from there when it runs from a checkout not installed.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KORE_",
                                                                     "SLACKCASE_"))}
    root = str(Path(slackcase.__file__).resolve().parent.parent)  # where slackcase is
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return {**env, **settings}
