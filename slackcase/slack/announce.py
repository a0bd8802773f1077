"""The core's results, told in Slack: modal updates, confirmation card, team notice, failures."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from slackcase.config import Settings
from slackcase.core.domain import Submission
from slackcase.core.reconcile import DUPLICATES, UNCONFIRMED
from slackcase.kore.models import Case
from slackcase.slack import messages, views
from slackcase.slack.forms import ModalMetadata
from slackcase.slack.people import SlackDirectory

log = logging.getLogger("slackcase.slack.announce")

CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
               "cannot_reply_to_message", "missing_scope", "not_allowed_token_type"}
MODAL_SETTLE_SECONDS = 0.4  # let Slack apply our ack's "Creating case…" view first


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "unknown_error")


class SlackAnnouncer:
    def __init__(self, client: WebClient, settings: Settings, directory: SlackDirectory,
                 webhook_timeout: float = 10.0) -> None:
        self.client = client
        self.settings = settings
        self.directory = directory
        self._webhook_timeout = webhook_timeout

    # ---- helpers ---------------------------------------------------------------------
    def assignee(self, case: Case) -> str:
        """The assignee as a Slack mention where known (SLACKCASE_AGENTS, then email)."""
        agent = case.currAssignee
        user = self.settings.slack_user_for_agent(agent.aId, agent.agentId) if agent else None
        if user is None and agent and agent.emailId:
            user = self.directory.by_email(agent.emailId)
        return messages.assignee_label(case, user)

    def card(self, sub: Submission, case: Case, *,
             conversation: str | None = None) -> messages.Message:
        """The confirmation card, as first posted and as updated when the case changes;
        `conversation`: a link to where it came from (for a card shown elsewhere)."""
        return messages.confirmation(case, sub.draft.title, assignee=self.assignee(case),
                                     requester_id=sub.draft.requester_id,
                                     filed_by=sub.origin.user_id,
                                     template_name=self.settings.template_name(
                                         sub.draft.template_id),
                                     duplicates=sub.steps.get(DUPLICATES) or [],
                                     submission_id=sub.id, conversation=conversation)

    def _update_modal(self, sub: Submission, view: Any) -> bool:
        if not sub.origin.view_id:
            return False
        settle = sub.created_at + MODAL_SETTLE_SECONDS - time.time()
        if settle > 0:
            time.sleep(settle)
        try:
            self.client.views_update(view_id=sub.origin.view_id, view=view)
            return True
        except SlackApiError as exc:
            if slack_error(exc) in ("not_found", "view_not_found"):
                return False  # the person closed the modal: harmless
            raise

    def _respond(self, url: str, **payload: Any) -> None:
        response = WebhookClient(url, timeout=int(self._webhook_timeout)).send(**payload)
        if response.status_code != 200:
            raise RuntimeError(f"response_url answered {response.status_code}")

    def _dm(self, user_id: str, message: messages.Message) -> dict[str, Any]:
        response = self.client.chat_postMessage(channel=user_id, text=message.text,
                                                blocks=message.blocks_dict(),
                                                unfurl_links=False)
        return {"via": "dm", "channel": response["channel"], "ts": response["ts"]}

    # ---- Announcer -------------------------------------------------------------------
    def progress(self, sub: Submission, note: str) -> None:
        self._update_modal(sub, views.progress_view("Creating case…", note))

    def modal_result(self, sub: Submission, case: Case) -> bool:
        card = sub.steps.get("card") or {}
        where = None
        if card.get("via") == "thread":
            where = f"Posted in the thread in <#{card['channel']}>."
        elif card.get("via") == "channel":
            where = f"Posted in <#{card['channel']}>."
        elif card.get("via") == "dm":
            where = "Sent to you as a direct message."
        return self._update_modal(sub, views.result_view(case, sub.draft.title,
                                                         self.assignee(case), where))

    def confirmation(self, sub: Submission, case: Case) -> dict[str, Any]:
        origin = sub.origin
        if not origin.channel_id:
            return self.personal_card(sub, case)
        card = self.card(sub, case)
        metadata = {"event_type": "slackcase_case_created",
                    "event_payload": {"submission": sub.id, "case_id": case.id,
                                      "ref_id": case.refId}}
        try:
            response = self.client.chat_postMessage(
                channel=origin.channel_id, thread_ts=origin.thread_ts, text=card.text,
                blocks=card.blocks_dict(), metadata=metadata, unfurl_links=False)
        except SlackApiError as exc:
            if slack_error(exc) not in CANNOT_POST:
                raise  # the core tries again, and personal_card() on its last try
            log.info("cannot post in %s (%s): falling back", origin.channel_id,
                     slack_error(exc))
            return self.personal_card(sub, case, invite_hint=True)
        return {"via": "thread" if origin.thread_ts else "channel",
                "channel": response["channel"], "ts": response["ts"]}

    def personal_card(self, sub: Submission, case: Case, *,
                      invite_hint: bool = False) -> dict[str, Any]:
        """The card for the person who filed it, when the conversation cannot have it:
        through the request's response_url, else as a direct message. Raises if neither
        reached them."""
        origin = sub.origin
        card = self.card(sub, case)
        if origin.response_url:
            try:
                in_channel = origin.source == "command"
                self._respond(origin.response_url, text=card.text, blocks=card.blocks_dict(),
                              response_type="in_channel" if in_channel else "ephemeral",
                              replace_original=False)
            except Exception as exc:  # expired response_url, network: try a DM
                log.info("response_url failed (%s): sending a DM", exc)
            else:
                if invite_hint and not origin.direct:  # nobody can invite the bot to a DM
                    with contextlib.suppress(Exception):  # the card itself got through
                        self._respond(origin.response_url, response_type="ephemeral",
                                      replace_original=False,
                                      text=messages.invite_hint(origin.channel_id))
                return {"via": "response_url", "channel": origin.channel_id}
        return self._dm(origin.user_id, card)

    def link(self, sub: Submission) -> str | None:
        """The card's permalink (for the team notice, the DM when resolved, App Home)."""
        card = sub.steps.get("card") or {}
        if sub.card_link or card.get("via") not in ("thread", "channel"):
            return sub.card_link
        return self._permalink(card["channel"], card["ts"])

    def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            return self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except SlackApiError:
            return None

    def team_notice(self, sub: Submission, case: Case, channel: str) -> dict[str, Any]:
        conversation = sub.card_link or sub.origin.permalink
        notice = messages.team_notice(case, sub.draft.title, assignee=self.assignee(case),
                                      requester_id=sub.draft.requester_id,
                                      filed_by=sub.origin.user_id,
                                      template_name=self.settings.template_name(
                                          sub.draft.template_id),
                                      conversation=conversation)
        try:
            response = self.client.chat_postMessage(channel=channel, text=notice.text,
                                                    blocks=notice.blocks_dict(),
                                                    unfurl_links=False)
        except SlackApiError as exc:
            if slack_error(exc) in CANNOT_POST:
                log.error("team channel %s cannot be posted in (%s): invite the bot there",
                          channel, slack_error(exc))
                return {"error": slack_error(exc), "channel": channel}
            raise
        return {"channel": response["channel"], "ts": response["ts"]}

    def failure(self, sub: Submission, message: str, *, fix_input: bool) -> None:
        if sub.origin.view_id:
            try:
                if self._show_form_again(sub, message):
                    return
            except SlackApiError as exc:  # the person must still learn it: say it elsewhere
                log.warning("the form could not be given back (%s): sending a notice",
                            slack_error(exc))
        note = messages.failure(sub.draft.title, message, sub.id, retryable=not fix_input,
                                uncertain=sub.error_kind == UNCONFIRMED)
        if sub.origin.response_url and sub.origin.channel_id:
            try:
                self._respond(sub.origin.response_url, text=note.text, blocks=note.blocks_dict(),
                              response_type="ephemeral", replace_original=False)
                return
            except Exception as exc:
                log.info("response_url failed (%s): sending a DM", exc)
        self._dm(sub.origin.user_id, note)

    def _show_form_again(self, sub: Submission, message: str) -> bool:
        """Put the person's own input back in the open modal, with what went wrong."""
        meta = ModalMetadata.from_origin(sub.origin, sid=sub.id, another=sub.allow_another)
        person = self.directory.cached(sub.draft.requester_id)
        show_contact = bool(sub.draft.contact_email or sub.draft.contact_phone or
                            (person is not None and not person.email) or
                            sub.error_kind == "contact")
        meta.contact = show_contact
        view = views.case_form(
            self.settings, meta, title=sub.draft.title, description=sub.draft.description,
            due=sub.draft.due, requester=sub.draft.requester_id,
            template_id=sub.draft.template_id, show_contact=show_contact,
            contact_name=person.name if person else None,
            banner=views.failure_banner(message, sub.id,
                                        uncertain=sub.error_kind == UNCONFIRMED))
        return self._update_modal(sub, view)
