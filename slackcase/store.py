"""Durable state: submissions and their progress, thread links, caches, seen events.

SQLite in WAL mode by default. The interface speaks in operations of the domain
(accept, claim, mark_sent...), not SQL, so a PostgreSQL backend can implement it later.
Every state change is durable (committed, synchronous=FULL) before the call returns: a
process killed at any point loses nothing.

Writes go through one writer thread that commits whatever is queued as one transaction
(group commit), each operation inside its own savepoint. Under a burst this replaces fifty
threads taking turns at a lock, each losing the GIL at every statement, with one thread
and one fsync per group. Reads run beside it, one connection per thread (WAL).
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from slackcase.domain import UNFINISHED, CaseDraft, Origin, State, Submission
from slackcase.kore.models import Case
from slackcase.logs import mask

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    idem_key TEXT UNIQUE,
    state TEXT NOT NULL,
    draft TEXT NOT NULL,
    origin TEXT NOT NULL,
    request TEXT,
    case_json TEXT,
    case_id TEXT UNIQUE,
    ref_id TEXT,
    uncertain INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    error_kind TEXT,
    steps TEXT NOT NULL DEFAULT '{}',
    allow_another INTEGER NOT NULL DEFAULT 0,
    snapshot TEXT,
    tracking INTEGER NOT NULL DEFAULT 0,
    requester_id TEXT,
    filed_by TEXT,
    sent_at REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_state ON submissions(state);
CREATE INDEX IF NOT EXISTS submissions_people ON submissions(requester_id, filed_by);
CREATE TABLE IF NOT EXISTS thread_links (
    thread_key TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    user_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
    key TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
"""


_LINKED = ("SELECT s.* FROM thread_links t JOIN submissions s ON s.id = t.submission_id"
           " WHERE t.thread_key=?")


T = TypeVar("T")
Operation = Callable[[sqlite3.Connection], Any]

MAX_GROUP = 256  # operations committed together at most


class StoreClosed(RuntimeError):
    pass


