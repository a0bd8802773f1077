"""The store's part for changes to filed cases (core/edits.py), in SQL both engines accept.

An edit is unique by its key (a view submission, or a case and the message added to it): a
constraint, so a repeated click or a retried delivery finds the first. It is worked by one
owner at a time under a lease, like a submission.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slackcase.core.domain import EDIT_UNFINISHED, CaseDraft, CaseEdit, EditState, Submission
from slackcase.kore.models import Case
from slackcase.logs import mask
from slackcase.store.engine import Engine, take_lease

_OPEN = ",".join(f"'{s.value}'" for s in EDIT_UNFINISHED)
_COLUMNS = ("id, idem_key, kind, submission_id, case_id, ref_id, user_id, changes, tell,"
            " state, attempts, uncertain, error, sent_at, created_at, updated_at")


class EditsSql:
    """Mixed into SqlStore, whose engine, clock and owner it uses."""

    _engine: Engine
    _clock: Callable[[], float]
    owner: str

    def _edit_rows(self, cur: Any, where: str, params: tuple[Any, ...]) -> list[CaseEdit]:
        rows = cur.execute(f"SELECT {_COLUMNS} FROM case_edits WHERE {where}", params).fetchall()
        return [_edit(row) for row in rows]

    def record_edit(self, edit: CaseEdit) -> tuple[CaseEdit, bool]:
        """(the edit as stored, whether this call recorded it): a repeated key finds the
        first, whatever process recorded it."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            added = cur.execute(
                f"INSERT INTO case_edits ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (idem_key) DO NOTHING",
                (edit.id, edit.idem_key, edit.kind, edit.submission_id, edit.case_id,
                 edit.ref_id, edit.user_id, json.dumps(edit.changes), json.dumps(edit.tell),
                 EditState.ACCEPTED.value, 0, 0, None, None, now, now)).rowcount == 1
            return self._edit_rows(cur, "idem_key=?", (edit.idem_key,))[0], added

    def get_edit(self, edit_id: str) -> CaseEdit | None:
        with self._engine.transaction(write=False) as cur:
            found = self._edit_rows(cur, "id=?", (edit_id,))
        return found[0] if found else None

    def claim_edit(self, edit_id: str, seconds: float) -> CaseEdit | None:
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            if not take_lease(cur, "case_edits", edit_id, _OPEN, self.owner, now, seconds):
                return None
            return self._edit_rows(cur, "id=?", (edit_id,))[0]

    def mark_edit(self, edit: CaseEdit, state: EditState, *, attempts: int | None = None,
                  uncertain: bool | None = None, error: str | None = None) -> CaseEdit:
        now = self._clock()
        attempts = edit.attempts if attempts is None else attempts
        uncertain = edit.uncertain if uncertain is None else uncertain
        error = mask(error) if error else None
        # Entering SENT with one more attempt is the moment an updateCase goes out.
        sent_at = now if state is EditState.SENT and attempts > edit.attempts else edit.sent_at
        with self._engine.transaction(write=True) as cur:
            cur.execute("UPDATE case_edits SET state=?, attempts=?, uncertain=?, error=?,"
                        " sent_at=?, updated_at=? WHERE id=?",
                        (state.value, attempts, int(uncertain), error, sent_at, now, edit.id))
        return edit.model_copy(update={"state": state, "attempts": attempts,
                                       "uncertain": uncertain, "error": error,
                                       "sent_at": sent_at, "updated_at": now})

    def release_edit(self, edit: CaseEdit, *, retry_in: float | None = None) -> None:
        due = self._clock() + retry_in if retry_in is not None else None
        with self._engine.transaction(write=True) as cur:
            cur.execute("UPDATE case_edits SET lease_owner=NULL, lease_until=NULL, due_at=?"
                        " WHERE id=? AND lease_owner=?", (due, edit.id, self.owner))

    def renew_edit_leases(self, seconds: float) -> int:
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            return int(cur.execute(f"UPDATE case_edits SET lease_until=? WHERE lease_owner=?"
                                   f" AND state IN ({_OPEN})",
                                   (now + seconds, self.owner)).rowcount)

    def edits_due(self, limit: int = 100) -> list[str]:
        now = self._clock()
        with self._engine.transaction(write=False) as cur:
            rows = cur.execute(f"SELECT id FROM case_edits WHERE state IN ({_OPEN})"
                               " AND (lease_owner IS NULL OR lease_until < ?)"
                               " AND (due_at IS NULL OR due_at <= ?) ORDER BY created_at"
                               " LIMIT ?", (now, now, limit)).fetchall()
        return [row[0] for row in rows]

    def set_case_text(self, sub_id: str, case: Case, title: str | None) -> Submission:
        """The case as Kore.ai answered an update, and the title its card shows."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            if title is not None:
                raw = cur.execute("SELECT draft FROM submissions WHERE id=?",
                                  (sub_id,)).fetchone()[0]
                draft = CaseDraft.model_validate_json(raw).model_copy(update={"title": title})
                cur.execute("UPDATE submissions SET draft=? WHERE id=?",
                            (draft.model_dump_json(), sub_id))
            cur.execute("UPDATE submissions SET case_json=?, updated_at=? WHERE id=?",
                        (case.model_dump_json(by_alias=True), now, sub_id))
        sub = self.get(sub_id)  # type: ignore[attr-defined]
        assert sub is not None
        return sub


def _edit(row: Any) -> CaseEdit:
    (edit_id, idem_key, kind, sub_id, case_id, ref_id, user_id, changes, tell, state,
     attempts, uncertain, error, sent_at, created_at, updated_at) = row
    return CaseEdit(id=edit_id, idem_key=idem_key, kind=kind, submission_id=sub_id,
                    case_id=case_id, ref_id=ref_id, user_id=user_id,
                    changes=json.loads(changes), tell=json.loads(tell), state=EditState(state),
                    attempts=attempts, uncertain=bool(uncertain), error=error,
                    sent_at=sent_at, created_at=created_at, updated_at=updated_at)
