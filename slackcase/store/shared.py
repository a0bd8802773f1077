"""What replicas share besides submissions: the Kore.ai budget and who leads the poller.

Both are rows taken in one write transaction. On SQLite the write lock serializes the
transactions; on PostgreSQL the first UPDATE locks the row until the commit, so nobody
reads it between our read and our write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slackcase.kore.ratelimit import Level, returned, take, wait_now
from slackcase.store.engine import Engine


class SharedState:
    """Mixed into SqlStore (which sets these three)."""

    _engine: Engine
    _clock: Callable[[], float]
    owner: str

    def lead(self, name: str, seconds: float) -> bool:
        """Be (or stay) the one replica running `name` for `seconds` more: True if this
        process leads now. A leader that stops renewing is replaced once its lease lapses."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            return cur.execute(
                "INSERT INTO leaders (name, owner, lease_until) VALUES (?,?,?)"
                " ON CONFLICT (name) DO UPDATE SET owner=excluded.owner,"
                " lease_until=excluded.lease_until"
                " WHERE leaders.owner=excluded.owner OR leaders.lease_until < ?",
                (name, self.owner, now + seconds, now)).rowcount == 1

    def resign(self, name: str) -> None:
        """Stop leading `name` now (a clean stop): another replica takes it at once."""
        with self._engine.transaction(write=True) as cur:
            cur.execute("DELETE FROM leaders WHERE name=? AND owner=?", (name, self.owner))

    def take_budget(self, name: str, capacity: float, rate: float) -> float:
        """Take one slot of the shared budget `name`; how long to wait before using it."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            level = _locked(cur, name, capacity, now)
            new, wait = take(level, now, capacity, rate)
            cur.execute("UPDATE budgets SET tokens=?, updated_at=? WHERE name=?",
                        (new.tokens, new.updated_at, name))
            return wait

    def give_back_budget(self, name: str, capacity: float, rate: float) -> None:
        """A slot taken from `name` was not used."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            new = returned(_locked(cur, name, capacity, now), now, capacity, rate)
            cur.execute("UPDATE budgets SET tokens=?, updated_at=? WHERE name=?",
                        (new.tokens, new.updated_at, name))

    def budget_wait(self, name: str, capacity: float, rate: float) -> float:
        """How long a slot taken now would wait (nothing taken)."""
        now = self._clock()
        with self._engine.transaction(write=False) as cur:
            rows = cur.execute("SELECT tokens, updated_at, paused_until FROM budgets"
                               " WHERE name=?", (name,)).fetchall()
        level = Level(*rows[0]) if rows else Level(capacity, now, 0.0)
        return wait_now(level, now, capacity, rate)

    def pause_budget(self, name: str, seconds: float, capacity: float) -> None:
        """Nobody draws from `name` for `seconds` (Kore.ai answered 429)."""
        now = self._clock()
        with self._engine.transaction(write=True) as cur:
            _locked(cur, name, capacity, now)
            cur.execute("UPDATE budgets SET paused_until=? WHERE name=? AND paused_until<?",
                        (now + seconds, name, now + seconds))


def _locked(cur: Any, name: str, capacity: float, now: float) -> Level:
    """The budget's row, created full if new, locked for the rest of the transaction."""
    cur.execute("INSERT INTO budgets (name, tokens, updated_at, paused_until)"
                " VALUES (?,?,?,0) ON CONFLICT (name) DO NOTHING", (name, capacity, now))
    cur.execute("UPDATE budgets SET tokens=tokens WHERE name=?", (name,))  # the row lock
    return Level(*cur.execute("SELECT tokens, updated_at, paused_until FROM budgets"
                              " WHERE name=?", (name,)).fetchone())
