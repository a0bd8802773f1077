"""Follow-through: watch open cases in Kore.ai (which has no webhooks) and tell Slack.

Each round spends at most MAX_CALLS_PER_ROUND getCases calls (each retried at most
SAFE_READ_ATTEMPTS times on 429/5xx) of the shared Kore.ai budget, whatever the volume
of the account: at most MAX_CALLS_PER_ROUND - MAX_SEARCHES_PER_ROUND walk pages of the
sweep (sweep.py: unresolved cases in a short window around each tracked case), and the
rest look up, by refId, tracked cases that left the unresolved list (resolved or
closed), those last seen open first. A sweep costs one call per slice plus one per
further PAGE_SIZE unresolved cases created inside the slices, so every tracked case is
looked at again within ceil(cost / (MAX_CALLS_PER_ROUND - MAX_SEARCHES_PER_ROUND)) + 1
rounds. Cases are retired (no longer tracked) once closed or
RETENTION after their creation.

One replica polls at a time: the leader, whose lease (LEAD_FOR poll intervals) is renewed
every round and before each change is recorded or told. A follower asks every half
interval, so a leader that dies is replaced at most one interval after its round was due;
one that stops cleanly hands over at once.

A change updates the confirmation card in place; assignment, resolution and closing get
one short reply per case per round; resolution DMs the requester. The new snapshot and
the notices it owes are saved together (an outbox) before anything is posted, and each
notice leaves the outbox once Slack has it: a restart repeats nothing, a Slack failure
is retried next round, and at most MAX_NOTICES_PER_ROUND cases are told per round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from slackcase.core.domain import Submission, snapshot_of
from slackcase.core.ports import StoreUnavailable
from slackcase.kore import Case, CasePage, CaseQuery, KoreError
from slackcase.logs import correlation
from slackcase.slack import messages
from slackcase.slack.poll_sweep import Sweep, search_for, slices_for

if TYPE_CHECKING:
    from slackcase.slack.services import Services

log = logging.getLogger("slackcase.slack.poller")

MAX_CALLS_PER_ROUND = 10
MAX_SEARCHES_PER_ROUND = 3
MAX_NOTICES_PER_ROUND = 20
LEADER = "poller"
LEAD_FOR = 1.5  # poll intervals a leader stays one without renewing
RETENTION = timedelta(days=90)  # a case open longer than this is no longer followed
# Slack errors that will not change by retrying: the notice is dropped, with an error log.
GIVE_UP = {"not_in_channel", "channel_not_found", "is_archived", "message_not_found",
           "cant_update_message", "thread_not_found", "user_not_found", "account_inactive",
           "missing_scope", "restricted_action", "invalid_blocks", "invalid_arguments"}


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
    def __init__(self, services: Services, *, interval: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.services = services
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._clock = clock
        self._sweep: Sweep | None = None
        # Tracked cases a finished slice did not list, with the round that noticed it.
        self._missing: dict[str, int] = {}
        self.rounds = 0  # rounds run as the leader
        self.leading = False

    def start(self) -> None:
        if self._thread:
            return
        self._thread = threading.Thread(target=self._loop, name="slackcase-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.leading:
            self.leading = False
            try:
                self.services.store.resign(LEADER)
            except StoreUnavailable as exc:  # the lease lapses instead
                log.warning("poller: could not hand over: %s", exc)

    def _loop(self) -> None:
        wait = self.interval
        while not self._stop.wait(wait):
            try:
                self.poll_once()
            except Exception:
                log.exception("poll round failed")
            wait = self.interval if self.leading else self.interval / 2

    def lead(self) -> bool:
        """Be the one replica polling, for LEAD_FOR intervals more; False if another is."""
        leading = not self._stop.is_set() and self.services.store.lead(
            LEADER, self.interval * LEAD_FOR)
        if leading != self.leading:
            log.info("poller: %s", "this process polls now" if leading
                     else "another process polls")
            self._sweep, self._missing = None, {}  # what a leader learnt may be stale now
        self.leading = leading
        return leading

    def poll_once(self) -> int:
        """One round, if this process leads; returns how many cases were found changed."""
        if not self.lead():
            return 0
        tracked = {s.case.id: s for s in self.services.store.tracked() if s.case}
        self.rounds += 1
        for sub in tracked.values():
            if sub.outbox and self.lead():
                self._deliver(sub)  # notices a failure or a restart left behind
        tracked = self._retire_old({s.case.id: s for s in self.services.store.tracked()
                                    if s.case})
        if not tracked:
            self._sweep, self._missing = None, {}
            return 0
        told = 0
        for case_id, case in self._fetch(tracked).items():
            sub = tracked.get(case_id)
            if sub is None:
                continue  # retired while a sweep planned before it was still under way
            new = snapshot_of(case)
            old = sub.snapshot or {}
            if {k: old.get(k) for k in new} == new:
                continue
            if told >= MAX_NOTICES_PER_ROUND:
                break  # the rest are seen again by a later sweep: no notice storm
            if not self.lead():
                break  # another replica polls now (this round outlasted the lease): it tells
            with correlation(sub.id):
                self._deliver(self._record(sub, case, old, new))
            told += 1
        return told

    def _retire_old(self, tracked: dict[str, Submission]) -> dict[str, Submission]:
        oldest = datetime.fromtimestamp(self._clock(), UTC) - RETENTION
        for case_id, sub in list(tracked.items()):
            if _created(sub) < oldest:
                log.info("case %s is older than %d days: no longer followed",
                         sub.case.refId if sub.case else case_id, RETENTION.days)
                self.services.store.stop_tracking(sub)
                del tracked[case_id]
        return tracked

    def _fetch(self, tracked: dict[str, Submission]) -> dict[str, Case]:
        """The tracked cases this round's calls found: the sweep, then the searches."""
        found: dict[str, Case] = {}
        calls, started = 0, False
        while calls < MAX_CALLS_PER_ROUND - MAX_SEARCHES_PER_ROUND:
            if self._sweep is None or self._sweep.done:
                if started:
                    break  # one new sweep a round: a small account costs one call
                self._sweep = Sweep(slices_for((k, _created(s)) for k, s in tracked.items()))
                started = True
            calls += 1
            page = self._get(self._sweep.next_query())
            if page is None:
                return found  # Kore.ai is unwell: the sweep resumes here next round
            mine, unlisted = self._sweep.take(page.results, page.hasMore)
            for case in mine:
                found[case.id] = case
                self._missing.pop(case.id, None)
            for case_id in unlisted:
                self._missing.setdefault(case_id, self.rounds)
        self._missing = {k: v for k, v in self._missing.items() if k in tracked}
        # Cases last seen open first: their resolution is what people wait for.
        queue = sorted(self._missing, key=lambda k: (
            bool((tracked[k].snapshot or {}).get("closed")), self._missing[k]))
        for case_id in queue[:MAX_CALLS_PER_ROUND - calls]:
            sub = tracked[case_id]
            assert sub.case is not None
            page = self._get(search_for(sub.case, _created(sub)))
            if page is None:
                break
            del self._missing[case_id]
            hit = next((c for c in page.results if c.id == case_id), None)
            if hit is None:
                log.warning("poll: case %s is in neither the unresolved list nor a search "
                            "by its refId", sub.case.refId)
                continue
            found[case_id] = hit
        return found

    def _get(self, query: CaseQuery) -> CasePage | None:
        try:
            return self.services.cases.kore.get_cases(query)
        except KoreError as exc:
            log.warning("poll: getCases failed: %s", exc)
            return None

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


def _created(sub: Submission) -> datetime:
    """When Kore.ai created the case (its clock: the one getCases filters by)."""
    if sub.case and sub.case.createdAt:
        at = sub.case.createdAt
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return datetime.fromtimestamp(sub.created_at, UTC)


def _card(sub: Submission) -> dict[str, Any]:
    card = sub.steps.get("card")
    return card if isinstance(card, dict) else {}
