"""SQLite: the embedded engine for one process (WAL, every commit synced to disk).

One connection, one transaction at a time. A second process on the same file would work
the same submissions as this one, so `slackcase run` holds a lock on the file for as long
as it runs, and a second one refuses to start (PostgreSQL is for several processes).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from slackcase.core.ports import StoreUnavailable
from slackcase.store.schema import describe_version, migrate

PROBE_BYTES = 32_768


class SqliteEngine:
    def __init__(self, path: str, *, exclusive: bool = False) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._failed: str | None = None  # the last write's failure, until a write succeeds
        self._lockfile: IO[str] | None = None
        if path != ":memory:":
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise StoreUnavailable(f"the directory {folder} does not exist: create it, "
                                       "or point SLACKCASE_DATABASE elsewhere")
            if exclusive:
                self._lockfile = _hold_lock(path)
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                       timeout=30)
            if path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            with self.transaction(write=True) as cur:
                tables = {r[0] for r in cur.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'").fetchall()}
                self._migrated_from = migrate(cur, tables)
                cur.execute("UPDATE schema_version SET version=version")  # can we write?
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"the database {path} cannot be used: {exc}") from None

    @contextmanager
    def transaction(self, write: bool) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield self._db.cursor()
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as exc:  # full disk, read-only file, corruption
                reason = f"the database cannot be {'written' if write else 'read'}: {exc}"
                if write:
                    self._failed = reason
                raise StoreUnavailable(reason) from None
            if write:
                self._failed = None

    def problem(self) -> str | None:
        try:
            if self._failed is None:
                with self.transaction(write=False) as cur:
                    cur.execute("SELECT 1 FROM schema_version")
                return None
            # After a failed write, only a write as large as a submission's tells whether
            # writing works again (a one-page write can fit where a case cannot).
            with self.transaction(write=True) as cur:
                cur.execute("INSERT INTO health_probe (id, data) VALUES ('probe', ?)",
                            ("x" * PROBE_BYTES,))
                cur.execute("DELETE FROM health_probe")
        except StoreUnavailable as exc:
            return str(exc)
        return None

    def describe(self) -> str:
        where = "in memory" if self.path == ":memory:" else f"file {os.path.abspath(self.path)}"
        return f"SQLite {where} (one process), {describe_version(self._migrated_from)}"

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._lockfile:
            self._lockfile.close()


def _hold_lock(path: str) -> IO[str]:
    try:
        lockfile = open(path + ".lock", "a")  # noqa: SIM115 - held while the process runs
    except OSError as exc:
        raise StoreUnavailable(f"the database {path} cannot be written: "
                               f"{exc.strerror or exc}") from None
    try:
        fcntl.flock(lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lockfile.close()
        raise StoreUnavailable(
            f"another slackcase process is already running on {path}: SQLite serves one "
            "process; for several replicas set SLACKCASE_DATABASE to a postgresql:// URL"
        ) from None
    return lockfile
