"""HTTP transports of one connection each, lent to one request at a time.

httpcore 1.0's connection pool walks every connection, polling each idle socket, twice per
request, with a quadratic step inside (encode/httpcore#1035, #929). One pool of 64
connections costs about 1 ms of CPU per request under a burst, more than the rest of the
Kore.ai call. A small transport per request in flight keeps that bookkeeping constant
and still keeps every connection alive between requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=Closable)


class LanesClosed(RuntimeError):
    """The lanes were closed: the process is stopping."""


class LanesBusy(Exception):
    """Every lane stayed in use for the whole wait."""


class Lanes(Generic[T]):
    def __init__(self, make: Callable[[], T], size: int) -> None:
        self._make = make
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[T] = []  # last in, first out: the warmest connection
        self._all: list[T] = []
        self._closed = False

    @property
    def size(self) -> int:
        """Lanes made so far (at most `size` given to the constructor)."""
        with self._lock:
            return len(self._all)

    @contextmanager
    def lend(self, wait: float) -> Iterator[T]:
        if not self._slots.acquire(timeout=wait):
            raise LanesBusy(f"no connection free within {wait:.0f}s")
        try:
            with self._lock:
                if self._closed:
                    raise LanesClosed("closed")
                client = self._idle.pop() if self._idle else None
            if client is None:
                client = self._make()
                with self._lock:
                    self._all.append(client)
            try:
                yield client
            finally:
                with self._lock:
                    self._idle.append(client)
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients, self._idle = list(self._all), []
        for client in clients:
            client.close()
