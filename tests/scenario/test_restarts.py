"""A stop, a crash or a restart loses no case and makes none twice."""

import signal
import time

from tests.harness import (
    app_process,
    make_world,
    settled_in,
    shut_down,
    submit_case,
    wait_for,
)


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
        settled_in(tmp_path / "app.db", announced=1)
        assert len(world.kore.cases) == 1
        assert len(world.fake.posts("CGENERAL")) == 1
    finally:
        shut_down(world, proc)


BURST = 12  # the rate limit a minute in the test below: the 13th case waits 5 s


def test_sigterm_while_cases_wait_for_the_rate_limit_exits_at_once(tmp_path):
    """Cases queued behind Kore.ai's rate limit do not hold a stopping process for as long
    as the limit would make them wait; after the restart each is created once."""
    world = make_world(tmp_path, start=False)
    start = app_process(world, tmp_path, KORE_RATE_LIMIT_PER_MINUTE=str(BURST))
    proc = start()
    try:
        for i in range(BURST):
            answer = submit_case(world, text=f"queued {i:02d}")
            assert answer.body["response_action"] == "update"
        wait_for(lambda: len(world.kore.cases) >= BURST, what="the cases the limit allows")
        answer = submit_case(world, text=f"queued {BURST:02d}")
        assert answer.body["response_action"] == "update"
        # Told "Queued": the last waits 60/BURST s for the limit.
        wait_for(lambda: "Queued" in str(world.fake.views), what="the queued notice")
        assert len(world.kore.cases) == BURST
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, proc.stderr.read()
        assert time.monotonic() - started < 5, "the stop waited for the rate limit"
        assert len(world.kore.cases) == BURST
        proc = start()
        # The budget outlives the process (it is the database's): the last goes when the
        # limit lets it, not at once as a fresh process's budget would.
        wait_for(lambda: len(world.fake.posts("CGENERAL")) >= BURST + 1, timeout=30,
                 what="the last confirmation after the restart")
        settled_in(tmp_path / "app.db", announced=BURST + 1)
        titles = sorted(case["name"] for case in world.kore.cases.values())
        assert titles == [f"queued {i:02d}" for i in range(BURST + 1)]
        assert len(world.fake.posts("CGENERAL")) == BURST + 1
    finally:
        shut_down(world, proc)
