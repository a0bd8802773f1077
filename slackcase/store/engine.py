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
