"""The store: every write committed once, one live case per thread, writes that return
what a fresh read sees."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from slackcase.core.domain import CaseDraft, Origin, State, new_submission_id
from slackcase.store import ThreadHasCase, open_store


def draft(title: str = "Printer on fire") -> CaseDraft:
    return CaseDraft(template_id="ctm-1", title=title, description="It smokes.",
                     due=datetime(2030, 1, 1, tzinfo=UTC), requester_id="U1")


def origin(thread: str | None = None) -> Origin:
    return Origin(source="shortcut" if thread else "command", user_id="U1", channel_id="C1",
                  thread_ts=thread)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """Each test runs on both engines: a SQLite file, and a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(database):
    s = open_store(database)
    yield s
    s.close()


def test_fifty_concurrent_accepts_are_all_committed_once(database, store):
    ids = [new_submission_id() for _ in range(50)]
    with ThreadPoolExecutor(50) as pool:
        subs = list(pool.map(lambda i: store.accept(i, draft(i), origin(), idem_key=i), ids))
    assert [s.id for s in subs] == ids and all(s.state is State.ACCEPTED for s in subs)
    # Every one is stored: a second store (another process, after a crash) sees them, and
    # the same keys again return the first submissions rather than new ones.
    other = open_store(database)
    try:
        again = [other.accept(new_submission_id(), draft(i), origin(), idem_key=i)
                 for i in ids]
        assert [s.id for s in again] == ids and len(other.unfinished()) == 50
    finally:
        other.close()


def test_repeated_idempotency_key_returns_the_first_submission(store):
    first = store.accept("sc-1", draft(), origin(), idem_key="view:hash")
    again = store.accept("sc-2", draft("other"), origin(), idem_key="view:hash")
    assert again.id == first.id and store.get("sc-2") is None


def test_thread_with_a_live_case_refuses_a_second_even_when_grouped(store):
    store.accept("sc-1", draft(), origin("111.1"), idem_key=None)
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(
            lambda i: _outcome(lambda: store.accept(f"sc-x{i}", draft(), origin("111.1"),
                                                    idem_key=None)), range(8)))
    assert all(isinstance(o, ThreadHasCase) for o in outcomes)
    assert store.thread_case("C1:111.1").id == "sc-1"  # type: ignore[union-attr]


def test_one_thread_gets_one_case_when_replicas_accept_it_at_once(database):
    """Two stores on one database (two replicas), eight submissions for one fresh thread at
    the same moment: one is accepted, every other is told the thread has it."""
    stores = [open_store(database) for _ in range(2)]
    barrier = threading.Barrier(8)

    def accept(i: int):
        barrier.wait()
        return _outcome(lambda: stores[i % 2].accept(f"sc-r{i}", draft(), origin("222.2"),
                                                      idem_key=f"k{i}"))
    try:
        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(accept, range(8)))
        accepted = [o for o in outcomes if not isinstance(o, Exception)]
        assert len(accepted) == 1, outcomes
        assert all(isinstance(o, ThreadHasCase) and o.existing.id == accepted[0].id
                   for o in outcomes if o is not accepted[0])
        assert stores[1].thread_case("C1:222.2").id == accepted[0].id  # type: ignore[union-attr]
        assert len(stores[0].unfinished()) == 1
    finally:
        for s in stores:
            s.close()


def test_what_was_written_survives_a_reopen(database):
    path = database
    s = open_store(path)
    sub = s.accept("sc-1", draft(), origin(), idem_key=None)
    s.mark_step(sub, "card", {"ts": "1.2"})
    s.close()
    reopened = open_store(path)
    try:
        assert reopened.get("sc-1").steps == {"card": {"ts": "1.2"}}  # type: ignore[union-attr]
    finally:
        reopened.close()


def test_writes_from_many_threads_keep_every_step(store):
    sub = store.accept("sc-1", draft(), origin(), idem_key=None)
    barrier = threading.Barrier(20)

    def step(i: int) -> None:
        barrier.wait()
        store.mark_step(sub, f"step{i}", i)

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(step, range(20)))
    assert store.get("sc-1").steps == {f"step{i}": i for i in range(20)}  # type: ignore[union-attr]


def _outcome(fn):
    try:
        return fn()
    except Exception as exc:
        return exc


