"""What the store needs from a database engine: transactions, and how to tell it is sick."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol


class Engine(Protocol):
    def transaction(self, write: bool) -> AbstractContextManager[Any]:
        """A cursor inside one transaction, committed on leaving (rolled back on error).
        SQL uses `?` placeholders. Failures of the database itself raise StoreUnavailable."""
        ...

    def problem(self) -> str | None:
        """Why the database cannot be used right now (it is tried), or None."""
        ...

    def describe(self) -> str:
        """Which database this is and its schema version, for people (no password)."""
        ...

    def close(self) -> None: ...


def take_lease(cur: Any, table: str, row_id: str, open_states: str, owner: str,
               now: float, seconds: float) -> bool:
    """Give `owner` the row's lease for `seconds` if the row is open (`open_states`, an SQL
    list) and its lease is free, lapsed or already `owner`'s: one conditional UPDATE, so
    two processes can never both hold it."""
    return cur.execute(
        f"UPDATE {table} SET lease_owner=?, lease_until=? WHERE id=?"
        f" AND state IN ({open_states})"
        " AND (lease_owner IS NULL OR lease_owner=? OR lease_until < ?)",
        (owner, now + seconds, row_id, owner, now)).rowcount == 1
