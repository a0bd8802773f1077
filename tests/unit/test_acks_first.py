"""Both transports count a request as being answered for as long as it waits or runs, so
work after earlier acks (AckGate) does not start in the middle of a burst."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.socket_mode.request import SocketModeRequest

from slackcase.core.jobs import AckGate
from slackcase.slack.server import _AcksFirstDispatcher
from slackcase.slack.socket_mode import SlackSocketHandler


class Channel:
    """What waitress queues for a thread: a connection with a request read."""

    def __init__(self) -> None:
        self.served = threading.Event()
        self.cancelled = threading.Event()

    def service(self) -> None:
        self.served.set()

    def cancel(self) -> None:
        self.cancelled.set()


def turn_taken(gate: AckGate) -> tuple[threading.Event, list[float]]:
    """Work after an ack, waiting for its turn on another thread."""
    taken, at = threading.Event(), []
    threading.Thread(target=lambda: (gate.wait_turn(), at.append(time.monotonic()),
                                     taken.set()), daemon=True).start()
    return taken, at


def test_a_request_queued_for_a_thread_holds_work_back_until_it_is_served():
    gate = AckGate(max_wait=5.0, quiet=0.01)
    dispatcher = _AcksFirstDispatcher(gate)  # no threads yet: the request waits in the queue
    channel = Channel()
    dispatcher.add_task(channel)
    taken, _ = turn_taken(gate)
    assert not taken.wait(0.2)
    dispatcher.set_thread_count(1)
    assert channel.served.wait(5)
    assert taken.wait(1)
    dispatcher.shutdown()


def test_a_request_cancelled_at_shutdown_no_longer_holds_work_back():
    gate = AckGate(max_wait=5.0, quiet=0.01)
    dispatcher = _AcksFirstDispatcher(gate)
    channel = Channel()
    dispatcher.add_task(channel)
    dispatcher.shutdown(cancel_pending=True, timeout=0.1)
    assert channel.cancelled.is_set() and not channel.served.is_set()
    taken, _ = turn_taken(gate)
    assert taken.wait(1)


class SocketClient:
    """Where the handler sends its ack."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("tests.socket_client")
        self.acked_at: list[float] = []

    def send_socket_mode_response(self, response: Any) -> None:
        self.acked_at.append(time.monotonic())


def test_socket_mode_holds_work_back_until_the_envelope_is_acked():
    gate = AckGate(max_wait=5.0, quiet=0.01)
    bolt = App(signing_secret="", request_verification_enabled=False,
               process_before_response=True, authorize=lambda **_: AuthorizeResult(
                   enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="UB",
                   bot_id="B1"))
    waits: list[tuple[threading.Event, list[float]]] = []

    @bolt.command("/case")
    def command(ack: Any) -> None:
        waits.append(turn_taken(gate))  # work the listener sets going
        time.sleep(0.1)
        ack()

    handler = SlackSocketHandler(bolt, "xapp-test", client=bolt.client, acks=gate)
    client = SocketClient()
    handler.handle(client, SocketModeRequest(  # type: ignore[arg-type]
        type="slash_commands", envelope_id="e-1",
        payload={"command": "/case", "text": "printer", "user_id": "U1", "channel_id": "C1",
                 "team_id": "T1", "trigger_id": "t-1", "response_url": "https://x.invalid"}))
    (taken, at), = waits
    assert taken.wait(1)
    assert client.acked_at and at[0] >= client.acked_at[0]
