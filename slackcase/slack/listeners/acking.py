"""Listeners that ack at once and do their work after the ack, on services.after_ack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slackcase.core.ports import StoreUnavailable
from slackcase.slack.services import Services

Work = Callable[[dict[str, Any], Callable[..., Any] | None], None]

STORE_AWAY = ("slackcase cannot reach its database right now, so this could not be done. "
              "Nothing you sent before was lost. Please try again in a minute.")

log = logging.getLogger("slackcase.slack.listeners")


def telling_when_store_away(work: Work, body: dict[str, Any],
                            respond: Callable[..., Any] | None) -> None:
    """Run work after an ack; if the database is away, say so to the person instead of
    leaving them with nothing (the ack has gone: Slack saw no error)."""
    try:
        work(body, respond)
    except StoreUnavailable as exc:
        log.error("could not answer: %s", exc)
        if respond is not None:
            respond(response_type="ephemeral", replace_original=False, text=STORE_AWAY)


def acked(services: Services, work: Work) -> Callable[..., None]:
    """A Bolt listener: ack(), then work(body, respond) once the answer has gone to Slack."""

    def handle(ack: Callable[..., None], body: dict[str, Any],
               respond: Callable[..., Any] | None) -> None:
        ack()
        services.after_ack(lambda: telling_when_store_away(work, body, respond))

    return handle
