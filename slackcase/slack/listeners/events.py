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
    def handle(ack: Callable[..., None], event: dict[str, Any]) -> None:
        ack()
        if is_filing_reaction(services, event):
            services.after_ack(lambda: file_from_reaction(services, event))

    return handle
