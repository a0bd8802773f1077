import threading
import time

import pytest

from slackcase.kore.ratelimit import LimiterClosed, RateLimiter


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_burst_up_to_budget_then_one_per_interval():
    clock = Clock()
    limiter = RateLimiter(60, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(60)]
    assert all(w == 0 for w in waits)
    assert abs(limiter.acquire() - 1.0) < 1e-6
    assert clock.now == 1.0


def test_waits_queue_rather_than_fail():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock, sleep=clock.sleep)
    waits = [limiter.reserve() for _ in range(9)]
    assert waits[:6] == [0] * 6
    assert [round(w) for w in waits[6:]] == [10, 20, 30]


def test_pause_after_429():
    clock = Clock()
    limiter = RateLimiter(60, clock=clock, sleep=clock.sleep)
    limiter.pause(5)
    assert limiter.acquire() == 5


def test_close_ends_a_wait_and_refuses_new_calls():
    limiter = RateLimiter(1)  # the real clock and sleep: the second call waits a minute
    assert limiter.acquire() == 0
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(limiter.acquire())
        except LimiterClosed as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=second)
    waiter.start()
    time.sleep(0.1)
    started = time.monotonic()
    limiter.close()
    waiter.join(timeout=5)
    assert not waiter.is_alive() and time.monotonic() - started < 1
    assert isinstance(outcome[0], LimiterClosed)
    with pytest.raises(LimiterClosed):
        limiter.acquire()
