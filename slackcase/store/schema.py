"""The schema, as ordered migrations applied on start (SQLite and PostgreSQL alike).

Version 1 is the schema of the first release (which had no version table: a database
with a `submissions` table and no `schema_version` is at version 1). Each later version
is a step from the one before; a database is brought up to date, in order, inside one
transaction, before anything else uses it. SQL here is the subset both engines accept.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, Protocol


class Cursor(Protocol):
    def execute(self, sql: str, params: tuple[Any, ...] = ...) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


V1 = [
    """CREATE TABLE IF NOT EXISTS submissions (
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
        sent_at DOUBLE PRECISION,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS submissions_state ON submissions(state)",
    "CREATE INDEX IF NOT EXISTS submissions_people ON submissions(requester_id, filed_by)",
    """CREATE TABLE IF NOT EXISTS thread_links (
        thread_key TEXT PRIMARY KEY,
        submission_id TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS people (
        user_id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        fetched_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS seen (
        key TEXT PRIMARY KEY,
        seen_at DOUBLE PRECISION NOT NULL)""",
]

V2 = [
    # Announcement steps and the follow-through outbox get tables of their own instead of
    # a JSON bag in submissions.steps; a submission is worked by one owner at a time
    # (a lease), and when its next attempt is due is a column the sweep can query.
    """CREATE TABLE steps (
        submission_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (submission_id, name))""",
    """CREATE TABLE notices (
        id TEXT PRIMARY KEY,
        submission_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX notices_submission ON notices(submission_id)",
    "ALTER TABLE submissions ADD COLUMN lease_owner TEXT",
    "ALTER TABLE submissions ADD COLUMN lease_until DOUBLE PRECISION",
    "ALTER TABLE submissions ADD COLUMN due_at DOUBLE PRECISION",
    "ALTER TABLE submissions ADD COLUMN faults INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX submissions_due ON submissions(state, due_at)",
    "CREATE INDEX submissions_ref ON submissions(ref_id)",
    # Written (and emptied) to tell whether writing works again after a write failed.
    "CREATE TABLE health_probe (id TEXT PRIMARY KEY, data TEXT NOT NULL)",
]

V3 = [
    # What replicas share besides submissions: the Kore.ai budget every call draws from
    # (a token bucket's state), and who leads a task only one replica runs (the poller).
    """CREATE TABLE budgets (
        name TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        paused_until DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE leaders (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        lease_until DOUBLE PRECISION NOT NULL)""",
]


V4 = [
    # Changes to filed cases asked for in Slack (Edit, Add to CS…), recorded before
    # updateCase is sent. The key is unique: one row per view submission, and per case
    # and message added, whichever replica records it first.
    """CREATE TABLE case_edits (
        id TEXT PRIMARY KEY,
        idem_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        submission_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        ref_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        changes TEXT NOT NULL,
        tell TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        uncertain INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        sent_at DOUBLE PRECISION,
        lease_owner TEXT,
        lease_until DOUBLE PRECISION,
        due_at DOUBLE PRECISION,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX case_edits_due ON case_edits(state, due_at)",
]


def _move_steps(cur: Cursor) -> None:
    """Version 1 kept announcement steps, and the outbox among them, as one JSON object."""
    rows = cur.execute("SELECT id, steps, updated_at FROM submissions "
                       "WHERE steps <> '{}'").fetchall()
    for sub_id, raw, updated_at in rows:
        steps = json.loads(raw or "{}")
        for order, notice in enumerate(steps.pop("outbox", None) or []):
            kind = notice.get("kind", "card")
            payload = {k: v for k, v in notice.items() if k != "kind"}
            cur.execute("INSERT INTO notices (id, submission_id, kind, payload, created_at)"
                        " VALUES (?,?,?,?,?)",
                        ("n-" + uuid.uuid4().hex, sub_id, kind, json.dumps(payload),
                         updated_at + order * 1e-6))
        for name, value in steps.items():
            cur.execute("INSERT INTO steps (submission_id, name, value) VALUES (?,?,?)",
                        (sub_id, name, json.dumps(value)))
    cur.execute("ALTER TABLE submissions DROP COLUMN steps")


Step = list[str] | Callable[[Cursor], None]
MIGRATIONS: list[list[Step]] = [
    [V1],
    [V2, _move_steps],
    [V3],
    [V4],  # issue 22's edits
]
LATEST = len(MIGRATIONS)


def current_version(cur: Cursor, tables: set[str]) -> int:
    if "schema_version" in tables:
        row = cur.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0
    return 1 if "submissions" in tables else 0


def migrate(cur: Cursor, tables: set[str]) -> int:
    """Bring the database to LATEST; return the version it was at."""
    start = current_version(cur, tables)
    if start > LATEST:
        raise RuntimeError(f"the database is at schema version {start}, newer than this "
                           f"slackcase knows ({LATEST}): upgrade slackcase")
    for version in range(start + 1, LATEST + 1):
        for step in MIGRATIONS[version - 1]:
            if callable(step):
                step(cur)
            else:
                for sql in step:
                    cur.execute(sql)
    if "schema_version" not in tables:
        cur.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        cur.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST,))
    elif start != LATEST:
        cur.execute("UPDATE schema_version SET version=?", (LATEST,))
    return start


def describe_version(migrated_from: int) -> str:
    """The schema version after opening, and the step just taken if there was one."""
    if migrated_from == LATEST:
        return f"schema version {LATEST}"
    if migrated_from == 0:
        return f"schema version {LATEST} (created now)"
    return f"schema version {LATEST} (migrated from {migrated_from} now)"
