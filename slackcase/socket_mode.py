"""Socket Mode: Bolt's handler on slack_sdk's client, with acks sent at once and counted."""

from __future__ import annotations

import socket

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin.client import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from slackcase.jobs import AckGate


class NoDelaySocketModeClient(SocketModeClient):
    """slack_sdk's Socket Mode client with Nagle's algorithm off on every connection.

    Acks are small frames sent one after another. With Nagle's algorithm on, an ack
    written while an earlier one is still unacknowledged waits for that ACK, and a peer
    that delays its ACKs (40 ms on Linux) holds the ack back that long: in the benchmark,
    three waves of 50 in eight had their last ack 36-40 ms after the app had sent it.
    """

    def connect(self) -> None:
        super().connect()  # a new session (also on every reconnect)
        sock = getattr(self.current_session, "sock", None)
        if sock is None:
            return
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:  # slower acks, not a reason to drop a working connection
            self.logger.warning("Socket Mode: could not turn Nagle's algorithm off: %s", exc)


class SlackSocketHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, on NoDelaySocketModeClient.

    Work after earlier acks waits (AckGate) while an envelope is handled and acked. Bolt's
    middleware runs one after the other, not around the listener, so the span from taking
    up an envelope to sending its ack is marked here.
    """

    def __init__(self, bolt: App, app_token: str, *, client: WebClient, acks: AckGate) -> None:
        # What SocketModeHandler.__init__ does, with the client class swapped: building
        # slack_sdk's own client first would start its threads for nothing.
        self.app = bolt
        self.app_token = app_token
        self.client = NoDelaySocketModeClient(app_token=app_token, logger=bolt.logger,
                                              web_client=client, proxy=client.proxy,
                                              ping_interval=10)  # Bolt's handler's default
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
        self._acks = acks

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        with self._acks.answering():
            super().handle(client, req)
