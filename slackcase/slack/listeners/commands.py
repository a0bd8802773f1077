"""/case: ack at once, open the form prefilled with the command's text."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from slackcase.slack.forms import ModalMetadata
from slackcase.slack.listeners.acking import telling_when_store_away
from slackcase.slack.listeners.modal import open_form
from slackcase.slack.services import Services
from slackcase.slack.text import clip, unescape
from slackcase.slack.threads import is_direct

log = logging.getLogger("slackcase.slack.listeners")


def case_command(services: Services) -> Callable[..., None]:
    def handle(ack: Callable[..., None], body: dict[str, Any], respond: Callable[..., Any]) -> None:
        denial = services.access.channel_refusal(body.get("channel_id"))
        if denial:
            ack(response_type="ephemeral", text=denial.text, blocks=denial.blocks_dict())
            return
        ack()
        services.after_ack(lambda: telling_when_store_away(
            lambda body, respond: _open(services, body, respond), body, respond))

    return handle


def _open(services: Services, body: dict[str, Any], respond: Callable[..., Any]) -> None:
    user = body["user_id"]
    denial = services.access.person_refusal(user)
    if denial:
        respond(response_type="ephemeral", text=denial.text, blocks=denial.blocks_dict())
        return
    meta = ModalMetadata(src="command", user=user, team=body.get("team_id"),
                         ch=body.get("channel_id"), ru=body.get("response_url"),
                         dm=is_direct(body.get("channel_id"), body.get("channel_name")))
    try:
        open_form(services, body["trigger_id"], meta,
                  title=clip(unescape(body.get("text") or "").strip(), 250))
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))
        respond(response_type="ephemeral", text=(
            "The case form could not be opened (Slack said "
            f"{exc.response.get('error')}). Please run /case again."))
