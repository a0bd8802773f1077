"""What replicas share through the database: one Kore.ai budget, one poller leader, and
lease takeovers that are told. Two stores on one SQLite file stand for two processes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from slackcase.core.domain import CaseDraft, Origin, State
from slackcase.kore.ratelimit import LimiterClosed, RateLimiter
from slackcase.store import open_store
from slackcase.store.budget import StoreBucket


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def two(tmp_path, clock):
    """Two stores on one file: two replicas' views of one database."""
    path = str(tmp_path / "shared.db")
    stores = [open_store(path, clock=clock), open_store(path, clock=clock)]
    yield stores
    for s in stores:
        s.close()


def limiters(stores, per_minute):
    return [RateLimiter(per_minute, bucket=StoreBucket(s)) for s in stores]


def test_two_processes_draw_from_one_budget(two):
    a, b = limiters(two, 6)
    # Taken in turns, as two replicas' calls arrive: one bucket of 6, then one a 10 s.
    waits = [(a if i % 2 else b).reserve() for i in range(10)]
    assert waits[:6] == [0] * 6
    assert [round(w, 6) for w in waits[6:]] == [10, 20, 30, 40]


def test_a_burst_over_two_processes_never_exceeds_the_budget_per_window(two, clock):
    """Many callers at once on both processes: every slot handed out once, so the calls
    (at now + wait) never exceed the budget plus what it refills, in any window."""
    per_minute = 12
    a, b = limiters(two, per_minute)
    with ThreadPoolExecutor(16) as pool:
        waits = sorted(pool.map(lambda i: (a if i % 2 else b).reserve(), range(40)))
    assert waits[:per_minute] == [0] * per_minute
    assert [round(w, 6) for w in waits[per_minute:]] == [5 * k for k in range(1, 29)]
    for start in waits:
        for length in (1, 30, 60):
            inside = sum(start <= w < start + length for w in waits)
            assert inside <= per_minute + length * per_minute / 60


def test_the_budget_refills_with_time_for_every_process(two, clock):
    a, b = limiters(two, 6)
    assert [a.reserve() for _ in range(6)] == [0] * 6
    assert round(b.estimated_wait(), 6) == 10
    clock.now += 30  # three slots back
    assert [b.reserve() for _ in range(3)] == [0] * 3
    assert round(a.reserve(), 6) == 10


def test_a_429_pauses_every_process(two, clock):
    a, b = limiters(two, 60)
    a.pause(5)
    assert b.estimated_wait() == 5
    assert b.reserve() == 5
    clock.now += 5
    assert a.reserve() == 0


def test_one_leader_at_a_time_replaced_once_its_lease_lapses(two, clock):
    first, second = two
    assert first.lead("poller", 90)
    assert not second.lead("poller", 90)
    clock.now += 60
    assert first.lead("poller", 90)  # renewed: still the leader
    clock.now += 80
    assert not second.lead("poller", 90)
    clock.now += 11  # 91 s since the last renewal: the leader is gone
    assert second.lead("poller", 90)
    assert not first.lead("poller", 90)  # back too late: it follows now


def test_leaders_of_different_tasks_are_independent(two):
    first, second = two
    assert first.lead("poller", 90)
    assert second.lead("other", 90)


class Counted:
    def __init__(self) -> None:
        self.ended: list[State] = []
        self.takeovers = 0

    def submission_ended(self, state: State) -> None:
        self.ended.append(state)

    def lease_taken_over(self) -> None:
        self.takeovers += 1


def test_a_claim_that_takes_over_a_lapsed_lease_is_told(two, clock):
    first, second = two
    first.events, second.events = Counted(), Counted()
    draft = CaseDraft(template_id="ctm-1", title="t", description="d",
                      due=datetime(2030, 1, 1, tzinfo=UTC), requester_id="U1")
    first.accept("sc-1", draft, Origin(source="command", user_id="U1"), idem_key=None)
    assert first.claim("sc-1", 15)
    assert first.claim("sc-1", 15)  # its own lease again: no takeover
    assert second.claim("sc-1", 15) is None
    clock.now += 16
    sub = second.claim("sc-1", 15)
    assert sub is not None
    assert (first.events.takeovers, second.events.takeovers) == (0, 1)
    second.mark_failed(sub, error="x", error_kind="invalid")
    assert second.events.ended == [State.FAILED]


def test_a_slot_a_stopping_process_did_not_use_goes_back_to_the_others(two):
    a, b = limiters(two, 60)
    for _ in range(60):
        a.reserve()
    slept: list[float] = []
    stopping = RateLimiter(60, bucket=StoreBucket(two[0]),
                           sleep=lambda s: (slept.append(s), stopping.close()))
    with pytest.raises(LimiterClosed):
        stopping.acquire()  # waits its turn, and the process stops meanwhile
    assert slept == [pytest.approx(1.0)]
    assert b.reserve() == pytest.approx(1.0)  # the slot it gave back, not the one after
