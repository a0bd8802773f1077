"""A case filed by a reaction (SLACKCASE_REACTION) on a message: no form; the requester
is the message's author, the title its first line, the description the whole thread, and
the card goes into the thread. One thread, one case: the reactor is told which it is.

reaction_added carries no trigger_id or response_url, so whatever the reactor must learn
goes to them privately (chat.postEphemeral in the channel, else a DM).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError

from slackcase.core.domain import CaseDraft, Origin
from slackcase.core.ports import ThreadHasCase
from slackcase.slack import messages
from slackcase.slack.forms import TITLE_MAX, default_due, visible
from slackcase.slack.services import Services
from slackcase.slack.text import clip, title_from
from slackcase.slack.threads import is_direct

log = logging.getLogger("slackcase.slack.reactions")

SOURCE = "reaction"
REPEAT_SECONDS = 600.0  # Slack repeats an unanswered event for minutes, not longer


def is_filing_reaction(services: Services, event: dict[str, Any]) -> bool:
    """The configured emoji, added to a message (no I/O: decided inside the ack)."""
    item = event.get("item") or {}
    return bool(services.settings.reaction and event.get("reaction") == services.settings.reaction
                and item.get("type") == "message" and item.get("channel") and item.get("ts")
                and event.get("user") and not is_direct(item.get("channel"), None))


def file_from_reaction(services: Services, event: dict[str, Any]) -> None:
    item, reactor = event["item"], event["user"]
    channel, ts = item["channel"], item["ts"]
    if services.directory.person(reactor).is_bot:
        return  # a bot's reaction (another app's, or a workflow's) files nothing
    denial = services.access.channel_refusal(channel) or services.access.person_refusal(reactor)
    if denial:
        tell(services, channel, reactor, denial)
        return
    message = services.threads.message(channel, ts, ts)
    if message is None:
        tell(services, channel, reactor, messages.notice(
            "slackcase could not read that message, so no case was filed. Type "
            "`/invite @slackcase` in the channel and add the reaction again."))
        return
    root = message.get("thread_ts") or ts
    existing = services.store.thread_case(f"{channel}:{root}")
    if existing:
        _already(services, channel, reactor, existing)
        return
    thread = services.threads.read(channel, root, message, ts)
    title = clip(title_from(message.get("text") or ""), TITLE_MAX)
    author = message.get("user") if not message.get("bot_id") else None
    requester = author or reactor
    if not visible(title):
        title = f"From a Slack message by {services.directory.name(requester)}"
    draft = CaseDraft(template_id=services.settings.channel_template(channel)
                      or services.settings.default_template.id,
                      title=clip(title, TITLE_MAX), description=thread.description[:10000] or title,
                      due=default_due(), requester_id=requester)
    origin = Origin(source=SOURCE, user_id=reactor, team_id=event.get("team"),
                    channel_id=channel, thread_ts=root, message_ts=ts,
                    permalink=thread.permalink)
    try:
        services.cases.submit(draft, origin)
    except ThreadHasCase as exc:  # another reaction or the shortcut got there first
        _already(services, channel, reactor, exc.existing)


def _already(services: Services, channel: str, reactor: str, existing: Any) -> None:
    origin = existing.origin
    if origin.source == SOURCE and origin.user_id == reactor and \
            time.time() - existing.created_at < REPEAT_SECONDS:
        return  # Slack repeating this reactor's own event: their case is on its way
    ref = existing.case.refId if existing.case else None
    tell(services, channel, reactor, messages.thread_has_case(ref, existing.draft.title))


def tell(services: Services, channel: str, user: str, message: messages.Message) -> None:
    """Privately: an ephemeral message in the channel, else a DM."""
    try:
        services.client.chat_postEphemeral(channel=channel, user=user, text=message.text,
                                           blocks=message.blocks_dict())
    except SlackApiError as exc:
        log.info("ephemeral in %s refused (%s): sending a DM", channel,
                 exc.response.get("error"))
        services.client.chat_postMessage(channel=user, text=message.text,
                                         blocks=message.blocks_dict(), unfurl_links=False)
