"""Never lost, never twice: Kore.ai and Slack faults, process kills, logs without secrets."""

import logging
import signal
import time

from tests.harness import (
    BOT_TOKEN,
    KORE_SECRET,
    SIGNING_SECRET,
    app_process,
    make_world,
    shut_down,
    submit_case,
    wait_for,
)


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


def test_slack_429_on_posting_posts_once(world):
    world.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=1)
    submit_case(world)
    world.announced(1, timeout=15)
    assert len(world.fake.posts("CGENERAL")) == 1


def test_rate_budget_queues_and_tells_the_user(tmp_path):
    world = make_world(tmp_path, env={"KORE_RATE_LIMIT_PER_MINUTE": "1"})
    try:
        submit_case(world, "first")
        world.announced(1)
        submit_case(world, "second")
        wait_for(lambda: "Queued" in str(world.fake.views), what="queued notice")
    finally:
        world.stop()


def test_restart_resumes_unfinished_submission(tmp_path):
    db = str(tmp_path / "shared.db")
    first = make_world(tmp_path, database=db)
    first.kore.inject(op="createCase", status=503, times=-1)
    submit_case(first)
    wait_for(lambda: first.kore.requests("createCase"), what="first attempt")
    first.stop()
    second = make_world(tmp_path, database=db)
    try:
        wait_for(lambda: second.kore.cases, timeout=10, what="case after restart")
        assert len(second.kore.cases) == 1
    finally:
        second.stop()


def test_sigkill_after_ack_then_restart_creates_once(tmp_path):
    world = make_world(tmp_path, start=False, kore_latency=1.0)
    start = app_process(world, tmp_path, KORE_TIMEOUT_SECONDS="3")

    proc = start()
    world.driver.command("kill me", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    answer = world.driver.submit(form["id"], user="UALICE")
    assert answer.body["response_action"] == "update"
    wait_for(lambda: world.kore.requests("createCase"), what="createCase sent")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc = start()
    try:
        wait_for(lambda: len(world.fake.posts("CGENERAL")) >= 1, timeout=20,
                 what="confirmation after restart")
        time.sleep(1.0)
        assert len(world.kore.cases) == 1
        assert len(world.fake.posts("CGENERAL")) == 1
    finally:
        shut_down(world, proc)


def test_sigterm_while_cases_wait_for_the_rate_limit_exits_at_once(tmp_path):
    """Cases queued behind Kore.ai's rate limit do not hold a stopping process for as long
    as the limit would make them wait; after the restart each is created once."""
    world = make_world(tmp_path, start=False)
    start = app_process(world, tmp_path, KORE_RATE_LIMIT_PER_MINUTE="2")
    proc = start()
    try:
        for i in range(3):
            answer = submit_case(world, text=f"queued {i}")
            assert answer.body["response_action"] == "update"
        wait_for(lambda: len(world.kore.cases) >= 2, what="the two cases the limit allows")
        time.sleep(0.5)
        assert len(world.kore.cases) == 2  # the third waits ~30 s for the limit
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, proc.stderr.read()
        assert time.monotonic() - started < 5, "the stop waited for the rate limit"
        assert len(world.kore.cases) == 2
        proc = start()
        wait_for(lambda: len(world.fake.posts("CGENERAL")) >= 3, timeout=20,
                 what="the third confirmation after the restart")
        time.sleep(1.0)
        titles = sorted(case["name"] for case in world.kore.cases.values())
        assert titles == ["queued 0", "queued 1", "queued 2"]
        assert len(world.fake.posts("CGENERAL")) == 3
    finally:
        shut_down(world, proc)


def test_logs_of_a_full_run_hold_no_secret(world, caplog):
    from slackcase.logs import _Formatter

    caplog.handler.setFormatter(_Formatter([SIGNING_SECRET, KORE_SECRET, BOT_TOKEN]))
    with caplog.at_level(logging.DEBUG):
        world.kore.inject(op="createCase", status=503, times=1)
        submit_case(world)
        world.announced(1)
    text = caplog.text
    assert "sc-" in text  # correlation ids are there
    for secret in (SIGNING_SECRET, KORE_SECRET, BOT_TOKEN, "eyJ"):
        assert secret not in text
