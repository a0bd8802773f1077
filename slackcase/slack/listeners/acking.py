"""Listeners that ack at once and do their work after the ack, on services.after_ack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slackcase.slack.services import Services

Work = Callable[[dict[str, Any], Callable[..., Any] | None], None]


def acked(services: Services, work: Work) -> Callable[..., None]:
    """A Bolt listener: ack(), then work(body, respond) once the answer has gone to Slack."""

    def handle(ack: Callable[..., None], body: dict[str, Any],
               respond: Callable[..., Any] | None) -> None:
        ack()
        services.after_ack(lambda: work(body, respond))

    return handle
