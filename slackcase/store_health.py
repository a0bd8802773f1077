"""When the database cannot be written: the error the store raises, and the memory of it.

A disk that is full, a file system that went read-only or a file that cannot be opened
turns every write into an sqlite3 error. The store raises StoreUnavailable for those (the
listener keeps the person's modal open with an inline error instead of acking a case it
did not record) and remembers the failure until a write succeeds, so /healthz can answer
503 without writing on every probe, and answers 200 again the moment a write goes through.
"""

from __future__ import annotations

import sqlite3
import threading

# Not failures to write: a constraint refused one operation, or the code misused the API.
_NOT_A_WRITE_FAILURE = (sqlite3.IntegrityError, sqlite3.ProgrammingError,
                        sqlite3.InterfaceError)


class StoreUnavailable(RuntimeError):
    """The database cannot be opened or written; str() is one line for people and logs."""


def cannot_write(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) and not isinstance(exc, _NOT_A_WRITE_FAILURE)


def unavailable(exc: BaseException, path: str) -> StoreUnavailable:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreUnavailable(f"the database {path} cannot be written: {first_line}")


class WriteHealth:
    """The outcome of the last write: a failure is kept until a write succeeds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failure: str | None = None

    @property
    def failure(self) -> str | None:
        return self._failure

    def failed(self, error: StoreUnavailable) -> None:
        with self._lock:
            self._failure = str(error)

    def succeeded(self) -> None:
        if self._failure is not None:
            with self._lock:
                self._failure = None
