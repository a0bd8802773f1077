"""Changes to filed cases (Edit, Add to CS…): recorded -> updateCase -> told. No Slack.

An edit keeps the promises of a submission: it is recorded before updateCase is sent
(store.record_edit, a unique key per view submission or per case and message), sent
exactly once, and the person is told the outcome. An updateCase whose answer was lost
is looked for in getCases (the case's name and description compared) before it is sent
again; since updateCase sets values, a resend can at most set them again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slackcase.core.cases import LEASE_SECONDS, RetryPolicy
from slackcase.core.domain import CaseEdit, EditState, Submission
from slackcase.core.jobs import Jobs
from slackcase.core.ports import EditAnnouncer, Store, StoreUnavailable
from slackcase.kore import Case, CaseQuery, KoreClient, KoreError, KoreRateLimited, KoreStopped

log = logging.getLogger("slackcase.core.edits")

DESC_MAX = 10000  # the longest description Kore.ai takes (as createCase's)

def appended(description: str, addition: str) -> str:
    """The description with a message added at its end; what does not fit is cut from the
    older text in the middle, so the start (the original report) and the message stay."""
    joined = f"{description.rstrip()}\n\n{addition}" if description.strip() else addition
    if len(joined) <= DESC_MAX:
        return joined
    marker = "\n[…]\n"
    keep = DESC_MAX - len(addition) - len(marker) - 2
    return f"{description[:max(keep, 0)].rstrip()}{marker}\n{addition}"[:DESC_MAX]

class EditService:
    def __init__(self, *, store: Store, kore: KoreClient, announcer: EditAnnouncer, jobs: Jobs,
                 retry: RetryPolicy | None = None, quiet_seconds: float = 50.0,
                 clock: Callable[[], float] = time.time) -> None:
        """`quiet_seconds`: how long after an unanswered updateCase was sent Kore.ai may
        still apply it (reconcile.QUIET_TIMEOUTS x KORE_TIMEOUT_SECONDS); it is looked for
        until then, and sent again only after."""
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.store = store
        self.kore = kore
        self.announcer = announcer
        self.jobs = jobs
        self.retry_policy = retry or RetryPolicy()

    def request(self, edit: CaseEdit) -> tuple[CaseEdit, bool]:
        """Record (fast: before the ack), then work in the background. Returns the edit as
        stored and whether this call recorded it (False: the same key was recorded before)."""
        stored, added = self.store.record_edit(edit)
        if added:
            log.info("edit %s of %s recorded (%s by %s)", stored.id, stored.ref_id,
                     stored.kind, stored.user_id)
            self.schedule(stored.id)
        return stored, added

    def sweep(self) -> int:
        due = self.store.edits_due()
        for edit_id in due:
            self.schedule(edit_id)
        return len(due)

    def schedule(self, edit_id: str, delay: float = 0.0) -> None:
        self.jobs.run(f"edit:{edit_id}", lambda: self.process(edit_id), delay=delay)

    def process(self, edit_id: str) -> None:
        try:
            edit = self.store.claim_edit(edit_id, LEASE_SECONDS)
        except StoreUnavailable as exc:
            log.warning("edit %s not worked now: %s", edit_id, exc)
            return
        if edit is None:
            return  # finished, or another process is working it
        try:
            again = self._work(edit)
        except Exception as exc:  # a database error, a bug: the sweep takes it up again
            again = self.retry_policy.delay(edit.attempts + 1)
            log.error("edit %s: %s: %s", edit_id, type(exc).__name__, exc, exc_info=exc)
        try:
            self.store.release_edit(edit, retry_in=again)
        except StoreUnavailable as exc:
            log.warning("edit %s: lease not given back: %s", edit_id, exc)
            return
        if again is not None:
            self.schedule(edit_id, again)

    # ---- one attempt ------------------------------------------------------------------
    def _work(self, edit: CaseEdit) -> float | None:
        """Returns when to try again, or None when there is nothing more to do."""
        sub = self.store.get(edit.submission_id)
        if sub is None or sub.case is None:
            self._fail(edit, sub, "slackcase no longer knows this case.")
            return None
        if edit.state is EditState.APPLIED:
            return self._tell(edit, sub, self._as_changed(sub.case, edit, sub.case.desc))
        current: Case | None = None
        if edit.uncertain or edit.state is EditState.SENT or edit.kind == "add":
            try:  # where it stands now: an add builds on it, a lost answer is looked for
                current = self._current(edit)
            except KoreError as exc:
                return self._after_error(edit, sub, exc, sent=False)
            if current and self._is_applied(edit, current):
                log.info("edit %s: %s already has it", edit.id, edit.ref_id)
                return self._applied(edit, sub, current)
            quiet = (edit.sent_at or 0.0) + self.quiet_seconds - self.clock()
            if (edit.uncertain or edit.state is EditState.SENT) and quiet > 0:
                return min(quiet, max(self.quiet_seconds / 8, 0.5))  # look again, send nothing
        body = self._body(edit, sub, current)
        edit = self.store.mark_edit(edit, EditState.SENT, attempts=edit.attempts + 1)
        try:
            self.kore.update_case(edit.case_id, body)
        except KoreError as exc:
            return self._after_error(edit, sub, exc, sent=True)
        return self._applied(edit, sub, current or sub.case, body.get("desc"))

    def _body(self, edit: CaseEdit, sub: Submission, current: Case | None) -> dict[str, Any]:
        if edit.kind == "add":
            base = (current.desc if current and current.desc is not None else
                    sub.case.desc if sub.case and sub.case.desc is not None else
                    sub.draft.description)
            return {"desc": appended(base, edit.changes["append"])}
        return {key: edit.changes[key] for key in ("name", "desc") if key in edit.changes}

    def _current(self, edit: CaseEdit) -> Case | None:
        page = self.kore.get_cases(CaseQuery(searchText=edit.ref_id, limit=50))
        return next((case for case in page.results if case.id == edit.case_id), None)

    def _is_applied(self, edit: CaseEdit, case: Case) -> bool:
        if edit.kind == "add":
            return edit.changes["append"] in (case.desc or "")
        return all(getattr(case, key) == value for key, value in edit.changes.items()
                   if key in ("name", "desc"))

    def _as_changed(self, case: Case, edit: CaseEdit, desc: str | None) -> Case:
        update: dict[str, Any] = {}
        if "name" in edit.changes:
            update["name"] = edit.changes["name"]
        if edit.kind == "edit" and "desc" in edit.changes:
            update["desc"] = edit.changes["desc"]
        elif desc is not None:
            update["desc"] = desc
        return case.model_copy(update=update)

    def _applied(self, edit: CaseEdit, sub: Submission, case: Case,
                 desc: str | None = None) -> float | None:
        """Kore.ai has the change: keep it (the card shows the new title), then tell."""
        changed = self._as_changed(case, edit, desc if desc is not None else case.desc)
        sub = self.store.set_case_text(sub.id, changed, edit.changes.get("name"))
        edit = self.store.mark_edit(edit, EditState.APPLIED, attempts=0, uncertain=False,
                                    error=None)
        return self._tell(edit, sub, changed)

    def _tell(self, edit: CaseEdit, sub: Submission, case: Case) -> float | None:
        try:
            self.announcer.edit_done(edit, sub, case)
        except Exception as exc:
            tries = edit.attempts + 1
            if tries < self.retry_policy.announce_attempts:
                log.warning("edit %s: telling failed (%s); trying again", edit.id, exc)
                self.store.mark_edit(edit, EditState.APPLIED, attempts=tries)
                return self.retry_policy.delay(tries)
            log.error("edit %s: gave up telling: %s", edit.id, exc)
        self.store.mark_edit(edit, EditState.DONE)
        return None

    def _after_error(self, edit: CaseEdit, sub: Submission, exc: KoreError, *,
                     sent: bool) -> float | None:
        if isinstance(exc, KoreStopped):  # not an attempt: the next start makes the call
            state = EditState.SENT if edit.uncertain else EditState.ACCEPTED
            self.store.mark_edit(edit, state, attempts=max(edit.attempts - int(sent), 0))
            return None
        uncertain = edit.uncertain or (sent and exc.outcome_unknown)
        attempts = max(edit.attempts, 1)
        if (exc.retryable or exc.outcome_unknown) and attempts < self.retry_policy.attempts:
            state = EditState.SENT if uncertain else EditState.ACCEPTED
            self.store.mark_edit(edit, state, uncertain=uncertain, error=str(exc),
                                 attempts=attempts if sent else edit.attempts + 1)
            log.warning("edit %s: %s; trying again", edit.id, exc)
            return (exc.retry_after if isinstance(exc, KoreRateLimited)
                    else self.retry_policy.delay(attempts))
        message = (f"{exc.user_message} slackcase could not confirm that {edit.ref_id} was "
                   "changed." if uncertain else
                   f"{exc.user_message} {edit.ref_id} was not changed.")
        self._fail(edit, sub, message)
        return None

    def _fail(self, edit: CaseEdit, sub: Submission | None, message: str) -> None:
        log.error("edit %s failed: %s", edit.id, message)
        self.store.mark_edit(edit, EditState.FAILED, error=message)
        try:
            self.announcer.edit_failed(edit, sub, message)
        except Exception:
            log.exception("edit %s: could not tell the person it failed", edit.id)
