"""Follow-through: watch open cases in Kore.ai (which has no webhooks) and tell Slack.

One batched, paged getCases per round covers every tracked case. A change updates the
confirmation card in place; assignment, resolution and closing get one short reply per
case per round; resolution DMs the requester. The new snapshot and the notices it owes
are saved together (an outbox) before anything is posted, and each notice leaves the
outbox once Slack has it: a restart repeats nothing, a Slack failure is retried next
round, and at most MAX_NOTICES_PER_ROUND cases are told per round.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from slackcase.core.cases import snapshot_of
from slackcase.core.domain import Submission
from slackcase.kore import Case, CaseQuery, KoreError
from slackcase.logs import correlation
from slackcase.slack import messages

if TYPE_CHECKING:
    from slackcase.slack.services import Services

log = logging.getLogger("slackcase.slack.poller")

MAX_PAGES_PER_ROUND = 10
MAX_NOTICES_PER_ROUND = 20
# Slack errors that will not change by retrying: the notice is dropped, with an error log.
GIVE_UP = {"not_in_channel", "channel_not_found", "is_archived", "message_not_found",
           "cant_update_message", "thread_not_found", "user_not_found", "account_inactive",
           "missing_scope", "restricted_action", "invalid_blocks", "invalid_arguments"}
PAGE_SIZE = 50


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], bool]:
    """Human lines for what changed, and whether it is worth a reply in the conversation."""
    changes: list[str] = []
    meaningful = False
    if old.get("assignee") != new.get("assignee"):
        changes.append(f"assigned to {new['assignee']}" if new.get("assignee") else "unassigned")
        meaningful = True
    if old.get("status") != new.get("status"):
        changes.append(f"status {old.get('status')} → {new['status']}")
        meaningful = meaningful or (new.get("closed") and not old.get("closed")) or False
    if old.get("priority") != new.get("priority"):
        changes.append(f"priority {old.get('priority')} → {new['priority']}")
    return changes, bool(meaningful)


class Poller:
    def __init__(self, services: Services, *, interval: float) -> None:
        self.services = services
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0

    def start(self) -> None:
        if self._thread:
            return
        self._thread = threading.Thread(target=self._loop, name="slackcase-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll_once()
            except Exception:
                log.exception("poll round failed")

    def poll_once(self) -> int:
        """One round; returns how many cases were found changed."""
        tracked = {s.case.id: s for s in self.services.store.tracked() if s.case}
        self.rounds += 1
        for sub in tracked.values():
            if sub.outbox:
                self._deliver(sub)  # notices a failure or a restart left behind
        tracked = {s.case.id: s for s in self.services.store.tracked() if s.case}
        if not tracked:
            return 0
        found = self._fetch(tracked, min(s.created_at for s in tracked.values()))
        told = 0
        for case_id, case in found.items():
            sub = tracked[case_id]
            new = snapshot_of(case)
            old = sub.snapshot or {}
            if {k: old.get(k) for k in new} == new:
                continue
            if told >= MAX_NOTICES_PER_ROUND:
                break  # the rest are seen again next round: no notice storm
            with correlation(sub.id):
                self._deliver(self._record(sub, case, old, new))
            told += 1
        return told

    def _fetch(self, tracked: dict[str, Submission], oldest: float) -> dict[str, Case]:
        query = CaseQuery(
            startDate=datetime.fromtimestamp(oldest, UTC) - timedelta(minutes=10),
            endDate=datetime.now(UTC) + timedelta(minutes=10),
            limit=PAGE_SIZE,
        )
        found: dict[str, Case] = {}
        for page in range(MAX_PAGES_PER_ROUND):
            try:
                result = self.services.cases.kore.get_cases(
                    query.model_copy(update={"skip": page * PAGE_SIZE}))
            except KoreError as exc:
                log.warning("poll: getCases failed: %s", exc)
                break
            for case in result.results:
                if case.id in tracked:
                    found[case.id] = case
            if len(found) == len(tracked) or not result.hasMore:
                break
        return found

    def _record(self, sub: Submission, case: Case, old: dict[str, Any],
                new: dict[str, Any]) -> Submission:
        """Save the new state and the notices it owes, before telling anyone."""
        card = _card(sub)
        changes, meaningful = describe_changes(old, new)
        notices: list[dict[str, Any]] = []
        if card.get("channel") and card.get("ts"):
            notices.append({"kind": "card"})
            if meaningful:
                notices.append({"kind": "reply", "changes": changes})
        if new.get("closed") and not old.get("closed") and not sub.steps.get("resolved_dm"):
            notices.append({"kind": "dm"})
        log.info("case %s changed: %s", case.refId, "; ".join(changes))
        return self.services.store.save_change(sub.id, case, new, notices)

    def _deliver(self, sub: Submission) -> None:
        """Send what the outbox holds; each notice leaves it once Slack has it."""
        store, case = self.services.store, sub.case
        assert case is not None
        for notice in list(sub.outbox):
            try:
                self._send(sub, case, notice)
            except SlackApiError as exc:
                error = str(exc.response.get("error"))
                if error not in GIVE_UP:
                    log.warning("poll: %s notice for %s failed (%s); retry next round",
                                notice["kind"], case.refId, error)
                    return
                log.error("poll: %s notice for %s cannot be sent: %s", notice["kind"],
                          case.refId, error)
            sub = store.notice_sent(sub, notice["id"])
            if notice["kind"] == "dm":
                sub = store.mark_step(sub, "resolved_dm", True)
        if case.status.name.lower() == "closed":
            store.stop_tracking(sub)

    def _send(self, sub: Submission, case: Case, notice: dict[str, Any]) -> None:
        client, card = self.services.client, _card(sub)
        if notice["kind"] == "card":
            body = self.services.announcer.card(sub, case)
            client.chat_update(channel=card["channel"], ts=card["ts"], text=body.text,
                               blocks=body.blocks_dict())
        elif notice["kind"] == "reply":
            reply = messages.change_reply(case, notice["changes"])
            client.chat_postMessage(channel=card["channel"],
                                    thread_ts=sub.origin.thread_ts or card["ts"],
                                    text=reply.text, blocks=reply.blocks_dict())
        elif notice["kind"] == "dm":
            dm = messages.resolved_dm(case, sub.draft.title, sub.card_link)
            client.chat_postMessage(channel=sub.draft.requester_id, text=dm.text,
                                    blocks=dm.blocks_dict())


def _card(sub: Submission) -> dict[str, Any]:
    card = sub.steps.get("card")
    return card if isinstance(card, dict) else {}
