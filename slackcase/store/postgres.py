"""PostgreSQL: the engine several replicas share (psycopg 3 over its connection pool).

Write transactions take one advisory lock, so they follow one another as SQLite's do: the
store's read-then-write transactions (is the thread free? then link it) mean the same on
both engines, whichever replicas run them, and the schema is migrated by the first replica
to start while the others wait. Reads see one snapshot (REPEATABLE READ, READ ONLY).
The pool replaces connections the server dropped, so a replica recovers by itself when
the database comes back.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout

from slackcase.core.ports import StoreUnavailable
from slackcase.logs import mask_url
from slackcase.store.schema import describe_version, migrate

WRITE_LOCK = 0x5C_CA5E  # the advisory lock every write transaction (and migration) holds
# A request waits no longer than this for a connection: Slack wants its ack within 3 s, and
# the user is better told the database is away than left with a timeout.
POOL_TIMEOUT = 2.5
CONNECT_TIMEOUT = 5
# The pool's reconnection backoff gives up after this long; the next request starts a fresh
# attempt, so a database back after an outage is used again within about this long.
RECONNECT_SECONDS = 10.0
SESSION = "-c lock_timeout=10s -c idle_in_transaction_session_timeout=60s"
# Errors that are the caller's (a constraint, a bug in SQL), not the database being away.
_PASSED_THROUGH = (psycopg.IntegrityError, psycopg.DataError, psycopg.NotSupportedError)


class PostgresEngine:
    def __init__(self, url: str, *, max_connections: int = 10) -> None:
        self.shown = mask_url(url)
        self._url = url
        self._password = unquote(urlsplit(url).password or "")
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                 options=SESSION) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                cur = _Cursor(conn.cursor())
                tables = {r[0] for r in cur.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()").fetchall()}
                self._migrated_from = migrate(cur, tables)
        except psycopg.Error as exc:
            raise StoreUnavailable(f"the database {self.shown} cannot be used: "
                                   f"{self._reason(exc)}") from None
        self._pool = ConnectionPool(
            url, min_size=1, max_size=max_connections, timeout=POOL_TIMEOUT,
            reconnect_timeout=RECONNECT_SECONDS, check=ConnectionPool.check_connection,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT,
                    "options": SESSION},
            name="slackcase", open=False)
        self._pool.open(wait=False)

    def __repr__(self) -> str:
        return f"PostgresEngine({self.shown!r})"

    @contextmanager
    def transaction(self, write: bool) -> Iterator[_Cursor]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                if write:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                else:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield _Cursor(conn.cursor())
        except _PASSED_THROUGH:
            raise
        except psycopg.ProgrammingError as exc:
            if not isinstance(exc, errors.InsufficientPrivilege):
                raise
            raise self._unavailable(exc, write) from None
        except psycopg.Error as exc:
            raise self._unavailable(exc, write) from None

    def problem(self) -> str | None:
        try:
            with self._pool.connection() as conn:
                standby, read_only = conn.execute(
                    "SELECT pg_is_in_recovery(),"
                    " current_setting('default_transaction_read_only')").fetchone() or (0, 0)
        except PoolTimeout:
            return str(self._unavailable(self._connect_error() or PoolTimeout(), write=False))
        except psycopg.Error as exc:
            return str(self._unavailable(exc, write=False))
        if standby or read_only == "on":
            return (f"the database {self.shown} is read-only"
                    f" ({'a standby' if standby else 'default_transaction_read_only'}):"
                    " point SLACKCASE_DATABASE at the primary")
        return None

    def describe(self) -> str:
        return f"PostgreSQL at {self.shown}, {describe_version(self._migrated_from)}"

    def close(self) -> None:
        self._pool.close()

    def _unavailable(self, exc: Exception, write: bool) -> StoreUnavailable:
        return StoreUnavailable(f"the database {self.shown} cannot be "
                                f"{'written' if write else 'read'}: {self._reason(exc)}")

    def _reason(self, exc: Exception) -> str:
        if isinstance(exc, PoolTimeout):
            return f"no connection within {POOL_TIMEOUT:g} s"
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[0] if lines else type(exc).__name__
        if self._password:
            reason = reason.replace(self._password, "***")
        return mask_url(reason)

    def _connect_error(self) -> psycopg.Error | None:
        """Why a new connection fails (the pool only says it has none to give)."""
        try:
            psycopg.connect(self._url, connect_timeout=CONNECT_TIMEOUT).close()
        except psycopg.Error as exc:
            return exc
        return None


class _Cursor:
    """The store's SQL (`?` placeholders) on a psycopg cursor (`%s`)."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self._cur = cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        self._cur.execute(_placeholders(sql), tuple(params))
        return self

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self) -> list[tuple[str]]:
        return [(column.name,) for column in self._cur.description or []]


@functools.lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    return sql.replace("?", "%s")
