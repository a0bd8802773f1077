"""Events API: App Home, and the reaction that files a case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slackcase.slack.home import publish_home
from slackcase.slack.reactions import file_from_reaction, is_filing_reaction
from slackcase.slack.services import Services


def home_opened(services: Services) -> Callable[..., None]:
    def handle(ack: Callable[..., None], event: dict[str, Any]) -> None:
        ack()
        if event.get("tab", "home") == "home":
            services.after_ack(lambda: publish_home(services, event["user"]))

    return handle


def reaction_added(services: Services) -> Callable[..., None]:
    """The case is recorded before Slack gets its answer (Bolt answers when the listener
    returns): a process killed before then leaves the event unanswered, and Slack's
    repeat of it files the case. Reading the message and its thread takes well under
    Slack's 3 s for events; a slower one is repeated by Slack and finds the case filed."""

    def handle(ack: Callable[..., None], event: dict[str, Any]) -> None:
        ack()
        if is_filing_reaction(services, event):
            file_from_reaction(services, event)

    return handle
