"""Events API: App Home."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slackcase.slack.home import publish_home
from slackcase.slack.services import Services


def home_opened(services: Services) -> Callable[..., None]:
    def handle(ack: Callable[..., None], event: dict[str, Any]) -> None:
        ack()
        if event.get("tab", "home") == "home":
            services.after_ack(lambda: publish_home(services, event["user"]))

    return handle
