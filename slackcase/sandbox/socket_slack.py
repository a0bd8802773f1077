"""Slack's end of Socket Mode on loopback: the app connects, envelopes go out over the
websocket, acks come back on it. Needs the websockets package (the test extra)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any


class SocketSlack:
    """A websocket server playing Slack: says hello to each connection, sends envelopes on
    the newest one and keeps each ack with the time it arrived."""

    def __init__(self) -> None:
        from websockets.sync.server import serve  # the test extra, imported only when used

        self.connections = 0
        self.connection: Any = None  # the newest
        self.acks: dict[str, tuple[float, dict[str, Any]]] = {}  # envelope id -> (at, ack)
        self.arrived = threading.Condition()  # a connection or an ack
        self.server = serve(self._handle, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"

    def _handle(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        with self.arrived:
            self.connection = ws
            self.connections += 1
            self.arrived.notify_all()
        try:
            for raw in ws:
                at = time.perf_counter()  # before the lock: the ack's arrival, not our turn
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self.arrived:
                        self.acks[message["envelope_id"]] = (at, message)
                        self.arrived.notify_all()
        except ConnectionClosed:
            pass  # the app stopped or reconnected

    def post(self, envelope_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Send one envelope on the newest connection, as Slack does."""
        self.connection.send(json.dumps({
            "envelope_id": envelope_id, "type": kind, "accepts_response_payload": True,
            "retry_attempt": 0, "retry_reason": "", "payload": payload}))

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours and before deploys."""
        self.connection.send(json.dumps({"type": "disconnect", "reason": reason,
                                         "debug_info": {"host": "loopback"}}))

    def send(self, kind: str, payload: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send one envelope and wait for its ack."""
        envelope_id = uuid.uuid4().hex
        with self.arrived:
            self.post(envelope_id, kind, payload)
            if not self.arrived.wait_for(lambda: envelope_id in self.acks, timeout):
                raise TimeoutError(f"envelope {envelope_id} not acknowledged in {timeout}s")
            return self.acks.pop(envelope_id)[1]

    def close(self) -> None:
        self.server.shutdown()
