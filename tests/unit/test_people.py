"""Thread authors are looked up a few at a time, each once."""

from __future__ import annotations

import threading
import time

from slackcase.slack.people import PREFETCH_CONCURRENCY, SlackDirectory, person_from
from slackcase.store import open_store


class SlowUsersInfo:
    """Just users.info, answering after 50 ms like Slack would; counts what it was asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def users_info(self, *, user: str, include_locale: bool) -> dict:
        with self._lock:
            self.calls.append(user)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.05)
        with self._lock:
            self.in_flight -= 1
        return {"user": {"id": user, "real_name": f"Person {user}",
                         "profile": {"email": f"{user.lower()}@example.com"}}}


def test_prefetch_looks_up_each_missing_author_once_a_few_at_a_time():
    client = SlowUsersInfo()
    store = open_store(":memory:")
    directory = SlackDirectory(client, store)  # type: ignore[arg-type]
    directory.person("U0")  # already known: not asked again
    authors = [f"U{i % 40}" for i in range(400)]
    started = time.monotonic()
    directory.prefetch(authors)
    took = time.monotonic() - started
    assert sorted(client.calls) == sorted(f"U{i}" for i in range(40))
    assert 1 < client.most_in_flight <= PREFETCH_CONCURRENCY
    assert took < 39 * 0.05  # one by one would take about two seconds
    assert directory.name("U7") == "Person U7" and len(client.calls) == 40
    store.close()


def test_a_persons_name_is_their_real_name_then_display_name_then_handle():
    profile = {"real_name": "Alice Profile", "display_name": "Ally"}
    full = {"id": "U1", "name": "alice", "real_name": "Alice Example", "profile": profile}
    assert person_from(full).name == "Alice Example"
    assert person_from({**full, "real_name": ""}).name == "Alice Profile"
    assert person_from({**full, "real_name": None,
                        "profile": {"display_name": "Ally", "real_name": " "}}).name == "Ally"
    assert person_from({"id": "U1", "name": "alice", "profile": {"display_name": ""}}).name \
        == "alice"
    assert person_from({"id": "U1"}).name == "U1"
