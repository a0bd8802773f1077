from slackcase.kore.ratelimit import RateLimiter


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
