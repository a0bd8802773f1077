"""The benchmark's HTTP load generator: whole answers, each timed, `concurrency` at a time."""

from __future__ import annotations

import socket
import threading
import time

from benchmarks.load import fire
from slackcase.sandbox.slack_driver import Request


class SlowServer:
    """Answers every request in three pieces, and counts connections open at once."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = self.most_open = 0
        self.requests: list[bytes] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            conn, _ = self.listener.accept()
            with self.lock:
                self.open += 1
                self.most_open = max(self.most_open, self.open)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        while len(body) < length:
            body += conn.recv(65536)
        self.requests.append(head + b"\r\n\r\n" + body)
        answer = b'{"echo": "' + body + b'"}'
        pieces = (b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n",
                  b"Content-Length: %d\r\n\r\n" % len(answer) + answer[:5], answer[5:])
        for i, piece in enumerate(pieces):
            time.sleep(0.05 if i else 0)
            if i == len(pieces) - 1:
                with self.lock:  # the client may start its next request once this is read
                    self.open -= 1
            conn.sendall(piece)
        conn.close()


def test_each_answer_is_read_whole_and_timed_from_its_connect():
    server = SlowServer()
    requests = [Request(f"n={i}".encode(), {"X-Slack-Signature": f"v0=sig{i}"})
                for i in range(5)]
    answers = fire(f"http://127.0.0.1:{server.port}/slack/events", requests, 2)
    assert [a.status for a in answers] == [201] * 5
    assert [a.body for a in answers] == [{"echo": f"n={i}"} for i in range(5)]
    assert all(0.09 <= a.elapsed < 2 for a in answers)  # three pieces 50 ms apart
    assert server.most_open <= 2
    first = server.requests[0]
    assert first.startswith(b"POST /slack/events HTTP/1.1\r\n")
    assert b"Content-Length: 3\r\n" in first and b"X-Slack-Signature: v0=sig" in first


def test_a_wave_goes_out_together():
    server = SlowServer()
    answers = fire(f"http://127.0.0.1:{server.port}/healthz", [Request(b"", {})] * 20, 20,
                   "GET")
    starts = [a.started for a in answers]
    assert max(starts) - min(starts) < 0.05  # all sent before the first answer arrives
    assert server.most_open == 20
