"""A database written by the first release opens in this one, without loss."""

from __future__ import annotations

import json
import sqlite3
import time

from slackcase.core.domain import State
from slackcase.store import open_store
from slackcase.store.schema import LATEST

# The first release's schema, verbatim (it had no schema_version table).
RELEASE_1 = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, idem_key TEXT UNIQUE, state TEXT NOT NULL, draft TEXT NOT NULL,
    origin TEXT NOT NULL, request TEXT, case_json TEXT, case_id TEXT UNIQUE, ref_id TEXT,
    uncertain INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
    error_kind TEXT, steps TEXT NOT NULL DEFAULT '{}',
    allow_another INTEGER NOT NULL DEFAULT 0, snapshot TEXT,
    tracking INTEGER NOT NULL DEFAULT 0, requester_id TEXT, filed_by TEXT, sent_at REAL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_state ON submissions(state);
CREATE INDEX IF NOT EXISTS submissions_people ON submissions(requester_id, filed_by);
CREATE TABLE IF NOT EXISTS thread_links (thread_key TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS people (user_id TEXT PRIMARY KEY, data TEXT NOT NULL,
    fetched_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, seen_at REAL NOT NULL);
"""

DRAFT = {"template_id": "ctm-general", "title": "Printer on fire", "description": "Smoke.",
         "due": "2030-01-01T09:00:00Z", "requester_id": "UALICE"}
ORIGIN = {"source": "shortcut", "user_id": "UALICE", "channel_id": "CGENERAL",
          "thread_ts": "1700000000.000100"}
CASE = {"_id": "ci-1", "refId": "CS000101", "name": "Printer on fire",
        "status": {"name": "Open"}, "priority": {"name": "Medium"},
        "currAssignee": {"aId": "a-1001", "name": "John Carter"}}


def write_release_1_database(path: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(RELEASE_1)
    now = time.time()
    steps = {"card": {"via": "thread", "channel": "CGENERAL", "ts": "1700000001.000200"},
             "link": "https://fake.slack.test/archives/CGENERAL/p1", "modal": True,
             "outbox": [{"kind": "card"}, {"kind": "reply", "changes": ["assigned to John"]}]}
    db.execute("INSERT INTO submissions (id, idem_key, state, draft, origin, request,"
               " case_json, case_id, ref_id, attempts, steps, snapshot, tracking,"
               " requester_id, filed_by, sent_at, created_at, updated_at)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               ("sc-old1", "V1:h1", "announced", json.dumps(DRAFT), json.dumps(ORIGIN),
                json.dumps({"name": "Printer on fire"}), json.dumps(CASE), "ci-1", "CS000101",
                1, json.dumps(steps), json.dumps({"status": "Open"}), 1, "UALICE", "UALICE",
                now, now, now))
    db.execute("INSERT INTO submissions (id, state, draft, origin, steps, created_at,"
               " updated_at) VALUES (?,?,?,?,?,?,?)",
               ("sc-old2", "accepted", json.dumps(DRAFT), json.dumps(
                   {"source": "command", "user_id": "UBOB"}), "{}", now, now))
    db.execute("INSERT INTO thread_links VALUES (?,?,?)",
               ("CGENERAL:1700000000.000100", "sc-old1", now))
    db.execute("INSERT INTO seen VALUES (?,?)", ("event:Ev1", now))
    db.commit()
    db.close()


def test_a_release_1_database_is_migrated_and_reads_back_whole(tmp_path):
    path = str(tmp_path / "old.db")
    write_release_1_database(path)
    store = open_store(path)
    try:
        old = store.get("sc-old1")
        assert old is not None and old.state is State.ANNOUNCED
        assert old.case is not None and old.case.refId == "CS000101"
        assert old.steps == {"card": {"via": "thread", "channel": "CGENERAL",
                                      "ts": "1700000001.000200"},
                             "link": "https://fake.slack.test/archives/CGENERAL/p1",
                             "modal": True}
        assert [(n["kind"], n.get("changes")) for n in old.outbox] == [
            ("card", None), ("reply", ["assigned to John"])]
        assert old.card_link == "https://fake.slack.test/archives/CGENERAL/p1"
        assert store.thread_case("CGENERAL:1700000000.000100").id == "sc-old1"  # type: ignore[union-attr]
        assert [s.id for s in store.tracked()] == ["sc-old1"]
        assert store.due() == ["sc-old2"]  # the unfinished one is picked up after upgrade
        assert not store.first_time("event:Ev1")  # a delivered event stays delivered
        assert store.by_ref_id("CS000101").id == "sc-old1"  # type: ignore[union-attr]
    finally:
        store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (LATEST,)
    columns = {r[1] for r in db.execute("PRAGMA table_info(submissions)")}
    assert "steps" not in columns and {"lease_owner", "due_at"} <= columns


def test_opening_a_migrated_database_again_changes_nothing(tmp_path):
    path = str(tmp_path / "old.db")
    write_release_1_database(path)
    open_store(path).close()
    store = open_store(path)
    try:
        assert len(store.get("sc-old1").outbox) == 2  # type: ignore[union-attr]
    finally:
        store.close()
