"""Acks first: work after an ack waits while requests are being answered, but not for long."""

from __future__ import annotations

import threading
import time

from slackcase.jobs import AckGate, AfterAck


def started_within(gate: AckGate, timeout: float = 5.0) -> float:
    """Hand work to the gate; return how long it took to start."""
    started = threading.Event()
    handed = time.monotonic()
    gate.when_calm(started.set)
    assert started.wait(timeout)
    return time.monotonic() - handed


def test_work_starts_at_once_when_nothing_is_being_answered():
    gate = AckGate(max_wait=1.0, quiet=0.01)
    assert started_within(gate) < 0.05


def test_work_waits_until_requests_are_answered_and_quiet():
    gate = AckGate(max_wait=2.0, quiet=0.05)
    answered = threading.Event()

    def answer() -> None:
        with gate.answering():
            time.sleep(0.2)
        answered.set()

    threading.Thread(target=answer).start()
    time.sleep(0.02)
    started_within(gate)
    assert answered.is_set()


def test_work_is_never_held_back_longer_than_max_wait():
    gate = AckGate(max_wait=0.1, quiet=0.01)
    release = threading.Event()

    def answer() -> None:
        with gate.answering():
            release.wait(5)

    threading.Thread(target=answer).start()
    time.sleep(0.02)
    waited = started_within(gate)
    release.set()
    assert 0.05 < waited < 1.0


def test_held_work_starts_in_the_order_it_was_handed_over_once_calm():
    gate = AckGate(max_wait=5.0, quiet=0.01)
    order: list[int] = []
    all_started = threading.Event()

    def start(i: int) -> None:
        order.append(i)
        if len(order) == 3:
            all_started.set()

    with gate.answering():
        for i in range(3):
            gate.when_calm(lambda i=i: start(i))
        time.sleep(0.05)
        assert order == []  # held while a request is being answered
    assert all_started.wait(2)
    assert order == [0, 1, 2]


def test_held_work_is_started_on_release_when_the_app_stops():
    gate = AckGate(max_wait=5.0, quiet=0.01)
    started = threading.Event()
    with gate.answering():
        gate.when_calm(started.set)
        assert not started.is_set()
        gate.release()
        assert started.is_set()


def test_after_ack_runs_work_and_logs_its_failures(caplog):
    after = AfterAck(workers=2)
    done = threading.Event()
    after(lambda: (_ for _ in ()).throw(ValueError("broken listener")))
    after(done.set)
    assert done.wait(5)
    after.close(wait=True)
    assert "broken listener" in caplog.text
