"""Read a whole Slack thread (every page) and turn it into a description."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackcase.slack.people import SlackDirectory
from slackcase.slack.transcript import transcript

log = logging.getLogger("slackcase.slack.threads")

MAX_PAGES = 50  # 10,000 messages: more than any thread a person would file


@dataclass
class ThreadText:
    description: str
    permalink: str | None
    problem: str | None = None  # what the admin must fix, when the thread could not be read
    root_text: str | None = None
    message_count: int = 1


class ThreadReader:
    def __init__(self, client: WebClient, directory: SlackDirectory) -> None:
        self._client = client
        self._directory = directory

    def read(self, channel: str, root_ts: str, message: dict[str, Any],
             message_ts: str, *, direct: bool = False) -> ThreadText:
        permalink = self._permalink(channel, message_ts)
        try:
            messages = self._replies(channel, root_ts)
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            log.info("conversations.replies in %s failed: %s", channel, error)
            problem = _problem(error, channel, direct)
            text = transcript([message], self._directory.name, permalink=permalink)
            return ThreadText(text, permalink, problem, message.get("text"), 1)
        if not messages:
            messages = [message]
        self._directory.prefetch(m["user"] for m in messages if m.get("user"))
        text = transcript(messages, self._directory.name, permalink=permalink)
        return ThreadText(text, permalink, None, messages[0].get("text"), len(messages))

    def _replies(self, channel: str, root_ts: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        cursor = None
        for _ in range(MAX_PAGES):
            response = self._client.conversations_replies(channel=channel, ts=root_ts,
                                                          limit=200, cursor=cursor)
            messages.extend(response.get("messages") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                break
        return messages

    def message(self, channel: str, root_ts: str, ts: str) -> dict[str, Any] | None:
        """One message of a thread as Slack has it now (None when it cannot be read)."""
        try:
            return next((m for m in self._replies(channel, root_ts) if m.get("ts") == ts), None)
        except SlackApiError as exc:
            log.info("conversations.replies in %s failed: %s", channel,
                     exc.response.get("error"))
            return None

    def permalink(self, channel: str, ts: str) -> str | None:
        return self._permalink(channel, ts)

    def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            return self._client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except SlackApiError:
            return None


def is_direct(channel_id: str | None, channel_name: str | None) -> bool:
    """A DM or group DM: Slack names them "directmessage" and "mpdm-…" in payloads (a
    group DM's id may start with G or C, like a channel's)."""
    name = channel_name or ""
    return bool(channel_id and channel_id.startswith("D")) or name == "directmessage" \
        or name.startswith("mpdm-")


def _problem(error: str, channel: str, direct: bool = False) -> str:
    if direct:
        # Nobody can invite the bot into someone's DM, and a scope would not let it read one
        # it is not part of: no advice that cannot help.
        return "Only this message was included: slackcase cannot read direct messages."
    if error == "missing_scope":
        return ("Only this message was included: slackcase lacks the channels:history / "
                "groups:history scope. An admin can add it in the app's OAuth settings and "
                "reinstall.")
    if error in ("not_in_channel", "channel_not_found"):
        return (f"Only this message was included: slackcase is not in <#{channel}>. "
                "Type `/invite @slackcase` there to include whole threads.")
    return f"Only this message was included: Slack answered {error}."
