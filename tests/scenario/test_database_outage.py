"""A replica that loses its database (the server restarted, the network cut) keeps
answering Slack with a clear message, and recovers when the database is back, losing
nothing it acknowledged.

The database here is a SQLite file behind an engine that can be cut off: while it is,
every transaction fails as a lost connection does (StoreUnavailable), reads included,
which a full disk cannot show."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from slackcase.app import build_app
from slackcase.core.domain import State
from slackcase.core.ports import StoreUnavailable
from slackcase.slack import ids
from slackcase.slack.listeners.acking import STORE_AWAY
from slackcase.slack.listeners.submissions import NOT_SAVED
from slackcase.store.sql import SqlStore
from slackcase.store.sqlite import SqliteEngine
from tests.harness import FAST_RETRY, make_world, submit_case, wait_for

AWAY = "the database cannot be reached: connection refused"


class Cut:
    """A database engine whose connection can be cut and restored."""

    def __init__(self, engine: SqliteEngine) -> None:
        self._engine = engine
        self.away = False

    @contextmanager
    def transaction(self, write: bool) -> Iterator[Any]:
        if self.away:
            raise StoreUnavailable(AWAY)
        with self._engine.transaction(write) as cur:
            yield cur

    def problem(self) -> str | None:
        return AWAY if self.away else self._engine.problem()

    def close(self) -> None:
        self._engine.close()


@contextmanager
def app_on_a_cuttable_database(tmp_path) -> Iterator[tuple[Any, Cut, Any, str]]:
    world = make_world(tmp_path, start=False)
    cut = Cut(SqliteEngine(str(tmp_path / "cut.db")))
    app = build_app(world.settings, store=SqlStore(cut, clock=time.time), retry=FAST_RETRY,
                    sweep_seconds=0.3)
    app.start()
    server = app.http_server("127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    world.driver.url = url + "/slack/events"
    try:
        yield world, cut, app, url
    finally:
        server.close()
        app.stop()
        world.stop()


def healthz(url: str) -> int:
    return httpx.get(url + "/healthz", timeout=5, trust_env=False).status_code


def test_without_its_database_a_replica_answers_slack_and_recovers(tmp_path):
    with app_on_a_cuttable_database(tmp_path) as (world, cut, _app, url):
        cut.away = True
        assert healthz(url) == 503
        # /case still opens the form (people are looked up in Slack, not the cache) ...
        answer = world.driver.command("printer on fire", user="UALICE", channel="CGENERAL")
        assert answer.status == 200
        form = wait_for(world.latest_form, what="form")
        # ... and submitting it says it was not saved, keeping what was typed.
        refused = world.driver.submit(form["id"], user="UALICE")
        assert refused.status == 200 and refused.body["response_action"] == "errors"
        assert refused.body["errors"][ids.BLOCK_TITLE] == NOT_SAVED
        # The shortcut opens its form too; a button that needs the database says why not.
        root = world.fake.add_message("CGENERAL", "UBOB", "VPN drops every hour")
        forms = len(world.fake.views)
        assert world.driver.shortcut(root, user="UALICE", channel="CGENERAL").status == 200
        wait_for(lambda: len(world.fake.views) > forms, what="the shortcut's form")
        clicked = world.driver.click(ids.ACTION_RETRY, "sc-any", user="UALICE",
                                     channel="CGENERAL", message=root)
        assert clicked.status == 200
        wait_for(lambda: any(p.get("text") == STORE_AWAY for p in world.fake.response_posts()),
                 what="the button's answer")
        assert world.driver.event({"type": "app_home_opened", "user": "UALICE",
                                   "tab": "home"}).status == 200
        assert not world.kore.requests("createCase")

        cut.away = False
        assert healthz(url) == 200
        again = world.driver.submit(form["id"], user="UALICE")
        assert again.body["response_action"] == "update"
        wait_for(lambda: world.fake.posts("CGENERAL"), what="the confirmation")
        assert len(world.kore.cases) == 1


def test_what_was_acknowledged_before_the_database_went_away_is_finished_once(tmp_path):
    with app_on_a_cuttable_database(tmp_path) as (world, cut, app, _url):
        # Kore.ai makes the case and answers a second later; meanwhile the database goes
        # away, so the job cannot record the case.
        world.kore.inject(op="createCase", delay=1.0, commit=True, times=1)
        assert submit_case(world, "lost in the middle").body["response_action"] == "update"
        wait_for(lambda: world.kore.requests("createCase"), what="createCase sent")
        cut.away = True
        # Kore.ai's answer is back: the job's next step, recording it, fails.
        wait_for(lambda: app.metrics.registry.get_sample_value(
            "slackcase_kore_calls_total", {"endpoint": "createCase", "outcome": "ok"}),
            what="createCase answered")
        assert not world.fake.posts("CGENERAL")
        cut.away = False
        store = app.services.store
        wait_for(lambda: store.in_state(State.ANNOUNCED) and not store.unfinished(),
                 timeout=30, what="the submission to be finished")
        assert len(world.kore.cases) == 1
        assert len(world.kore.requests("createCase")) == 1  # reconciled, not sent again
        assert len(world.fake.posts("CGENERAL")) == 1
