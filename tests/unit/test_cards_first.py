"""Cards first: while one case's confirmation card is still to be posted, the later steps of
other cases' announcements (modal result, permalink, team notice) wait for it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from slackcase.config import load_settings
from slackcase.core.cases import CaseService
from slackcase.core.domain import CaseDraft, Origin, Submission
from slackcase.core.jobs import AckGate, CardGate
from slackcase.kore.models import Case
from slackcase.store import Store


class Recorder:
    """An announcer that records its calls; case A's card is held until released."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.release_a = threading.Event()

    def confirmation(self, sub: Submission, case: Case) -> dict[str, Any]:
        if sub.draft.title == "A":
            self.release_a.wait(5)
        self.calls.append(("card", sub.draft.title))
        return {"via": "channel", "channel": "C1", "ts": f"1.{sub.draft.title}"}

    def modal_result(self, sub: Submission, case: Case) -> bool:
        self.calls.append(("modal", sub.draft.title))
        return True

    def link(self, sub: Submission) -> str | None:
        self.calls.append(("link", sub.draft.title))
        return None


def created(store: Store, title: str) -> Submission:
    draft = CaseDraft(template_id="ctm-1", title=title, description="d",
                      due=datetime(2030, 1, 1, tzinfo=UTC), requester_id="U1")
    sub = store.accept(f"sc-{title}", draft, Origin(source="command", user_id="U1",
                                                     channel_id="C1"), idem_key=None)
    sub = store.mark_sent(sub, {"name": title})
    case = Case.model_validate({"_id": f"ci-{title}", "refId": f"CS-{title}", "name": title})
    return store.mark_created(sub, case)


def announcing(store: Store, announcer: Recorder) -> CaseService:
    """A CaseService for _announce only: no Kore.ai, no directory, no jobs."""
    return CaseService(settings=load_settings({"KORE_CASE_TEMPLATES": "ctm-1=One"}),
                       store=store, kore=None, directory=None,  # type: ignore[arg-type]
                       announcer=announcer, jobs=None,  # type: ignore[arg-type]
                       cards=CardGate(max_wait=5.0, quiet=0.01))


def test_later_steps_wait_while_another_case_still_has_its_card_to_post(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    announcer = Recorder()
    service = announcing(store, announcer)
    a, b = created(store, "A"), created(store, "B")
    try:
        first = threading.Thread(target=service._announce, args=(a,))
        first.start()
        time.sleep(0.1)  # A is posting its card
        second = threading.Thread(target=service._announce, args=(b,))
        second.start()
        time.sleep(0.3)
        assert announcer.calls == [("card", "B")]  # B's modal and link wait for A's card
        announcer.release_a.set()
        first.join(5)
        second.join(5)
        assert announcer.calls[:2] == [("card", "B"), ("card", "A")]
        assert sorted(announcer.calls[2:]) == [("link", "A"), ("link", "B"),
                                               ("modal", "A"), ("modal", "B")]
        assert store.get(a.id).done and store.get(b.id).done
    finally:
        announcer.release_a.set()
        store.close()


def test_without_other_cards_the_later_steps_do_not_wait(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    announcer = Recorder()
    service = announcing(store, announcer)
    try:
        started = time.monotonic()
        service._announce(created(store, "B"))
        assert time.monotonic() - started < 1.0
        assert announcer.calls == [("card", "B"), ("modal", "B"), ("link", "B")]
    finally:
        store.close()


def test_later_steps_also_wait_while_requests_from_slack_are_answered():
    acks = AckGate(max_wait=5.0, quiet=0.01)
    cards = CardGate(max_wait=5.0, quiet=0.01, acks=acks)
    waited = threading.Event()
    acks.begin()  # a request from Slack is being answered
    waiter = threading.Thread(target=lambda: (cards.wait_turn(), waited.set()))
    waiter.start()
    assert not waited.wait(0.3)
    acks.end()
    assert waited.wait(2)
    waiter.join(2)


class FailingOnce(Recorder):
    """Its first card fails (Slack down); the link is known once a card was posted."""

    def __init__(self) -> None:
        super().__init__()
        self.release_a.set()
        self.failed = False

    def confirmation(self, sub: Submission, case: Case) -> dict[str, Any]:
        if not self.failed:
            self.failed = True
            raise RuntimeError("Slack is down")
        return super().confirmation(sub, case)

    def link(self, sub: Submission) -> str | None:
        super().link(sub)
        return "https://slack.example/archives/C1/p1" if "card" in sub.steps else None


class Retries:
    def __init__(self) -> None:
        self.scheduled: list[str] = []

    def run(self, key: str, fn: Any, *, delay: float = 0.0) -> None:
        self.scheduled.append(key)


def test_a_card_posted_on_the_retry_still_gets_its_link(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    announcer = FailingOnce()
    service = announcing(store, announcer)
    service.jobs = Retries()  # type: ignore[assignment]
    try:
        sub = created(store, "B")
        service._announce(sub)
        assert service.jobs.scheduled == [sub.id]  # type: ignore[attr-defined]
        assert "link" not in store.get(sub.id).steps  # no link for a card not yet posted
        service._announce(store.get(sub.id))
        done = store.get(sub.id)
        assert done.done and done.card_link == "https://slack.example/archives/C1/p1"
        assert announcer.calls == [("modal", "B"), ("card", "B"), ("link", "B")]
    finally:
        store.close()
