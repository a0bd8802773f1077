"""The store: the core's `Store` in SQL both engines accept (sqlite.py, postgres.py).

Every operation is one transaction, committed before it returns. Uniqueness is a
constraint (an idempotency key, one live case per thread, an event seen once), and a
submission is worked by one owner at a time: a lease with an expiry, renewed while the
owner lives, taken over once it has lapsed.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable
from typing import Any

from slackcase.core.domain import UNFINISHED, CaseDraft, Origin, State, Submission
from slackcase.core.ports import (
    LeaseLost,
    NoStoreEvents,
    StoreEvents,
    ThreadHasCase,
)
from slackcase.kore.models import Case
from slackcase.logs import mask
from slackcase.store.edits_sql import EditsSql
from slackcase.store.engine import Engine, take_lease
from slackcase.store.shared import SharedState

_LINKED = ("SELECT s.* FROM thread_links t JOIN submissions s ON s.id = t.submission_id"
           " WHERE t.thread_key=?")
_UNFINISHED = ",".join(f"'{s.value}'" for s in UNFINISHED)
_COLUMN_OF = {"case": "case_json"}  # Submission fields stored under another name


class SqlStore(EditsSql, SharedState):
    def __init__(self, engine: Engine, *, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.events: StoreEvents = NoStoreEvents()

    def close(self) -> None:
        self._engine.close()

    def problem(self) -> str | None:
        return self._engine.problem()

    def describe(self) -> str:
        return self._engine.describe()

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._engine.transaction(write=False) as cur:
            return _dicts(cur, cur.execute(sql, params).fetchall())

    def _subs(self, sql: str, params: tuple[Any, ...] = ()) -> list[Submission]:
        with self._engine.transaction(write=False) as cur:
            return _load(cur, _dicts(cur, cur.execute(sql, params).fetchall()))

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Submission | None:
        subs = self._subs(sql, params)
        return subs[0] if subs else None

    # ---- submissions ---------------------------------------------------------------------
    def accept(self, sub_id: str, draft: CaseDraft, origin: Origin, *, idem_key: str | None,
               allow_another: bool = False) -> Submission:
        """Record a submission before anything else happens. A repeated idem_key (a double
        submit) returns the first; a thread with a live case raises ThreadHasCase."""
        now = self._clock()
        key = origin.thread_key if not allow_another else None
        with self._engine.transaction(write=True) as cur:
            if idem_key:
                rows = _dicts(cur, cur.execute("SELECT * FROM submissions WHERE idem_key=?",
                                               (idem_key,)).fetchall())
                if rows:
                    return _load(cur, rows)[0]
            if key:
                existing = _live(cur, key)
                if existing:
                    raise ThreadHasCase(existing)
            cur.execute(
                "INSERT INTO submissions (id, idem_key, state, draft, origin, allow_another,"
                " requester_id, filed_by, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (sub_id, idem_key, State.ACCEPTED.value, draft.model_dump_json(),
                 origin.model_dump_json(), int(allow_another), draft.requester_id,
                 origin.user_id, now, now))
            if key:
                _link(cur, key, sub_id, now)
        return Submission(id=sub_id, state=State.ACCEPTED, draft=draft, origin=origin,
                          created_at=now, updated_at=now, allow_another=allow_another)

    def get(self, sub_id: str) -> Submission | None:
        return self._one("SELECT * FROM submissions WHERE id=?", (sub_id,))

    def thread_case(self, key: str) -> Submission | None:
        with self._engine.transaction(write=False) as cur:
            return _live(cur, key)

    def by_case_id(self, case_id: str) -> Submission | None:
        return self._one("SELECT * FROM submissions WHERE case_id=?", (case_id,))

    def by_ref_id(self, ref_id: str) -> Submission | None:
        return self._one("SELECT * FROM submissions WHERE ref_id=? ORDER BY created_at DESC"
                         " LIMIT 1", (ref_id,))

    def in_state(self, state: State, limit: int = 100) -> list[Submission]:
        return self._subs("SELECT * FROM submissions WHERE state=? ORDER BY created_at DESC"
                          " LIMIT ?", (state.value, limit))

    def unfinished(self) -> list[Submission]:
        return self._subs(f"SELECT * FROM submissions WHERE state IN ({_UNFINISHED})"
                          " ORDER BY created_at")

    def for_person(self, user_id: str, limit: int = 20) -> list[Submission]:
        return self._subs("SELECT * FROM submissions WHERE (requester_id=? OR filed_by=?)"
                          " AND case_id IS NOT NULL ORDER BY created_at DESC LIMIT ?",
                          (user_id, user_id, limit))

    def tracked(self) -> list[Submission]:
        return self._subs("SELECT * FROM submissions WHERE tracking=1 ORDER BY created_at")

    # ---- one owner at a time ---------------------------------------------------------------
    def claim(self, sub_id: str, seconds: float) -> Submission | None:
        """Take the submission's lease if it is unfinished and free (or lapsed, or ours)."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            held = cur.execute("SELECT lease_owner FROM submissions WHERE id=?",
                               (sub_id,)).fetchall()
            if not take_lease(cur, "submissions", sub_id, _UNFINISHED, self.owner, now,
                              seconds):
                return None
            if held and held[0][0] not in (None, self.owner):
                self.events.lease_taken_over()  # its owner stopped renewing it: died
            return _load(cur, _dicts(cur, cur.execute(
                "SELECT * FROM submissions WHERE id=?", (sub_id,)).fetchall()))[0]

    def release(self, sub: Submission, *, retry_in: float | None = None,
                fault: bool = False) -> None:
        """Give the lease back; `retry_in` seconds from now the submission is due again."""
        due = self._clock() + retry_in if retry_in is not None else None
        faults = "faults+1" if fault else "0" if retry_in is None else "faults"
        with self._engine.transaction(write=True) as cur:
            cur.execute(f"UPDATE submissions SET lease_owner=NULL, lease_until=NULL, due_at=?,"
                        f" faults={faults} WHERE id=? AND lease_owner=?",
                        (due, sub.id, self.owner))

    def renew_leases(self, seconds: float) -> int:
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            return int(cur.execute("UPDATE submissions SET lease_until=? WHERE lease_owner=?"
                                   f" AND state IN ({_UNFINISHED})",
                                   (now + seconds, self.owner)).rowcount)

    def due(self, limit: int = 100) -> list[str]:
        """Unfinished submissions nobody holds whose next attempt is due."""
        now = self._clock()
        rows = self._read(f"SELECT id FROM submissions WHERE state IN ({_UNFINISHED})"
                          " AND (lease_owner IS NULL OR lease_until < ?)"
                          " AND (due_at IS NULL OR due_at <= ?) ORDER BY created_at LIMIT ?",
                          (now, now, limit))
        return [r["id"] for r in rows]

    # ---- the state machine's writes -----------------------------------------------------------
    def _update(self, sub: Submission, changes: dict[str, Any], *, owned: bool = False,
                **columns: Any) -> Submission:
        """`owned`: only while this process holds the submission's lease (LeaseLost if it
        lapsed and another took it), for the writes another owner must never race."""
        now = self._clock()
        row = {_COLUMN_OF.get(name, name): _stored(value) for name, value in changes.items()}
        row.update(columns, updated_at=now)
        assignments = ", ".join(f"{name}=?" for name in row)
        owner = " AND lease_owner=?" if owned else ""
        with self._engine.transaction(write=True) as cur:
            done = cur.execute(f"UPDATE submissions SET {assignments} WHERE id=?{owner}",
                               (*row.values(), sub.id, *([self.owner] if owned else [])))
            if owned and done.rowcount != 1:
                raise LeaseLost(f"{sub.id} is being worked by another process now")
        return sub.model_copy(update={**changes, "updated_at": now})

    def forget_leases(self) -> None:
        """The database is locked to this process (SQLite): a dead one's leases are void."""
        with self._engine.transaction(write=True) as cur:
            for table in ("submissions", "case_edits"):
                cur.execute(f"UPDATE {table} SET lease_owner=NULL, lease_until=NULL"
                            " WHERE lease_owner IS NOT NULL")

    def mark_sent(self, sub: Submission, request: dict[str, Any]) -> Submission:
        """Written *before* the createCase call: after a crash we know to reconcile."""
        return self._update(sub, {"state": State.SENT, "request": request,
                                  "attempts": sub.attempts + 1, "sent_at": self._clock()},
                            owned=True)

    def mark_unsent(self, sub: Submission) -> Submission:
        """The call after mark_sent was not made (the process is stopping)."""
        return self._update(sub, {"state": State.ACCEPTED, "attempts": sub.attempts - 1})

    def mark_not_created(self, sub: Submission, *, uncertain: bool, error: str,
                         error_kind: str) -> Submission:
        return self._update(sub, {"state": State.ACCEPTED, "uncertain": uncertain,
                                  "error": mask(error), "error_kind": error_kind})

    def mark_created(self, sub: Submission, case: Case) -> Submission:
        return self._update(sub, {"state": State.CREATED, "case": case, "uncertain": False,
                                  "error": None, "error_kind": None},
                            owned=True, case_id=case.id, ref_id=case.refId)

    def mark_step(self, sub: Submission, step: str, value: Any) -> Submission:
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            _put_step(cur, sub.id, step, value)
            cur.execute("UPDATE submissions SET updated_at=? WHERE id=?", (now, sub.id))
        return sub.model_copy(update={"steps": {**sub.steps, step: value}, "updated_at": now})

    def mark_announced(self, sub: Submission, snapshot: dict[str, Any],
                       tracking: bool) -> Submission:
        done = self._update(sub, {"state": State.ANNOUNCED, "snapshot": snapshot},
                            tracking=int(tracking), lease_owner=None, lease_until=None)
        self.events.submission_ended(State.ANNOUNCED)
        return done

    def mark_failed(self, sub: Submission, *, error: str, error_kind: str) -> Submission:
        done = self._update(sub, {"state": State.FAILED, "error": mask(error),
                                  "error_kind": error_kind},
                            lease_owner=None, lease_until=None)
        self.events.submission_ended(State.FAILED)
        return done

    def reopen(self, sub_id: str, draft: CaseDraft | None = None,
               origin: Origin | None = None) -> Submission | None:
        """A failed submission gets another go (Retry, an operator, a corrected modal). The
        thread link is taken back unless another live case claimed the thread meanwhile."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            rows = _dicts(cur, cur.execute("SELECT * FROM submissions WHERE id=?",
                                           (sub_id,)).fetchall())
            if not rows or rows[0]["state"] != State.FAILED.value:
                return None
            sub = _load(cur, rows)[0]
            if draft is not None:
                cur.execute("UPDATE submissions SET draft=?, requester_id=?, request=NULL"
                            " WHERE id=?", (draft.model_dump_json(), draft.requester_id,
                                            sub_id))
            if origin is not None:
                cur.execute("UPDATE submissions SET origin=? WHERE id=?",
                            (origin.model_dump_json(), sub_id))
            key = sub.origin.thread_key
            if key and not sub.allow_another:
                existing = _live(cur, key)
                if existing and existing.id != sub_id:
                    raise ThreadHasCase(existing)
                _link(cur, key, sub_id, now)
            cur.execute("UPDATE submissions SET state=?, error=NULL, error_kind=NULL,"
                        " attempts=0, faults=0, due_at=NULL, updated_at=? WHERE id=?",
                        (State.ACCEPTED.value, now, sub_id))
            return _load(cur, _dicts(cur, cur.execute("SELECT * FROM submissions WHERE id=?",
                                                      (sub_id,)).fetchall()))[0]

    # ---- follow-through -----------------------------------------------------------------------
    def save_change(self, sub_id: str, case: Case, snapshot: dict[str, Any],
                    notices: list[dict[str, Any]]) -> Submission:
        """A case's new state and the notices it owes, in one transaction (an outbox)."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            cur.execute("UPDATE submissions SET case_json=?, snapshot=?, tracking=1,"
                        " updated_at=? WHERE id=?",
                        (case.model_dump_json(by_alias=True), json.dumps(snapshot), now,
                         sub_id))
            for notice in notices:
                payload = {k: v for k, v in notice.items() if k != "kind"}
                # A card update still owed already shows the newest state: one is enough.
                cur.execute("INSERT INTO notices (id, submission_id, kind, payload,"
                            " created_at) SELECT ?,?,?,?,? WHERE NOT EXISTS (SELECT 1 FROM"
                            " notices WHERE submission_id=? AND kind='card' AND ?='card')",
                            ("n-" + uuid.uuid4().hex, sub_id, notice["kind"],
                             json.dumps(payload), now, sub_id, notice["kind"]))
                now += 1e-6  # keeps the notices in the order given
            return _load(cur, _dicts(cur, cur.execute("SELECT * FROM submissions WHERE id=?",
                                                      (sub_id,)).fetchall()))[0]

    def notice_sent(self, sub: Submission, notice_id: str) -> Submission:
        with self._engine.transaction(write=True) as cur:
            cur.execute("DELETE FROM notices WHERE id=?", (notice_id,))
        return sub.model_copy(update={"outbox": [n for n in sub.outbox
                                                 if n["id"] != notice_id]})

    def stop_tracking(self, sub: Submission) -> None:
        self._update(sub, {}, tracking=0)

    # ---- caches and dedupe --------------------------------------------------------------------
    def cached_person(self, user_id: str, max_age: float) -> dict[str, Any] | None:
        rows = self._read("SELECT data, fetched_at FROM people WHERE user_id=?", (user_id,))
        if rows and self._clock() - rows[0]["fetched_at"] <= max_age:
            return json.loads(rows[0]["data"])
        return None

    def cache_person(self, user_id: str, data: dict[str, Any]) -> None:
        with self._engine.transaction(write=True) as cur:
            cur.execute("INSERT INTO people (user_id, data, fetched_at) VALUES (?,?,?)"
                        " ON CONFLICT (user_id) DO UPDATE SET data=excluded.data,"
                        " fetched_at=excluded.fetched_at",
                        (user_id, json.dumps(data), self._clock()))

    def first_time(self, key: str, ttl: float = 3600.0) -> bool:
        """True the first time `key` is seen within ttl (Slack's retried deliveries)."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            cur.execute("DELETE FROM seen WHERE seen_at < ?", (now - ttl,))
            return cur.execute("INSERT INTO seen (key, seen_at) VALUES (?,?)"
                               " ON CONFLICT (key) DO NOTHING", (key, now)).rowcount == 1


def _dicts(cur: Any, rows: list[Any]) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description] if rows else []
    return [dict(zip(names, row, strict=True)) for row in rows]


def _link(cur: Any, key: str, sub_id: str, now: float) -> None:
    cur.execute("INSERT INTO thread_links (thread_key, submission_id, created_at)"
                " VALUES (?,?,?) ON CONFLICT (thread_key) DO UPDATE SET"
                " submission_id=excluded.submission_id, created_at=excluded.created_at",
                (key, sub_id, now))


def _live(cur: Any, key: str) -> Submission | None:
    """The submission a thread link points to, unless it failed (then the thread is free)."""
    rows = _dicts(cur, cur.execute(_LINKED, (key,)).fetchall())
    if not rows or rows[0]["state"] == State.FAILED.value:
        return None
    return _load(cur, rows)[0]


def _put_step(cur: Any, sub_id: str, step: str, value: Any) -> None:
    cur.execute("INSERT INTO steps (submission_id, name, value) VALUES (?,?,?)"
                " ON CONFLICT (submission_id, name) DO UPDATE SET value=excluded.value",
                (sub_id, step, json.dumps(value)))


def _stored(value: Any) -> Any:
    """A Submission field's value as its column holds it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, State):
        return value.value
    if isinstance(value, Case):
        return value.model_dump_json(by_alias=True)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _load(cur: Any, rows: list[dict[str, Any]]) -> list[Submission]:
    """Rows of submissions, with their steps and outbox, as the domain sees them."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    steps: dict[str, dict[str, Any]] = {i: {} for i in ids}
    for sub_id, name, value in cur.execute(
            f"SELECT submission_id, name, value FROM steps WHERE submission_id IN ({marks})",
            tuple(ids)).fetchall():
        steps[sub_id][name] = json.loads(value)
    outbox: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for nid, sub_id, kind, payload in cur.execute(
            "SELECT id, submission_id, kind, payload FROM notices"
            f" WHERE submission_id IN ({marks}) ORDER BY created_at, id", tuple(ids)).fetchall():
        outbox[sub_id].append({"id": nid, "kind": kind, **json.loads(payload)})
    return [_submission(r, steps[r["id"]], outbox[r["id"]]) for r in rows]


def _submission(row: dict[str, Any], steps: dict[str, Any],
                outbox: list[dict[str, Any]]) -> Submission:
    return Submission(
        id=row["id"],
        state=State(row["state"]),
        draft=CaseDraft.model_validate_json(row["draft"]),
        origin=Origin.model_validate_json(row["origin"]),
        request=json.loads(row["request"]) if row["request"] else None,
        case=Case.model_validate_json(row["case_json"]) if row["case_json"] else None,
        uncertain=bool(row["uncertain"]),
        attempts=row["attempts"],
        error=row["error"],
        error_kind=row["error_kind"],
        steps=steps,
        outbox=outbox,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
        allow_another=bool(row["allow_another"]),
        snapshot=json.loads(row["snapshot"]) if row["snapshot"] else None,
        due_at=row["due_at"],
        faults=row["faults"] or 0,
    )

