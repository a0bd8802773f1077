"""The core: draft -> durable record -> Kore.ai -> announcements. Imports nothing from Slack.

A submission moves accepted -> sent -> created -> announced (or failed). The record is
written before Kore.ai is called, `sent` is written before each createCase, and a
createCase whose outcome is unknown is reconciled with getCases before any retry, so a
case is created exactly once whatever fails in between.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from slackcase.config import Settings
from slackcase.core.domain import (
    CaseDraft,
    MissingContact,
    Origin,
    State,
    Submission,
    case_request,
    new_submission_id,
    snapshot_of,
)
from slackcase.core.jobs import Jobs
from slackcase.core.ports import Announcer, Directory, LeaseLost, Store, StoreUnavailable
from slackcase.core.reconcile import (
    DUPLICATES,
    QUIET_TIMEOUTS,
    ROUND,
    UNCONFIRMED,
    Round,
    confirming_note,
    find_cases,
    late_duplicates,
    quiet_until,
    unconfirmed_message,
)
from slackcase.kore import (
    Case,
    CreateCaseRequest,
    KoreClient,
    KoreError,
    KoreRateLimited,
    KoreStopped,
)
from slackcase.logs import correlation

log = logging.getLogger("slackcase.core.cases")

QUEUED_NOTICE_AFTER = 3.0  # seconds of rate-limit wait before the user is told "queued"
STORE_RETRY_SECONDS = 5.0  # a submission stopped by the database is tried again this often
# Renewed every sweep (app.SWEEP_SECONDS, 3 s), so a dead process's submissions are free
# at most 10 s after it died and taken up by the next sweep elsewhere: within 13 s.
LEASE_SECONDS = 10.0
MAX_FAULTS = 8  # attempts ending in errors outside Kore.ai's before a submission fails


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base: float = 1.0
    cap: float = 30.0
    announce_attempts: int = 6

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter (AWS architecture blog's recipe)."""
        return random.uniform(self.base / 2, min(self.cap, self.base * 2 ** (attempt - 1)))