def test_each_write_returns_the_submission_exactly_as_a_fresh_read_sees_it(store):
    from slackcase.kore.models import Case

    case = Case.model_validate({"_id": "ci-1", "refId": "CS000101", "name": "t",
                                "status": {"name": "Open"}, "priority": {"name": "Medium"},
                                "currAssignee": {"aId": "a-1", "name": "John"}})
    sub = store.accept("sc-1", draft(), origin(), idem_key="k-1")
    assert sub == store.get("sc-1")
    sub = store.claim("sc-1", 15)  # createCase's writes are made by the lease's owner only
    writes = [
        lambda s: store.mark_sent(s, {"name": "Printer on fire", "caseTmp": "ctm-1"}),
        lambda s: store.mark_not_created(s, uncertain=True, error="timed out",
                                         error_kind="KoreUnavailable"),
        lambda s: store.mark_sent(s, {"name": "Printer on fire"}),
        lambda s: store.mark_unsent(s),
        lambda s: store.mark_sent(s, {"name": "Printer on fire"}),
        lambda s: store.mark_created(s, case),
        lambda s: store.mark_step(s, "card", {"channel": "C1", "ts": "1.2"}),
        lambda s: store.mark_step(s, "modal", True),
        lambda s: store.mark_announced(s, {"status": "Open"}, tracking=True),
        lambda s: store.mark_failed(s, error="gave up", error_kind="KoreRejected"),
    ]
    attempts = []
    for write in writes:
        sub = write(sub)
        assert sub == store.get("sc-1")
        attempts.append(sub.attempts)
    assert attempts[:5] == [1, 1, 2, 1, 2]  # a call not made (mark_unsent) is no attempt
    assert sub.attempts == 2 and sub.steps == {"card": {"channel": "C1", "ts": "1.2"},
                                               "modal": True}


def test_a_submission_is_worked_by_one_owner_until_its_lease_lapses(database):
    now = [1000.0]
    path = database
    first, second = (open_store(path, clock=lambda: now[0]) for _ in range(2))
    try:
        first.accept("sc-1", draft(), origin(), idem_key=None)
        assert first.claim("sc-1", 15) is not None
        assert second.claim("sc-1", 15) is None and second.due() == []
        now[0] += 10
        assert first.renew_leases(15) == 1  # the owner lives: its lease goes on
        now[0] += 10
        assert second.claim("sc-1", 15) is None
        now[0] += 16  # the owner died: no renewal
        assert second.due() == ["sc-1"]
        assert second.claim("sc-1", 15) is not None
    finally:
        first.close()
        second.close()


def test_a_released_submission_is_due_again_after_its_backoff(store):
    sub = store.accept("sc-1", draft(), origin(), idem_key=None)
    claimed = store.claim("sc-1", 15)
    store.release(claimed, retry_in=60, fault=True)
    assert store.due() == []
    assert store.get("sc-1").faults == 1  # type: ignore[union-attr]
    store.release(store.claim("sc-1", 15), retry_in=None)
    assert store.due() == [sub.id] and store.get("sc-1").faults == 0  # type: ignore[union-attr]


def test_a_second_process_on_one_sqlite_file_is_refused(tmp_path):
    from slackcase.core.ports import StoreUnavailable

    path = str(tmp_path / "one.db")
    running = open_store(path, exclusive=True)
    try:
        with pytest.raises(StoreUnavailable, match="postgresql://"):
            open_store(path, exclusive=True)
        open_store(path).close()  # `slackcase submissions` beside it is fine
    finally:
        running.close()
    open_store(path, exclusive=True).close()  # free again once it stopped


def test_a_process_whose_lease_was_taken_over_cannot_send_or_adopt(tmp_path):
    from slackcase.core.ports import LeaseLost

    now = [1000.0]
    path = str(tmp_path / "shared.db")
    cut_off, other = (open_store(path, clock=lambda: now[0]) for _ in range(2))
    try:
        cut_off.accept("sc-1", draft(), origin(), idem_key=None)
        mine = cut_off.claim("sc-1", 10)
        now[0] += 11  # no renewal reached the database: the lease lapsed
        assert other.claim("sc-1", 10) is not None
        with pytest.raises(LeaseLost):
            cut_off.mark_sent(mine, {"name": "Printer on fire"})
        assert other.get("sc-1").attempts == 0  # type: ignore[union-attr]
    finally:
        cut_off.close()
        other.close()


def test_a_restarted_sole_process_takes_up_a_dead_ones_work_at_once(tmp_path):
    path = str(tmp_path / "one.db")
    dead = open_store(path, exclusive=True)
    dead.accept("sc-1", draft(), origin(), idem_key=None)
    assert dead.claim("sc-1", 3600) is not None
    dead.close()  # as if killed while working it: its lease is still in the file
    restarted = open_store(path, exclusive=True)
    try:
        assert restarted.due() == ["sc-1"]
    finally:
        restarted.close()
