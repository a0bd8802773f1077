"""A token bucket shared by every Kore.ai call: bursts up to the budget, then waits.

The bucket's state (tokens, when they were counted, a pause after a 429) lives in a
`Bucket`: in memory for one process (`slackcase check`, tests), or a row in the database
that every replica draws from (store/budget.py), so KORE_RATE_LIMIT_PER_MINUTE is the
budget of the whole deployment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple, Protocol


class LimiterClosed(Exception):
    """The process is stopping: a call that has not begun is not made."""


class Level(NamedTuple):
    """A bucket's state: tokens left (negative: slots promised to waiting calls), when
    they were counted, and the time before which nobody calls (a 429's Retry-After)."""

    tokens: float
    updated_at: float
    paused_until: float


def refill(level: Level, now: float, capacity: float, rate: float) -> float:
    """The tokens at `now`: those left plus what the rate added since, up to capacity.
    A clock behind the one that counted last (another replica's) adds nothing."""
    return min(capacity, level.tokens + max(0.0, now - level.updated_at) * rate)


def take(level: Level, now: float, capacity: float, rate: float) -> tuple[Level, float]:
    """Take a slot: the bucket's new state, and how long the taker must wait to use it."""
    tokens = refill(level, now, capacity, rate) - 1.0
    wait = 0.0 if tokens >= 0 else -tokens / rate
    return (Level(tokens, max(now, level.updated_at), level.paused_until),
            max(wait, level.paused_until - now))


def returned(level: Level, now: float, capacity: float, rate: float) -> Level:
    """The bucket with an unused slot back in it."""
    tokens = min(capacity, refill(level, now, capacity, rate) + 1.0)
    return Level(tokens, max(now, level.updated_at), level.paused_until)


def wait_now(level: Level, now: float, capacity: float, rate: float) -> float:
    """How long a slot taken now would wait (nothing taken)."""
    tokens = refill(level, now, capacity, rate)
    wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
    return max(wait, level.paused_until - now)


class Bucket(Protocol):
    """Where the bucket's state is kept; each method is atomic."""

    def take(self, capacity: float, rate: float) -> float:
        """Take a slot; return how long the taker must wait before using it."""
        ...

    def estimate(self, capacity: float, rate: float) -> float: ...
    def pause(self, seconds: float, capacity: float) -> None: ...

    def give_back(self, capacity: float, rate: float) -> None:
        """A slot taken was not used (the process stopped while it waited)."""
        ...


class MemoryBucket:
    """The bucket of one process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._level: Level | None = None
        self._lock = threading.Lock()

    def _current(self, capacity: float) -> Level:
        if self._level is None:
            self._level = Level(capacity, self._clock(), 0.0)
        return self._level

    def take(self, capacity: float, rate: float) -> float:
        with self._lock:
            self._level, wait = take(self._current(capacity), self._clock(), capacity, rate)
            return wait

    def estimate(self, capacity: float, rate: float) -> float:
        with self._lock:
            return wait_now(self._current(capacity), self._clock(), capacity, rate)

    def give_back(self, capacity: float, rate: float) -> None:
        with self._lock:
            self._level = returned(self._current(capacity), self._clock(), capacity, rate)

    def pause(self, seconds: float, capacity: float) -> None:
        with self._lock:
            level = self._current(capacity)
            self._level = level._replace(paused_until=max(level.paused_until,
                                                          self._clock() + seconds))


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        bucket: Bucket | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._bucket = bucket or MemoryBucket(clock)
        self._closed = threading.Event()
        self._sleep = sleep or self._closed.wait  # a wait that close() ends early
        self._count = threading.Lock()
        self.waiting = 0  # calls of this process waiting for their slot now

    def reserve(self) -> float:
        """Take a slot; return how long the caller must wait before using it."""
        return self._bucket.take(self.capacity, self.rate)

    def acquire(self) -> float:
        """Wait for a slot; LimiterClosed if close() came first or during the wait."""
        if self._closed.is_set():
            raise LimiterClosed
        wait = self.reserve()
        if wait > 0:
            with self._count:
                self.waiting += 1
            try:
                self._sleep(wait)
            finally:
                with self._count:
                    self.waiting -= 1
            if self._closed.is_set():
                # Unused: another replica (or this one, restarted) may have it.
                self._bucket.give_back(self.capacity, self.rate)
                raise LimiterClosed
        return wait

    def sleep(self, seconds: float) -> None:
        """Sleep, unless close() is called first (then return at once)."""
        self._sleep(seconds)

    def close(self) -> None:
        """No more calls: waits end now and acquire() raises LimiterClosed. A stopping
        process does not wait the minutes a queue behind the limit can take."""
        self._closed.set()

    def estimated_wait(self) -> float:
        """How long a call made now would wait (without taking a slot)."""
        return self._bucket.estimate(self.capacity, self.rate)

    def pause(self, seconds: float) -> None:
        """Kore.ai said 429: nobody calls again before Retry-After has passed."""
        self._bucket.pause(seconds, self.capacity)
