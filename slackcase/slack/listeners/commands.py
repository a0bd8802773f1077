"""/case: ack at once, open the form prefilled with the command's text; `/case CS000123`
answers privately with that case's card, `/case help` with what the command does."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from slackcase.slack import messages
from slackcase.slack.case_lookup import case_card
from slackcase.slack.forms import ModalMetadata
from slackcase.slack.listeners.acking import telling_when_store_away
from slackcase.slack.listeners.modal import open_form
from slackcase.slack.services import Services
from slackcase.slack.text import clip, unescape
from slackcase.slack.threads import is_direct

log = logging.getLogger("slackcase.slack.listeners")

REF_ID = re.compile(r"^CS\d+$", re.IGNORECASE)


def case_command(services: Services) -> Callable[..., None]:
    def handle(ack: Callable[..., None], body: dict[str, Any], respond: Callable[..., Any]) -> None:
        text = unescape(body.get("text") or "").strip()
        if text.lower() in ("help", "?"):
            shown = messages.command_help(services.settings.reaction)
            ack(response_type="ephemeral", text=shown.text, blocks=shown.blocks_dict())
            return
        if REF_ID.match(text):  # looking at a case: private, no form, anywhere
            ack()
            services.after_ack(lambda: _show(services, text.upper(), respond))
            return
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


def _show(services: Services, ref: str, respond: Callable[..., Any]) -> None:
    shown = case_card(services, ref)
    respond(response_type="ephemeral", replace_original=False, text=shown.text,
            blocks=shown.blocks_dict())
