"""Socket Mode: Bolt's handler on slack_sdk's built-in client, made steady."""

from __future__ import annotations

import socket
import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin.client import SocketModeClient

CLOSE_WITHIN = 5.0  # seconds close() waits for the receiving thread before leaving it be
RECEIVE_TIMEOUT = 0.2  # seconds a read of the websocket blocks (slack_sdk: 3)


class SteadySocketModeClient(SocketModeClient):
    """slack_sdk's Socket Mode client with Nagle's algorithm off on every connection, short
    reads, and a close() that cannot hang.

    Acks are small frames sent one after another. With Nagle's algorithm on, an ack
    written while an earlier one is still unacknowledged waits for that ACK, and a peer
    that delays its ACKs (40 ms on Linux) holds the ack back that long: in the benchmark,
    three waves of 50 in eight had their last ack 36-40 ms after the app had sent it.

    A reconnect (Slack asks for one every few hours, `disconnect`/`refresh_requested`)
    opens the new connection, then closes the old one before reading the new one; closing
    waits for the read in progress on the old one, which slack_sdk lets block for 3 s, so
    envelopes Slack sent on the new connection were acked after up to 3 s: past Slack's
    limit, and the user sees the command fail. Reads here block for RECEIVE_TIMEOUT.

    What this relies on inside slack_sdk (3.48): `current_session.sock`,
    `current_session_runner` and `current_session_state`. tests/scenario/test_socket_mode.py
    fails the day any of them changes (a reconnect acked within 1 s, Nagle's algorithm off
    after a reconnect, a close() racing the receiving thread). What would let it go
    upstream: a `receive_timeout` that bounds the read on a retiring connection, and a
    close() that cannot be undone by `_run_current_session` setting `terminated = False`
    (python-slack-sdk#1962 made close() join that thread, with no timeout, so the race
    now hangs close() itself).
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
        sock.settimeout(RECEIVE_TIMEOUT)

    def close(self) -> None:
        """slack_sdk's close(), without its hang.

        slack_sdk marks the session's state terminated, then joins the receiving thread
        with no timeout. When that thread is just starting a run on the session, it marks
        the same state live again after close() marked it terminated, and then loops on
        the closed socket forever: `slackcase run` never exited on SIGTERM (seen once in
        ~35 closes in the tests, and it held CI until its time limit). Here the state is
        marked terminated again until the thread has ended, for CLOSE_WITHIN seconds at
        most; after that the thread, a daemon, is left to the process's exit.
        """
        self.closed = True
        self.auto_reconnect_enabled = False
        runner = self.current_session_runner
        runner.event.set()  # no new run after the current one
        deadline = time.monotonic() + CLOSE_WITHIN
        while runner.is_alive() and time.monotonic() < deadline:
            self.current_session_state.terminated = True
            if self.current_session is not None and self.current_session.is_active():
                self.disconnect()
            runner.thread.join(timeout=0.25)
        if runner.is_alive():
            self.logger.warning("Socket Mode: the receiving thread did not stop within %.0f s; "
                                "leaving it to the process's exit", CLOSE_WITHIN)
            runner.thread = None  # type: ignore[assignment]  # so slack_sdk does not join it
        super().close()


class SlackSocketHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, on SteadySocketModeClient."""

    def __init__(self, bolt: App, app_token: str, *, client: WebClient) -> None:
        # What SocketModeHandler.__init__ does, with the client class swapped: building
        # slack_sdk's own client first would start its threads for nothing.
        self.app = bolt
        self.app_token = app_token
        self.client = SteadySocketModeClient(app_token=app_token, logger=bolt.logger,
                                              web_client=client, proxy=client.proxy,
                                              ping_interval=10)  # Bolt's handler's default
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
