"""Work after the ack: run on its own pool, failures logged."""

from __future__ import annotations

import threading

from slackcase.core.jobs import AfterAck


def test_after_ack_runs_work_and_logs_its_failures(caplog):
    after = AfterAck(workers=2)
    done = threading.Event()
    after(lambda: (_ for _ in ()).throw(ValueError("broken listener")))
    after(done.set)
    assert done.wait(5)
    after.close(wait=True)
    assert "broken listener" in caplog.text
