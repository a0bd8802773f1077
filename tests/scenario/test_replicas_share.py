"""Two replicas on one database behave as one app: one poller, so a change in Kore.ai is
told once. The replicas here are two apps in this process (and, for a death, a
`slackcase run` process) on one SQLite file, which stands for the shared database;
test_replicas_share_on_postgres.py runs these promises, and the shared budget, as real
processes on PostgreSQL."""

from __future__ import annotations

import signal
import sqlite3
import threading
from typing import Any

from slackcase.app import Slackcase, build_app
from slackcase.sandbox.slack_driver import SlackDriver
from slackcase.store import open_store
from tests.harness import (
    FAST_RETRY,
    SIGNING_SECRET,
    World,
    app_process,
    make_world,
    submit_case,
    wait_for,
)

BUDGET = 6  # a minute: a burst of 6, then one every 10 s


def second_replica(world: World, **update: Any) -> tuple[Slackcase, Any, SlackDriver]:
    """Another app on world's database and fakes, with its own HTTP server."""
    settings = world.settings.model_copy(update=update)
    app = build_app(settings, store=open_store(settings.database), retry=FAST_RETRY)
    app.start()
    server = app.http_server("127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    return app, server, SlackDriver(f"http://127.0.0.1:{server.effective_port}",
                                    SIGNING_SECRET, world.fake)


def told(world: World) -> tuple[int, int, int]:
    """Card updates, replies in the thread, DMs to the requester."""
    replies = [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts")]
    return world.fake.count("chat.update"), len(replies), len(world.fake.posts("DALICE"))


def test_a_change_is_told_once_while_two_replicas_poll(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_POLL_SECONDS": "0.3"})
    other, server, driver = second_replica(world)
    try:
        assert submit_case(world, "printer on fire").body["response_action"] == "update"
        world.announced(1)
        updates_before = world.fake.count("chat.update")
        case_id = next(iter(world.kore.cases))
        world.kore.assign(case_id, 1)
        world.kore.set_status(case_id, "Resolved")
        wait_for(lambda: world.fake.posts("DALICE"), what="the resolution DM")
        rounds = world.app.poller.rounds + other.poller.rounds
        wait_for(lambda: world.app.poller.rounds + other.poller.rounds >= rounds + 3,
                 what="three more rounds")
        assert told(world) == (updates_before + 1, 1, 1)
        # One replica polled: the other ran no round, so getCases was called as one would.
        assert sorted([world.app.poller.rounds > 0, other.poller.rounds > 0]) == [False, True]
    finally:
        server.close()
        driver.close()
        other.stop()
        world.stop()


def test_a_replica_that_stops_hands_the_poller_over_at_once(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_POLL_SECONDS": "0.3"})
    other, server, driver = second_replica(world)
    try:
        assert submit_case(world, "printer on fire").body["response_action"] == "update"
        world.announced(1)
        wait_for(lambda: world.app.poller.leading or other.poller.leading, what="a leader")
        leader, follower = ((world.app, other) if world.app.poller.leading
                            else (other, world.app))
        leader.poller.stop()
        wait_for(lambda: follower.poller.leading, timeout=2, what="the follower to poll")
        case_id = next(iter(world.kore.cases))
        world.kore.set_status(case_id, "Resolved")
        wait_for(lambda: world.fake.posts("DALICE"), what="the resolution DM")
        rounds = follower.poller.rounds
        wait_for(lambda: follower.poller.rounds >= rounds + 2, what="two more rounds")
        assert told(world)[1:] == (1, 1)
    finally:
        server.close()
        driver.close()
        other.stop()
        world.stop()


def test_a_dead_pollers_place_is_taken_within_one_interval(tmp_path):
    """`slackcase run` leads the poller and is SIGKILLed; the other replica tells the
    change it would have told, once, about one interval after its round was due."""
    world = make_world(tmp_path, start=False)
    start = app_process(world, tmp_path, SLACKCASE_POLL_SECONDS="1")
    proc = start()
    database = str(tmp_path / "app.db")
    other = None
    try:
        assert submit_case(world, "printer on fire").body["response_action"] == "update"
        wait_for(lambda: world.fake.posts("CGENERAL"), what="the confirmation")
        leader = lambda: sqlite3.connect(database).execute(  # noqa: E731
            "SELECT owner FROM leaders").fetchall()
        wait_for(leader, what="the process to lead the poller")
        other = build_app(world.settings.model_copy(update={"database": database,
                                                            "poll_seconds": 1.0}),
                          store=open_store(database), retry=FAST_RETRY)
        other.start()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        case_id = next(iter(world.kore.cases))
        world.kore.set_status(case_id, "Resolved")
        # The lease lapses 1.5 intervals after the last renewal; the follower asks every
        # half interval, then polls: about 2.5 s, 5 s under a loaded machine.
        wait_for(lambda: world.fake.posts("DALICE"), timeout=5, what="the resolution DM")
        assert other.poller.leading
        rounds = other.poller.rounds
        wait_for(lambda: other.poller.rounds >= rounds + 2, what="two more rounds")
        assert told(world)[1:] == (1, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        if other:
            other.stop()
        world.driver.close()
        world.app.stop()
        world.fake.close()
        world.kore.close()