class _Writer:
    """The one thread that writes: queued operations are committed in groups."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock
        self._queue: queue.SimpleQueue[tuple[Operation, Future[Any]] | None] = \
            queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="slackcase-store-writer",
                                        daemon=True)
        self._thread.start()

    def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run operation(db) in a transaction; return once it is committed (or raise)."""
        if threading.current_thread() is self._thread:
            return operation(self._db)  # already inside the writer's transaction
        if self._closed:
            raise StoreClosed("the store is closed")
        future: Future[T] = Future()
        self._queue.put((operation, future))
        return future.result()

    def close(self) -> None:
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop once this group is committed
                    break
                group.append(item)
            self._commit(group)

    def _commit(self, group: list[tuple[Operation, Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        db = self._db
        with self._lock:
            try:
                db.execute("BEGIN IMMEDIATE")
                for operation, future in group:
                    outcomes.append((future, *self._apply(operation)))
                db.execute("COMMIT")
            except Exception as exc:  # BEGIN or COMMIT failed: nothing of the group stands
                if db.in_transaction:
                    db.execute("ROLLBACK")
                for _, future in group:
                    future.set_exception(exc)
                return
        for future, result, error in outcomes:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _apply(self, operation: Operation) -> tuple[Any, BaseException | None]:
        """One operation; if it raises, its own writes are undone and the others' kept."""
        db = self._db
        db.execute("SAVEPOINT operation")
        try:
            result = operation(db)
        except Exception as exc:
            db.execute("ROLLBACK TO operation")
            db.execute("RELEASE operation")
            return None, exc
        db.execute("RELEASE operation")
        return result, None


class ThreadHasCase(Exception):
    def __init__(self, existing: Submission) -> None:
        super().__init__(f"thread already linked to {existing.id}")
        self.existing = existing


class Store:
    def __init__(self, path: str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        # One connection writes, on the writer thread; each thread reads through its own
        # connection, which WAL lets run beside the writer. The lock guards the connection
        # list, and the write connection where reads must share it (:memory:).
        self._lock = threading.RLock()
        self._db = self._connect()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._writer = _Writer(self._db, self._lock)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                             timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous=FULL")
        return db

    def close(self) -> None:
        self._writer.close()
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._db.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        if self.path == ":memory:":  # one database per connection: share the writer's
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        reader = getattr(self._local, "db", None)
        if reader is None:
            reader = self._local.db = self._connect()
            with self._lock:
                self._readers.append(reader)
        return reader.execute(sql, params).fetchall()

    def _row(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """operation(db) in a transaction, committed before this returns."""
        return self._writer.run(operation)

    # ---- submissions -------------------------------------------------------------
    def accept(self, sub_id: str, draft: CaseDraft, origin: Origin, *, idem_key: str | None,
               allow_another: bool = False) -> Submission:
        """Record a submission before anything else happens.

        Returns the existing submission for a repeated idem_key (a double submit).
        Raises ThreadHasCase when the thread already has a live case, unless
        allow_another is set.
        """
        now = self._clock()
        draft_json, origin_json = draft.model_dump_json(), origin.model_dump_json()

        def operation(db: sqlite3.Connection) -> Submission | None:
            if idem_key:
                row = db.execute("SELECT * FROM submissions WHERE idem_key=?",
                                 (idem_key,)).fetchone()
                if row:
                    return _submission(row)
            key = origin.thread_key
            if key and not allow_another:
                existing = self._live_link(db, key)
                if existing:
                    raise ThreadHasCase(existing)
            db.execute(
                "INSERT INTO submissions (id, idem_key, state, draft, origin, allow_another,"
                " requester_id, filed_by, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (sub_id, idem_key, State.ACCEPTED, draft_json, origin_json,
                 int(allow_another), draft.requester_id, origin.user_id, now, now),
            )
            if key and not allow_another:
                db.execute("INSERT OR REPLACE INTO thread_links VALUES (?,?,?)",
                           (key, sub_id, now))
            return None

        existing = self._write(operation)
        if existing is not None:
            return existing
        return Submission(id=sub_id, state=State.ACCEPTED, draft=draft, origin=origin,
                          created_at=now, updated_at=now, allow_another=allow_another)

    def _live_link(self, db: sqlite3.Connection, key: str) -> Submission | None:
        return _live(db.execute(_LINKED, (key,)).fetchone())

    def thread_case(self, key: str) -> Submission | None:
        return _live(self._row(_LINKED, (key,)))

    def get(self, sub_id: str) -> Submission | None:
        row = self._row("SELECT * FROM submissions WHERE id=?", (sub_id,))
        return _submission(row) if row else None

    def by_case_id(self, case_id: str) -> Submission | None:
        row = self._row("SELECT * FROM submissions WHERE case_id=?", (case_id,))
        return _submission(row) if row else None

    def unfinished(self) -> list[Submission]:
        marks = ",".join("?" * len(UNFINISHED))
        rows = self._rows(
            f"SELECT * FROM submissions WHERE state IN ({marks}) ORDER BY created_at",
            tuple(UNFINISHED))
        return [_submission(r) for r in rows]

    def in_state(self, state: State, limit: int = 100) -> list[Submission]:
        rows = self._rows(
            "SELECT * FROM submissions WHERE state=? ORDER BY created_at DESC LIMIT ?",
            (state, limit))
        return [_submission(r) for r in rows]

    def for_person(self, user_id: str, limit: int = 20) -> list[Submission]:
        rows = self._rows(
            "SELECT * FROM submissions WHERE (requester_id=? OR filed_by=?)"
            " AND case_id IS NOT NULL ORDER BY created_at DESC LIMIT ?",
            (user_id, user_id, limit))
        return [_submission(r) for r in rows]

    def tracked(self) -> list[Submission]:
        rows = self._rows("SELECT * FROM submissions WHERE tracking=1 ORDER BY created_at")
        return [_submission(r) for r in rows]

    # Each write below takes the submission as its caller has it and returns it as written,
    # so the job that owns a submission does not read back what it has just written.
    def _update(self, sub: Submission, changes: dict[str, Any], **columns: Any) -> Submission:
        """Write `changes` (Submission fields) and any other `columns`; return `sub` as written."""
        now = self._clock()
        row = {_COLUMN_OF.get(name, name): _stored(value) for name, value in changes.items()}
        row.update(columns, updated_at=now)
        assignments = ", ".join(f"{name}=?" for name in row)
        self._write(lambda db: db.execute(f"UPDATE submissions SET {assignments} WHERE id=?",
                                          (*row.values(), sub.id)))
        return sub.model_copy(update={**changes, "updated_at": now})

    def mark_sent(self, sub: Submission, request: dict[str, Any]) -> Submission:
        """Written *before* the createCase call: after a crash we know to reconcile."""
        now = self._clock()
        self._write(lambda db: db.execute(
            "UPDATE submissions SET state=?, request=?, attempts=attempts+1, sent_at=?,"
            " updated_at=? WHERE id=?", (State.SENT, json.dumps(request), now, now, sub.id)))
        return sub.model_copy(update={"state": State.SENT, "request": request,
                                      "attempts": sub.attempts + 1, "sent_at": now,
                                      "updated_at": now})

    def mark_unsent(self, sub: Submission) -> Submission:
        """The call after mark_sent was not made (the process is stopping): back to
        accepted, and it was no attempt. `sub` is as mark_sent returned it."""
        return self._update(sub, {"state": State.ACCEPTED, "attempts": sub.attempts - 1})

    def mark_not_created(self, sub: Submission, *, uncertain: bool, error: str,
                         error_kind: str) -> Submission:
        return self._update(sub, {"state": State.ACCEPTED, "uncertain": uncertain,
                                  "error": mask(error), "error_kind": error_kind})

    def mark_created(self, sub: Submission, case: Case) -> Submission:
        return self._update(sub, {"state": State.CREATED, "case": case, "uncertain": False,
                                  "error": None, "error_kind": None},
                            case_id=case.id, ref_id=case.refId)

    def mark_step(self, sub: Submission, step: str, value: Any) -> Submission:
        """One announcement step done (read-modify-write, so other steps are kept)."""
        now = self._clock()

        def operation(db: sqlite3.Connection) -> dict[str, Any]:
            row = db.execute("SELECT steps FROM submissions WHERE id=?", (sub.id,)).fetchone()
            steps = json.loads(row["steps"])
            steps[step] = value
            db.execute("UPDATE submissions SET steps=?, updated_at=? WHERE id=?",
                       (json.dumps(steps), now, sub.id))
            return steps

        return sub.model_copy(update={"steps": self._write(operation), "updated_at": now})

    def mark_announced(self, sub: Submission, snapshot: dict[str, Any],
                       tracking: bool) -> Submission:
        return self._update(sub, {"state": State.ANNOUNCED, "snapshot": snapshot},
                            tracking=int(tracking))

    def mark_failed(self, sub: Submission, *, error: str, error_kind: str) -> Submission:
        return self._update(sub, {"state": State.FAILED, "error": mask(error),
                                  "error_kind": error_kind})

    def reopen(self, sub_id: str, draft: CaseDraft | None = None,
               origin: Origin | None = None) -> Submission | None:
        """A failed submission gets another go (Retry button, operator, corrected modal).

        The thread link is taken back unless another live case claimed the thread meanwhile.
        """
        def operation(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT * FROM submissions WHERE id=?", (sub_id,)).fetchone()
            if row is None or row["state"] != State.FAILED:
                return False
            sub = _submission(row)
            if draft is not None:
                db.execute("UPDATE submissions SET draft=?, requester_id=?, request=NULL"
                           " WHERE id=?", (draft.model_dump_json(), draft.requester_id, sub_id))
            if origin is not None:
                db.execute("UPDATE submissions SET origin=? WHERE id=?",
                           (origin.model_dump_json(), sub_id))
            key = sub.origin.thread_key
            if key and not sub.allow_another:
                existing = self._live_link(db, key)
                if existing and existing.id != sub_id:
                    raise ThreadHasCase(existing)
                db.execute("INSERT OR REPLACE INTO thread_links VALUES (?,?,?)",
                           (key, sub_id, self._clock()))
            db.execute("UPDATE submissions SET state=?, error=NULL, error_kind=NULL,"
                       " attempts=0, updated_at=? WHERE id=?",
                       (State.ACCEPTED, self._clock(), sub_id))
            return True

        return self.get(sub_id) if self._write(operation) else None

    def save_change(self, sub_id: str, case: Case, snapshot: dict[str, Any],
                    notices: list[dict[str, Any]]) -> Submission:
        """The new state of a case and the notices it owes, in one transaction (an outbox)."""
        case_json = case.model_dump_json(by_alias=True)

        def operation(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT steps FROM submissions WHERE id=?", (sub_id,)).fetchone()
            steps = json.loads(row["steps"])
            outbox = [n for n in steps.get("outbox", []) if n not in notices] + notices
            steps["outbox"] = outbox
            db.execute("UPDATE submissions SET case_json=?, snapshot=?, steps=?, tracking=1,"
                       " updated_at=? WHERE id=?",
                       (case_json, json.dumps(snapshot), json.dumps(steps), self._clock(),
                        sub_id))

        self._write(operation)
        return self.get(sub_id)  # type: ignore[return-value]

    def stop_tracking(self, sub: Submission) -> None:
        self._update(sub, {}, tracking=0)

    # ---- caches and dedupe -------------------------------------------------------------
    def cached_person(self, user_id: str, max_age: float) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM people WHERE user_id=?", (user_id,))
        if row and self._clock() - row["fetched_at"] <= max_age:
            return json.loads(row["data"])
        return None

    def cache_person(self, user_id: str, data: dict[str, Any]) -> None:
        row = (user_id, json.dumps(data), self._clock())
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO people VALUES (?,?,?)", row))

    def first_time(self, key: str, ttl: float = 3600.0) -> bool:
        """True the first time `key` is seen within ttl (Slack's retried deliveries)."""
        now = self._clock()

        def operation(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM seen WHERE seen_at < ?", (now - ttl,))
            return db.execute("INSERT OR IGNORE INTO seen VALUES (?,?)", (key, now)).rowcount == 1

        return self._write(operation)


_COLUMN_OF = {"case": "case_json"}  # Submission fields stored under another name


def _stored(value: Any) -> Any:
    """A Submission field's value as its column holds it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Case):
        return value.model_dump_json(by_alias=True)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _live(link: sqlite3.Row | None) -> Submission | None:
    """The submission a thread link points to, unless it failed (then the thread is free)."""
    return _submission(link) if link and link["state"] != State.FAILED else None


def _submission(row: sqlite3.Row) -> Submission:
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
        steps=json.loads(row["steps"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
        allow_another=bool(row["allow_another"]),
        snapshot=json.loads(row["snapshot"]) if row["snapshot"] else None,
    )
