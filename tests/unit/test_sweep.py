"""The sweep resumes every unfinished submission no job here is working on, with backoff."""

from __future__ import annotations

from datetime import UTC, datetime

from slackcase.cases import CaseService
from slackcase.config import load_settings
from slackcase.domain import CaseDraft, Origin
from slackcase.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Jobs:
    """Records what is scheduled; `busy` names the submissions a job is working on."""

    def __init__(self) -> None:
        self.scheduled: list[str] = []
        self.working: set[str] = set()

    def run(self, key: str, fn: object, *, delay: float = 0.0) -> None:
        self.scheduled.append(key)

    def busy(self, key: str) -> bool:
        return key in self.working


def accepted(store: Store, sub_id: str):
    draft = CaseDraft(template_id="ctm-1", title=sub_id, description="d",
                      due=datetime(2030, 1, 1, tzinfo=UTC), requester_id="U1")
    return store.accept(sub_id, draft, Origin(source="command", user_id="U1"), idem_key=None)


def test_sweep_resumes_every_unfinished_state_not_being_worked_on_with_backoff():
    clock, jobs = Clock(), Jobs()
    store = Store(":memory:", clock=clock)
    service = CaseService(settings=load_settings({"KORE_CASE_TEMPLATES": "ctm-1=One"}),
                          store=store, kore=None, directory=None,  # type: ignore[arg-type]
                          announcer=None, jobs=jobs, clock=clock)  # type: ignore[arg-type]
    sent = store.mark_sent(accepted(store, "sc-sent"), {"name": "x"})
    accepted(store, "sc-working")
    jobs.working.add("sc-working")
    clock.now += 1
    assert service.sweep(older_than=5) == 0  # touched a moment ago
    clock.now += 5
    assert service.sweep(older_than=5) == 1 and jobs.scheduled == ["sc-sent"]
    # Still untouched (resumed at 1006): the next resume waits 10 s, then 20 s, then 40 s,
    # not every sweep.
    times = []
    for _ in range(40):
        clock.now += 1
        if service.sweep(older_than=5):
            times.append(clock.now)
    assert times == [1016, 1036]
    assert "sc-working" not in jobs.scheduled
    # Progress resets the backoff: a write to it, then untouched again for older_than.
    store.mark_unsent(sent)
    clock.now += 6
    assert service.sweep(older_than=5) == 1
    store.close()
