"""A createCase whose answer is lost is confirmed before it is sent again, within bounds.

KORE_TIMEOUT_SECONDS is 2 in these tests, so the quiet period (reconcile.QUIET_TIMEOUTS
timeouts after the createCase was sent) is 10 s.
"""

import json

from slackcase.cli import _retry
from slackcase.core.domain import State
from slackcase.kore.client import SAFE_READ_ATTEMPTS
from tests.harness import FAST_RETRY, submit_case, wait_for

CONFIRMING = "being confirmed"


def _told_confirming(world) -> int:
    return sum(CONFIRMING in json.dumps(call.args.get("view"))
               for call in world.fake.calls_to("views.update"))


def test_late_commit_is_found_not_created_twice(world):
    # Kore.ai commits the case 6 s after it was sent; the client gave up after 2 s.
    world.kore.inject(op="createCase", delay=6, commit=True, times=1)
    submit_case(world)
    world.announced(1, timeout=25)
    assert len(world.kore.cases) == 1
    assert len(world.kore.requests("createCase")) == 1
    assert _told_confirming(world) == 1  # told once, not at every look
    assert len(world.fake.posts("CGENERAL")) == 1


def test_late_duplicate_is_told_with_both_ref_ids(world):
    # The first createCase commits at 11 s, after the 10 s quiet period; the second one,
    # sent then, commits 1.5 s later and answers 503. Both exist: the card says so.
    world.kore.inject(op="createCase", delay=11, commit=True, times=1)
    world.kore.inject(op="createCase", status=503, delay=1.5, commit=True, times=1)
    submit_case(world)
    world.announced(1, timeout=30)
    refs = sorted(case["refId"] for case in world.cases())
    assert len(refs) == 2 and len(world.kore.requests("createCase")) == 2
    card = json.dumps(world.fake.posts("CGENERAL")[0]["blocks"])
    assert refs[0] in card and refs[1] in card and "also made" in card
    sub = world.app.services.store.in_state(State.ANNOUNCED)[0]
    assert sub.case.refId == refs[0]  # the first createCase's case is the one followed


def test_failing_reconcile_is_bounded_then_resumed_by_retry(world):
    world.kore.inject(op="createCase", delay=3, commit=True, times=1)
    world.kore.inject(op="getCases", status=500, times=-1)
    submit_case(world)
    store = world.app.services.store
    failed = wait_for(lambda: store.in_state(State.FAILED), timeout=30, what="failed")[0]
    assert "may exist" in failed.error and failed.id in failed.error
    looks = len(world.kore.requests("getCases"))
    assert looks <= FAST_RETRY.attempts * SAFE_READ_ATTEMPTS
    assert _told_confirming(world) == 1
    assert len(world.kore.requests("createCase")) == 1  # never sent again unconfirmed
    wait_for(lambda: any("may exist" in json.dumps(v) and "could not be confirmed" in
                         json.dumps(v) for v in world.fake.views.values()),
             what="the person told the case may exist")

    world.kore.clear_faults()
    assert _retry(world.settings, failed.id) == 0
    world.announced(1, timeout=30)  # the running app's sweep resumes it
    assert len(world.kore.requests("getCases")) > looks  # looked again before anything else
    assert len(world.kore.cases) == 1
    assert len(world.kore.requests("createCase")) == 1
    assert len(world.fake.posts("CGENERAL")) == 1