class CaseService:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        kore: KoreClient,
        directory: Directory,
        announcer: Announcer,
        jobs: Jobs,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.kore = kore
        self.directory = directory
        self.announcer = announcer
        self.jobs = jobs
        self.retry_policy = retry or RetryPolicy()
        self.clock = clock
        self._next_attempt: dict[str, float | None] = {}

    # ---- entry points ----------------------------------------------------------------
    def submit(self, draft: CaseDraft, origin: Origin, *, idem_key: str | None = None,
               allow_another: bool = False) -> Submission:
        """Record durably (fast: called before the ack), then work in the background.

        Raises store.ThreadHasCase when the thread already has a live case.
        """
        sub = self.store.accept(new_submission_id(), draft, origin, idem_key=idem_key,
                                allow_another=allow_another)
        with correlation(sub.id):  # one line per submission in the ack path, not two
            log.info("submission %s accepted (%s by %s)", sub.id, origin.source,
                     origin.user_id)
        self.schedule(sub.id)
        return sub

    def retry(self, sub_id: str, draft: CaseDraft | None = None,
              origin: Origin | None = None) -> Submission | None:
        sub = self.store.reopen(sub_id, draft, origin)
        if sub:
            log.info("submission %s reopened for another try", sub_id)
            self.schedule(sub_id)
        return sub

    def sweep(self) -> int:
        """Work every unfinished submission that is due and that no one holds: those a
        stopped or crashed process left, those `slackcase retry` queued, and those whose
        last attempt ended in an error outside Kore.ai's. Returns how many were started."""
        due = self.store.due()
        for sub_id in due:
            self.schedule(sub_id)
        return len(due)

    def schedule(self, sub_id: str, delay: float = 0.0) -> None:
        self.jobs.run(sub_id, lambda: self.process(sub_id), delay=delay)

    def _again(self, sub_id: str, delay: float) -> None:
        """While working `sub_id`: its next attempt is due in `delay` seconds."""
        self._next_attempt[sub_id] = delay

    # ---- the state machine -----------------------------------------------------------------
    def process(self, sub_id: str) -> None:
        """One attempt at a submission, holding its lease; then its lease is given back
        with when it is due again (a retry), or nothing more to do."""
        with correlation(sub_id):
            try:
                sub = self.store.claim(sub_id, LEASE_SECONDS)
            except StoreUnavailable as exc:
                log.warning("submission %s not worked now: %s", sub_id, exc)
                # If its lease is ours, the sweep renews it and never lists it as due.
                self.schedule(sub_id, STORE_RETRY_SECONDS)
                return
            if sub is None:
                return  # done, failed, or another process is working it
            self._next_attempt[sub_id] = None
            fault = False
            try:
                self._work(sub)
            except LeaseLost as exc:  # another process has it now: leave it to that one
                log.warning("submission %s: %s", sub_id, exc)
                self._next_attempt.pop(sub_id, None)
                return
            except Exception as exc:  # a database error, a bug: never drop the submission
                fault = True
                delay = self.retry_policy.delay(sub.faults + 1)
                log.error("submission %s: %s: %s; trying again in %.0fs", sub_id,
                          type(exc).__name__, exc, delay, exc_info=exc)
                self._next_attempt[sub_id] = delay
            delay = self._next_attempt.pop(sub_id, None)
            try:
                self.store.release(sub, retry_in=delay, fault=fault)
            except StoreUnavailable as exc:
                # The lease stays ours, renewed by the sweep, so no one else (and not the
                # sweep) takes it up: this process comes back to it.
                log.warning("submission %s: lease not given back: %s", sub_id, exc)
                self.schedule(sub_id, STORE_RETRY_SECONDS)
                return
            if delay is not None:
                self.schedule(sub_id, delay)

    def _work(self, sub: Submission) -> None:
        if sub.faults >= MAX_FAULTS:
            message = ("slackcase could not finish this case request: its own database kept "
                       "failing. An admin can see the log and retry it.")
            if sub.case:
                message = (f"Case {sub.case.refId} was created, but slackcase could not "
                           "finish telling everyone: its own database kept failing.")
            sub = self.store.mark_failed(sub, error=message, error_kind="internal")
            self._tell_failure(sub, message, fix_input=False)
            return
        # A failed submission that has its case (nobody could be told) only needs telling.
        if sub.state in (State.ACCEPTED, State.SENT) and sub.case is None:
            created = self._create(sub)
            if created is None:
                return
            sub = created
        self._announce(sub)

    def _create(self, sub: Submission) -> Submission | None:
        if sub.state is State.SENT or sub.uncertain:
            # A previous createCase may have reached Kore.ai, or may still: look before
            # sending it again.
            verdict, sub = self._look_for_lost_case(sub)
            if verdict != "send":
                return sub if verdict == "found" else None
        try:
            request = self._request(sub)
        except MissingContact:
            message = ("Kore.ai needs an email address or phone number for the requester, "
                       "and their Slack profile shows neither. Add one in the form.")
            sub = self.store.mark_failed(sub, error=message, error_kind="contact")
            self._tell_failure(sub, message, fix_input=True)
            return None
        except ValidationError as exc:
            message = f"The case could not be built: {exc.errors()[0]['msg']}"
            sub = self.store.mark_failed(sub, error=message, error_kind="invalid")
            self._tell_failure(sub, message, fix_input=True)
            return None
        body = request.to_body()
        if self.kore.limiter.estimated_wait() > QUEUED_NOTICE_AFTER:
            self._progress(sub, "Queued: Kore.ai's request budget is busy. The case will be "
                                "created and posted here shortly.")
        sub = self.store.mark_sent(sub, body)
        language = self._language(sub)
        try:
            case = self.kore.create_case(request, language=language)
        except KoreError as exc:
            return self._after_error(sub, exc)
        log.info("submission %s: created %s", sub.id, case.refId)
        if sub.uncertain:  # an earlier createCase may have been committed after all
            others = late_duplicates(self.kore, self.store, self.settings, sub, case,
                                     self.clock())
            sub = self._record_duplicates(sub, case, others) if others else sub
        return self.store.mark_created(sub, case)

    def _after_error(self, sub: Submission, exc: KoreError) -> None:
        if isinstance(exc, KoreStopped):  # not an attempt: the next start makes the call
            self.store.mark_unsent(sub)
            log.info("submission %s: left for the next start (%s)", sub.id, exc)
            return None
        uncertain = sub.uncertain or exc.outcome_unknown
        kind = type(exc).__name__
        sub = self.store.mark_not_created(sub, uncertain=uncertain, error=str(exc),
                                          error_kind=kind)
        attempts = max(sub.attempts, 1)
        if exc.retryable and attempts < self.retry_policy.attempts:
            delay = (exc.retry_after if isinstance(exc, KoreRateLimited)
                     else self.retry_policy.delay(attempts))
            log.warning("submission %s: %s; retry %d in %.1fs", sub.id, exc, attempts + 1, delay)
            if attempts == 1 and not uncertain:  # an uncertain one is told "being confirmed"
                self._progress(sub, f"{exc.user_message} Retrying automatically…")
            self._again(sub.id, delay)
            return None
        log.error("submission %s failed for good: %s", sub.id, exc)
        message = f"{exc.user_message} The case was not created."
        if uncertain:
            message = f"{exc.user_message} slackcase could not confirm the case was created."
        sub = self.store.mark_failed(sub, error=message, error_kind=kind)
        self._tell_failure(sub, message, fix_input=False)
        return None

    def _request(self, sub: Submission) -> CreateCaseRequest:
        person = self.directory.person(sub.draft.requester_id)
        return case_request(sub.draft, person, self.settings.kore_case_source)

    def _language(self, sub: Submission) -> str:
        try:
            return self.directory.person(sub.draft.requester_id).language
        except Exception:
            return "en"

    # ---- a createCase whose answer was lost (reconcile.py) -------------------------------
    def _look_for_lost_case(self, sub: Submission) -> tuple[str, Submission]:
        """One look: "found" (adopted), "wait" (another look is scheduled, or it failed for
        good) or "send" (no case, and none can still be committed late: send again)."""
        round_ = Round.of(sub)
        round_.looks += 1
        timeout = self.settings.kore_timeout_seconds
        try:
            cases = find_cases(self.kore, self.store, self.settings, sub, self.clock())
        except KoreStopped:
            log.info("submission %s: left for the next start to look for its case", sub.id)
            return "wait", sub
        except KoreError as exc:
            round_.failures += 1
            if round_.failures >= self.retry_policy.attempts:
                self._unconfirmed(sub, exc)
                return "wait", sub
            delay = (exc.retry_after if isinstance(exc, KoreRateLimited)
                     else self.retry_policy.delay(round_.failures))
            log.warning("submission %s: could not look for its case (%s); look %d in %.1fs",
                        sub.id, exc, round_.looks + 1, delay)
            return "wait", self._look_again(sub, round_, delay)
        if cases:
            return "found", self._adopt(sub, cases)
        remaining = quiet_until(sub, timeout) - self.clock()
        if remaining > 0:
            return "wait", self._look_again(sub, round_, min(round_.gap(timeout), remaining))
        log.info("submission %s: no case in Kore.ai %.0fs after it was sent: sending it again",
                 sub.id, QUIET_TIMEOUTS * timeout)
        return "send", self.store.mark_step(sub, ROUND, None)

    def _look_again(self, sub: Submission, round_: Round, delay: float) -> Submission:
        if not round_.told:  # once per round, not at every look
            self._progress(sub, confirming_note(self.settings.kore_timeout_seconds))
            round_.told = True
        sub = self.store.mark_step(sub, ROUND, round_.dump())
        self._again(sub.id, delay)
        return sub

    def _adopt(self, sub: Submission, cases: list[Case]) -> Submission:
        case, *others = cases  # the oldest is the one the first createCase made
        log.info("submission %s: adopted %s found by reconciliation", sub.id, case.refId)
        if others:
            sub = self._record_duplicates(sub, case, others)
        return self.store.mark_created(sub, case)

    def _record_duplicates(self, sub: Submission, case: Case, others: list[Case]) -> Submission:
        """A late commit made a second case after all: say so, never hide it."""
        refs = [c.refId for c in others]
        log.warning("submission %s: Kore.ai has %s for it besides %s (a createCase committed "
                    "late)", sub.id, ", ".join(refs), case.refId)
        return self.store.mark_step(sub, DUPLICATES, refs)

    def _unconfirmed(self, sub: Submission, exc: KoreError) -> None:
        log.error("submission %s: gave up looking for its case: %s", sub.id, exc)
        message = unconfirmed_message(exc.user_message, sub.id)
        sub = self.store.mark_step(sub, ROUND, None)  # a retry starts a new round
        sub = self.store.mark_failed(sub, error=message, error_kind=UNCONFIRMED)
        self._tell_failure(sub, message, fix_input=False)

    # ---- telling people ---------------------------------------------------------------------
    def _announce(self, sub: Submission) -> None:
        case = sub.case
        assert case is not None
        pending_errors: list[str] = []
        tries = sub.steps.get("_tries", 0)
        if "card" not in sub.steps:
            sub = self._step(sub, "card", lambda: self.announcer.confirmation(sub, case),
                             pending_errors)
            if "card" not in sub.steps and tries + 1 >= self.retry_policy.announce_attempts:
                # The conversation refused it every time: the person gets it, at least.
                sub = self._step(sub, "card", lambda: self.announcer.personal_card(sub, case),
                                 pending_errors)
        # `sub` is rebound after each step, so the modal sees where the card went.
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("modal", lambda: bool(self.announcer.modal_result(sub, case))),  # False: closed
        ]
        if "card" in sub.steps:  # a card still to be posted gets its link on the retry
            steps.append(("link", lambda: self.announcer.link(sub)))
        team = self.settings.notify_channel_for(sub.draft.template_id)
        if team:
            steps.append(("team", lambda: self.announcer.team_notice(sub, case, team)))
        for name, step in steps:
            if name not in sub.steps:
                sub = self._step(sub, name, step, pending_errors)
        if pending_errors:
            tries += 1
            sub = self.store.mark_step(sub, "_tries", tries)
            if tries < self.retry_policy.announce_attempts:
                self._again(sub.id, self.retry_policy.delay(tries))
                return
            log.error("submission %s: gave up announcing %s", sub.id, ", ".join(pending_errors))
        if "card" not in sub.steps and sub.steps.get("modal") is not True:
            self._untold(sub, case)
            return
        self.store.mark_announced(sub, snapshot_of(case), tracking=not case.status.is_closed)

    def _untold(self, sub: Submission, case: Case) -> None:
        """Nobody learnt of the case, so it is not "announced": it fails with its case kept,
        `slackcase submissions` lists it with the refId, and a retry tries telling again."""
        message = (f"Case {case.refId} was created in Kore.ai, but Slack refused its card "
                   "in the conversation, through the response_url and as a direct message, "
                   "so nobody has been told.")
        log.error("submission %s: %s", sub.id, message)
        sub = self.store.mark_step(sub, "_tries", 0)  # a retry gets tries of its own
        self.store.mark_failed(sub, error=message, error_kind="untold")

    def _step(self, sub: Submission, name: str, step: Callable[[], Any],
              pending_errors: list[str]) -> Submission:
        try:
            return self.store.mark_step(sub, name, step())
        except Exception as exc:
            log.warning("submission %s: %s announcement failed: %s", sub.id, name, exc)
            pending_errors.append(name)
            return sub

    def _progress(self, sub: Submission, note: str) -> None:
        try:
            self.announcer.progress(sub, note)
        except Exception as exc:
            log.info("submission %s: progress note not shown: %s", sub.id, exc)

    def _tell_failure(self, sub: Submission, message: str, *, fix_input: bool) -> None:
        try:
            self.announcer.failure(sub, message, fix_input=fix_input)
        except Exception:
            log.exception("submission %s: could not tell the user about the failure", sub.id)
