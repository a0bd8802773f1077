"""A token bucket shared by every Kore.ai call: bursts up to the budget, then waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class LimiterClosed(Exception):
    """The process is stopping: a call that has not begun is not made."""


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._tokens = self.capacity
        self._clock = clock
        self._closed = threading.Event()
        self._sleep = sleep or self._closed.wait  # a wait that close() ends early
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def reserve(self) -> float:
        """Take a slot; return how long the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
            return max(wait, self._paused_until - now)

    def acquire(self) -> float:
        """Wait for a slot; LimiterClosed if close() came first or during the wait."""
        if self._closed.is_set():
            raise LimiterClosed
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
            if self._closed.is_set():
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
        with self._lock:
            now = self._clock()
            self._refill(now)
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
            return max(wait, self._paused_until - now)

    def pause(self, seconds: float) -> None:
        """Kore.ai said 429: nobody calls again before Retry-After has passed."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
