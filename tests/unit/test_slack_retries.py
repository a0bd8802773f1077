"""slack_sdk's retries, with waits a stopping process ends: against the fake Slack."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk.errors import SlackApiError

from slackcase.app import slack_client
from slackcase.config import load_settings
from slackcase.sandbox.fake_slack import FakeSlack

TOKEN = "xoxb-retries"


@pytest.fixture
def fake():
    fake = FakeSlack(bot_token=TOKEN)
    fake.serve()
    fake.add_channel("C1", "general")
    yield fake
    fake.close()


class WatchedStop(threading.Event):
    """The stop signal, telling when someone starts waiting on it (a Retry-After wait)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        if timeout:
            self.waiting.set()
        return super().wait(timeout)


def client(fake: FakeSlack, stopping: threading.Event):
    return slack_client(load_settings({"SLACK_BOT_TOKEN": TOKEN,
                                       "SLACK_API_URL": fake.api_url}), stopping)


def test_a_429_is_retried_after_retry_after(fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=1)
    started = time.monotonic()
    client(fake, threading.Event()).chat_postMessage(channel="C1", text="hello")
    assert time.monotonic() - started >= 1.0
    assert fake.count("chat.postMessage") == 2 and len(fake.posts("C1")) == 1


def test_stopping_ends_a_retry_after_wait_and_the_call_fails_unretried(fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=30, times=5)
    stopping = WatchedStop()
    outcome: list[Exception] = []

    def post() -> None:
        try:
            client(fake, stopping).chat_postMessage(channel="C1", text="hello")
        except Exception as exc:
            outcome.append(exc)

    poster = threading.Thread(target=post, daemon=True)
    poster.start()
    assert stopping.waiting.wait(timeout=5), "never waited out the Retry-After"
    assert fake.count("chat.postMessage") == 1
    stopped = time.monotonic()
    stopping.set()
    poster.join(timeout=5)
    assert not poster.is_alive() and time.monotonic() - stopped < 1
    assert isinstance(outcome[0], SlackApiError)
    assert outcome[0].response["error"] == "ratelimited"
    assert fake.count("chat.postMessage") == 1  # not retried once stopping
