"""Two `slackcase run --http` processes on one PostgreSQL database share one Kore.ai budget
and one poller: a burst spread over both never sends Kore.ai more than one process would,
and a change in Kore.ai is told once. Each test counts what the fakes received."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from slackcase.core.domain import State
from tests.harness import Replica, World, replicas_on, submit_case, wait_for

BUDGET = 6  # a minute: a burst of 6, then one every 10 s


@pytest.fixture
def replicas(tmp_path: Any, pg_url: str, request: Any) -> Iterator[tuple[World, list[Replica],
                                                                         Any]]:
    with replicas_on(tmp_path, pg_url, **request.param) as both:
        yield both


@pytest.mark.parametrize("replicas", [{"KORE_RATE_LIMIT_PER_MINUTE": str(BUDGET),
                                       "SLACKCASE_POLL_SECONDS": "3600"}], indirect=True)
def test_a_burst_spread_over_two_processes_stays_within_one_budget(replicas):
    world, (a, b), store = replicas
    for i in range(8):  # four through each replica, alternately
        answer = submit_case(world, f"burst {i}", driver=(b if i % 2 else a).driver)
        assert answer.body["response_action"] == "update"
    wait_for(lambda: len(store.in_state(State.ANNOUNCED)) >= 8, timeout=60,
             what="eight announced")
    calls = sorted(r.at for r in world.kore.requests())
    # In any window, no more calls than one process's budget lets through: the burst, plus
    # one every 10 s (each replica on a budget of its own would have let all eight go).
    for start in calls:
        for length in (1.0, 9.0):
            inside = sum(start <= at < start + length for at in calls)
            assert inside <= BUDGET + int(length * BUDGET / 60), (start, length, calls)
    assert calls[-1] - calls[0] >= 15  # the 7th and 8th waited their turn
    assert len(world.kore.requests("createCase")) == 8 and len(world.kore.cases) == 8
    assert sorted(c["name"] for c in world.cases()) == [f"burst {i}" for i in range(8)]
    assert len(world.fake.posts("CGENERAL")) == 8


@pytest.mark.parametrize("replicas", [{"SLACKCASE_POLL_SECONDS": "0.5"}], indirect=True)
def test_a_change_is_told_once_while_two_processes_poll(replicas):
    world, (a, _), store = replicas
    assert submit_case(world, "printer on fire",
                       driver=a.driver).body["response_action"] == "update"
    wait_for(lambda: store.in_state(State.ANNOUNCED), what="announced")
    updates_before = world.fake.count("chat.update")
    case_id = next(iter(world.kore.cases))
    world.kore.assign(case_id, 1)
    world.kore.set_status(case_id, "Resolved")
    wait_for(lambda: world.fake.posts("DALICE"), what="the resolution DM")
    # Rounds go on after the change: count getCases over a few seconds of both polling.
    seen = len(world.kore.requests("getCases"))
    wait_for(lambda: len(world.kore.requests("getCases")) >= seen + 12, what="more rounds")
    window_start = world.kore.requests("getCases")[seen].at
    reads = [r.at for r in world.kore.requests("getCases")[seen:]]
    replies = [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts")]
    assert (world.fake.count("chat.update") - updates_before, len(replies),
            len(world.fake.posts("DALICE"))) == (1, 1, 1)
    # One poller: a round per interval of at most two reads for this case (its slice, and
    # a search by refId once it left the unresolved list), as one process makes; two
    # pollers would make twice as many in the same time.
    span = reads[-1] - window_start
    assert len(reads) <= 2 * (span / 0.5) + 4, (len(reads), span)
