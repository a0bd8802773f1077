"""Two `slackcase run --http` processes on one PostgreSQL database behave as one app: a
modal opened through one is submitted through the other, a thread or a modal reaching both
at once makes one case, a replica killed mid-call is taken over, a retried event is handled
once. Each test counts what the fake Kore.ai and the fake Slack received."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from slackcase.core.domain import State
from tests.harness import replicas_on, wait_for


@pytest.fixture
def two(tmp_path, pg_url):
    """The world's fakes, and two replicas on one fresh PostgreSQL database."""
    with replicas_on(tmp_path, pg_url, SLACKCASE_POLL_SECONDS="3600",
                     KORE_TIMEOUT_SECONDS="8") as both:
        yield both


def announced(store: Any, count: int, timeout: float = 20.0) -> None:
    wait_for(lambda: len(store.in_state(State.ANNOUNCED)) >= count, timeout,
             f"{count} announced")


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls together (each on its own thread, released at the same moment)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def form_ids(world: Any) -> list[str]:
    return [v["id"] for v in world.fake.views.values() if v.get("callback_id") == "case_form"]


def test_a_modal_opened_through_one_replica_is_submitted_through_the_other(two):
    world, (a, b), store = two
    a.driver.command("printer on fire", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    answer = b.driver.submit(form["id"], user="UALICE")
    assert answer.body["response_action"] == "update"
    announced(store, 1)
    assert len(world.kore.requests("createCase")) == 1 and len(world.kore.cases) == 1
    assert len(world.fake.posts("CGENERAL")) == 1


def test_one_threads_shortcut_on_both_replicas_makes_one_case(two):
    world, (a, b), store = two
    root = world.fake.add_message("CSUPPORT", "UBOB", "VPN drops every hour")
    reply = world.fake.add_message("CSUPPORT", "UALICE", "since Monday",
                                   thread_ts=root["ts"])
    at_once(lambda: a.driver.shortcut(root, user="UBOB", channel="CSUPPORT"),
            lambda: b.driver.shortcut(reply, user="UALICE", channel="CSUPPORT"))
    forms = wait_for(lambda: len(form_ids(world)) == 2 and form_ids(world), what="two forms")
    answers = at_once(lambda: a.driver.submit(forms[0], user="UBOB"),
                      lambda: b.driver.submit(forms[1], user="UALICE"))
    announced(store, 1)
    callbacks = sorted(answer.body["view"]["callback_id"] for answer in answers)
    assert callbacks == ["case_exists", "case_status"]
    assert len(world.kore.requests("createCase")) == 1 and len(world.kore.cases) == 1
    assert len([m for m in world.fake.posts("CSUPPORT") if m.get("thread_ts")]) == 1


def test_one_modal_submitted_to_both_replicas_at_once_makes_one_case(two):
    world, (a, b), store = two
    a.driver.command("double submit", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    request = a.driver.submission_request(form["id"], user="UALICE")  # one request, twice
    answers = at_once(lambda: a.driver.send(request), lambda: b.driver.send(request))
    assert [answer.body["response_action"] for answer in answers] == ["update", "update"]
    announced(store, 1)
    assert len(world.kore.requests("createCase")) == 1 and len(world.kore.cases) == 1
    assert len(world.fake.posts("CGENERAL")) == 1
    assert len(store.in_state(State.ANNOUNCED)) == 1


def test_a_replica_killed_during_createcase_is_taken_over_and_the_case_made_once(two):
    world, (a, _b), store = two
    # createCase reaches Kore.ai, which commits it only after a while: A dies meanwhile.
    world.kore.inject(op="createCase", delay=3.0, commit=True)
    a.driver.command("kill the replica", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    assert a.driver.submit(form["id"], user="UALICE").body["response_action"] == "update"
    wait_for(lambda: world.kore.requests("createCase"), what="createCase sent by A")
    a.kill()
    killed = time.time()
    # B looks in Kore.ai (getCases) before anything else: that is its taking over.
    taken = wait_for(lambda: next((r.at for r in world.kore.requests("getCases")
                                   if r.at > killed), None), 25, "B's takeover")
    # The lease lapses at most 10 s after the kill, and B's next sweep is at most 5 s on
    # (the second more is the sweep's own work on a loaded machine).
    assert taken - killed <= 16, f"taken over {taken - killed:.1f} s after the kill"
    announced(store, 1, timeout=20)
    confirmed = time.time()
    assert len(world.kore.requests("createCase")) == 1 and len(world.kore.cases) == 1
    assert len(world.fake.posts("CGENERAL")) == 1
    print(f"kill -> takeover {taken - killed:.1f} s, -> confirmed {confirmed - killed:.1f} s")


def test_a_slack_retry_of_an_event_another_replica_had_is_handled_once(two):
    world, (a, b), _store = two
    event = {"type": "app_home_opened", "user": "UALICE", "tab": "home",
             "channel": "D0HOME"}
    assert a.driver.event(event, event_id="EvReplica1").status == 200
    wait_for(lambda: world.fake.calls_to("views.publish"), what="home published by A")
    retry = b.driver.event(event, event_id="EvReplica1",
                           headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason":
                                    "http_timeout"})
    assert retry.status == 200
    # A new event to B is the signal that B has handled what it was given.
    b.driver.event(event, event_id="EvReplica2")
    wait_for(lambda: len(world.fake.calls_to("views.publish")) >= 2, what="second publish")
    assert len(world.fake.calls_to("views.publish")) == 2
