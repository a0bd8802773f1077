"""Socket Mode: Bolt's handler, each envelope counted as being answered until its ack is sent."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from slackcase.jobs import AckGate


class SlackSocketHandler(SocketModeHandler):
    """Work after earlier acks waits (AckGate) while an envelope is handled and acked.

    Bolt's middleware runs one after the other, not around the listener, so the span from
    taking up an envelope to sending its ack is marked here.
    """

    def __init__(self, bolt: App, app_token: str, *, client: WebClient, acks: AckGate) -> None:
        super().__init__(bolt, app_token, web_client=client)
        self._acks = acks

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        with self._acks.answering():
            super().handle(client, req)
