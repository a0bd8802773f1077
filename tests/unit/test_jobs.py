"""Acks first: work after an ack waits while requests are being answered, but not for long."""

from __future__ import annotations

import threading
import time

from slackcase.core.jobs import AckGate, AfterAck


def test_work_starts_at_once_when_nothing_is_being_answered():
    gate = AckGate(max_wait=1.0, quiet=0.01)
    started = time.monotonic()
    gate.wait_turn()
    assert time.monotonic() - started < 0.05


def test_work_waits_until_requests_are_answered_and_quiet():
    gate = AckGate(max_wait=2.0, quiet=0.05)
    answered = threading.Event()

    def answer() -> None:
        with gate.answering():
            time.sleep(0.2)
        answered.set()

    threading.Thread(target=answer).start()
    time.sleep(0.02)
    gate.wait_turn()
    assert answered.is_set()


def test_work_is_never_held_back_longer_than_max_wait():
    gate = AckGate(max_wait=0.1, quiet=0.01)
    release = threading.Event()

    def answer() -> None:
        with gate.answering():
            release.wait(5)

    threading.Thread(target=answer).start()
    time.sleep(0.02)
    started = time.monotonic()
    gate.wait_turn()
    waited = time.monotonic() - started
    release.set()
    assert 0.05 < waited < 1.0


def test_after_ack_runs_work_and_logs_its_failures(caplog):
    after = AfterAck(workers=2)
    done = threading.Event()
    after(lambda: (_ for _ in ()).throw(ValueError("broken listener")))
    after(done.set)
    assert done.wait(5)
    after.close(wait=True)
    assert "broken listener" in caplog.text
