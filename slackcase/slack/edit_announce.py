"""The outcome of a change to a filed case, told in Slack: the card updated in place, a
reply in the thread for an added message, the Edit window, or a DM when it failed."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackcase.core.domain import CaseEdit, Submission
from slackcase.kore.models import Case
from slackcase.slack import messages, views
from slackcase.slack.announce import SlackAnnouncer, slack_error

log = logging.getLogger("slackcase.slack.announce")


class SlackEditAnnouncer:
    def __init__(self, client: WebClient, announcer: SlackAnnouncer) -> None:
        self.client = client
        self.announcer = announcer

    def edit_done(self, edit: CaseEdit, sub: Submission, case: Case) -> None:
        self._update_card(sub, case)
        if edit.kind == "add":
            # The thread reply is the visible promise; post it once it is owed (the core
            # marks the edit done after this returns, so a crash repeats at most this).
            reply = messages.added_reply(edit.ref_id, edit.tell.get("author"), edit.user_id)
            self.client.chat_postMessage(channel=edit.tell["channel"],
                                         thread_ts=edit.tell.get("thread_ts"), text=reply.text,
                                         blocks=reply.blocks_dict(), unfurl_links=False)
            return
        changed = " and ".join(name for key, name in (("name", "title"), ("desc", "description"))
                               if key in edit.changes)
        self._show(edit, f":white_check_mark: {edit.ref_id}: the {changed} changed in "
                         "Kore.ai, and its card is updated.")

    def edit_failed(self, edit: CaseEdit, sub: Submission | None, message: str) -> None:
        what = "The edit" if edit.kind == "edit" else "Adding the message"
        text = f":warning: {what} of {edit.ref_id} did not go through. {message}"
        if edit.kind == "edit" and edit.changes.get("name"):
            text += f"\nYour title was: “{edit.changes['name']}”"
        if self._show(edit, text):
            return
        note = messages.notice(text)
        self.client.chat_postMessage(channel=edit.user_id, text=note.text,
                                     blocks=note.blocks_dict(), unfurl_links=False)

    def _update_card(self, sub: Submission, case: Case) -> None:
        card = sub.steps.get("card")
        if not isinstance(card, dict) or not card.get("channel") or not card.get("ts"):
            return  # the card went through a response_url: Slack gives no handle on it
        body = self.announcer.card(sub, case)
        self.client.chat_update(channel=card["channel"], ts=card["ts"], text=body.text,
                                blocks=body.blocks_dict())

    def _show(self, edit: CaseEdit, text: str) -> bool:
        """In the window the person used, if it is still open."""
        view_id = edit.tell.get("view_id")
        if not view_id:
            return False
        try:
            self.client.views_update(view_id=view_id, view=views.notice_view(
                f"Case {edit.ref_id}", messages.notice(text).blocks))
            return True
        except SlackApiError as exc:
            if slack_error(exc) in ("not_found", "view_not_found"):
                return False
            raise
