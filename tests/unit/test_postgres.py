"""The PostgreSQL engine: migrated once by replicas starting together, sick databases told
in one line with the password masked, and used again by itself when the server is back."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from slackcase.core.ports import StoreUnavailable
from slackcase.logs import _Formatter
from slackcase.store import open_store
from slackcase.store.schema import LATEST
from tests.pg import PASSWORD
from tests.unit.test_store import draft, origin


def test_replicas_starting_together_migrate_a_new_database_once(pg_url):
    barrier = threading.Barrier(4)

    def start(_: int):
        barrier.wait()
        return open_store(pg_url)

    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(start, range(4)))
    try:
        stores[0].accept("sc-1", draft(), origin(), idem_key=None)
        assert all(s.get("sc-1") is not None for s in stores)
    finally:
        for s in stores:
            s.close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(LATEST,)]


def test_a_wrong_password_is_one_line_without_the_password(pg_server):
    url = pg_server.url(password="Wrong-Secret-9876")
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    message = str(caught.value)
    assert "password authentication failed" in message and "\n" not in message
    assert "Wrong-Secret-9876" not in message and "slackcase:***@" in message


def test_an_unreachable_server_is_one_line_without_the_password(pg_server):
    url = f"postgresql://slackcase:{PASSWORD}@127.0.0.1:1/db"
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    message = str(caught.value)
    assert "\n" not in message and PASSWORD not in message
    assert "127.0.0.1" in message and "refused" in message


def test_the_engine_and_the_logs_never_show_the_password(pg_url):
    store = open_store(pg_url)
    try:
        assert PASSWORD not in repr(store._engine) and "slackcase:***@" in repr(store._engine)
    finally:
        store.close()
    record = logging.LogRecord("psycopg.pool", logging.WARNING, __file__, 1,
                               "error connecting to %s", (pg_url,), None)
    assert PASSWORD not in _Formatter([]).format(record)


def test_a_read_only_database_is_a_problem_and_refuses_writes_plainly(pg_url):
    store = open_store(pg_url)
    try:
        assert store.problem() is None
        with psycopg.connect(pg_url, autocommit=True) as conn:
            name = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            conn.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
        # New sessions see the setting; the pool's idle connections are older.
        store._engine._pool.drain()
        assert "read-only" in (store.problem() or "")
        with pytest.raises(StoreUnavailable, match=r"cannot be written: .*read-only"):
            store.accept("sc-1", draft(), origin(), idem_key=None)
    finally:
        store.close()


def test_the_store_is_used_again_when_the_server_comes_back(pg_server, pg_url):
    store = open_store(pg_url)
    try:
        store.accept("sc-1", draft(), origin(), idem_key=None)
        pg_server.stop()
        try:
            problem = store.problem()
            assert problem and PASSWORD not in problem and "\n" not in problem
            with pytest.raises(StoreUnavailable):
                store.accept("sc-2", draft(), origin(), idem_key=None)
        finally:
            pg_server.start()
        assert store.problem() is None
        store.accept("sc-3", draft(), origin(), idem_key=None)
        assert [s.id for s in store.unfinished()] == ["sc-1", "sc-3"]
    finally:
        store.close()
