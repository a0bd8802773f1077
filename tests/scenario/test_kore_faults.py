"""Kore.ai failing, slow, garbled or rate-limiting: every case still created once."""

import time

from tests.harness import make_world, submit_case, wait_for


def test_kore_503_once_then_ok(world):
    world.kore.inject(op="createCase", status=503, times=1)
    submit_case(world)
    world.announced(1)
    assert len(world.kore.cases) == 1
    assert len(world.fake.posts("CGENERAL")) == 1


def test_slow_but_commits_creates_exactly_one_case(world):
    # Kore.ai creates the case but answers after the client's 2 s timeout.
    world.kore.inject(op="createCase", delay=2.5, commit=True, times=1)
    submit_case(world)
    world.announced(1, timeout=20)
    assert len(world.kore.cases) == 1
    assert len(world.kore.requests("createCase")) == 1
    assert len(world.kore.requests("getCases")) >= 1  # reconciled before any retry
    assert len(world.fake.posts("CGENERAL")) == 1


def test_malformed_answer_is_reconciled_not_duplicated(world):
    world.kore.inject(op="createCase", malformed=True, times=1)
    submit_case(world)
    world.announced(1)
    assert len(world.kore.cases) == 1


def test_429_burst_honours_retry_after(world):
    world.kore.inject(op="createCase", status=429, retry_after=1, times=2)
    started = time.monotonic()
    submit_case(world)
    world.announced(1, timeout=15)
    assert time.monotonic() - started >= 1.0
    assert len(world.kore.cases) == 1


def test_rate_budget_queues_and_tells_the_user(tmp_path):
    world = make_world(tmp_path, env={"KORE_RATE_LIMIT_PER_MINUTE": "1"})
    try:
        submit_case(world, "first")
        world.announced(1)
        submit_case(world, "second")
        wait_for(lambda: "Queued" in str(world.fake.views), what="queued notice")
    finally:
        world.stop()
