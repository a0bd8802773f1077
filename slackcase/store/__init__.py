"""Durable state: the core's Store over SQLite (one process) or PostgreSQL (replicas)."""

from __future__ import annotations

import time
from collections.abc import Callable

from slackcase.core.ports import StoreUnavailable, ThreadHasCase
from slackcase.store.sql import SqlStore


def open_store(database: str, *, exclusive: bool = False,
               clock: Callable[[], float] = time.time) -> SqlStore:
    """The store for SLACKCASE_DATABASE: a postgresql:// URL, or a SQLite file path.
    `exclusive`: this process works submissions (`slackcase run`), so a SQLite file is
    locked against a second such process."""
    if database.startswith(("postgresql://", "postgres://")):
        from slackcase.store.postgres import PostgresEngine

        return SqlStore(PostgresEngine(database), clock=clock)
    from slackcase.store.sqlite import SqliteEngine

    store = SqlStore(SqliteEngine(database, exclusive=exclusive), clock=clock)
    if exclusive:  # the file is locked to this process: a dead one's leases are void
        store.forget_leases()
    return store


__all__ = ["SqlStore", "StoreUnavailable", "ThreadHasCase", "open_store"]
