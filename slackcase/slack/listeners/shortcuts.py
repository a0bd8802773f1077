"""The "Create case" message shortcut: one thread, one case; the form opens at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from slackcase.core.ports import StoreUnavailable
from slackcase.slack import views
from slackcase.slack.forms import ModalMetadata
from slackcase.slack.listeners.acking import acked
from slackcase.slack.listeners.modal import open_form
from slackcase.slack.services import Services
from slackcase.slack.text import title_from, unslack
from slackcase.slack.threads import is_direct

log = logging.getLogger("slackcase.slack.listeners")


def create_from_message(services: Services) -> Callable[..., None]:
    return acked(services, lambda body, respond: _open(services, body, respond))


def _open(services: Services, body: dict[str, Any], respond: Callable[..., Any] | None) -> None:
    assert respond is not None  # message shortcuts carry a response_url
    channel = (body.get("channel") or {}).get("id")
    direct = is_direct(channel, (body.get("channel") or {}).get("name"))
    user = body["user"]["id"]
    denial = services.access.channel_refusal(channel) or services.access.person_refusal(user)
    if denial:
        respond(response_type="ephemeral", text=denial.text, blocks=denial.blocks_dict())
        return
    message = body.get("message") or {}
    message_ts = message.get("ts") or body.get("message_ts")
    root = message.get("thread_ts") or message_ts
    meta = ModalMetadata(src="shortcut", user=user, team=(body.get("team") or {}).get("id"),
                         ch=channel, th=root, mts=message_ts, ru=body.get("response_url"),
                         dm=direct)
    try:
        existing = services.store.thread_case(f"{channel}:{root}")
    except StoreUnavailable as exc:
        # The form opens all the same: submitting it checks the thread again (a constraint).
        log.warning("thread's case not looked up: %s", exc)
        existing = None
    try:
        if existing:
            assignee = services.announcer.assignee(existing.case) if existing.case else ""
            services.client.views_open(trigger_id=body["trigger_id"],
                                       view=views.case_exists_view(existing, assignee, meta))
            return
        text = message.get("text") or ""
        open_form(services, body["trigger_id"], meta, title=title_from(text),
                  description=unslack(text), requester=message.get("user") or user,
                  message=message)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))
        respond(response_type="ephemeral", text=(
            "The case form could not be opened (Slack said "
            f"{exc.response.get('error')}). Please try the shortcut again."))
