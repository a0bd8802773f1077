"""slack_sdk's retry handlers (429 Retry-After, connection errors, 5xx), with waits that a
stopping process ends at once.

slack_sdk's handlers sleep with `time.sleep`: a 429 from Slack can carry a Retry-After of
tens of seconds, three times over, and a stopping process would wait for all of it. Here
the wait is on `stopping`; once it is set, no call is retried and a wait in progress ends,
so the call fails as it would without a retry (the step is done again after the restart).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from slack_sdk.http_retry import RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.response import HttpResponse


class _UntilStopped(RetryHandler):
    def __init__(self, stopping: threading.Event, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)  # the slack_sdk handler's own
        self._stopping = stopping

    def _can_retry(self, **kwargs: Any) -> bool:
        return not self._stopping.is_set() and super()._can_retry(**kwargs)

    def _pause(self, state: RetryState, seconds: float) -> None:
        """Wait, then ask for the next attempt; unless the process stops meanwhile."""
        if not self._stopping.wait(seconds):
            state.next_attempt_requested = True
            state.increment_current_attempt()

    def prepare_for_next_attempt(self, *, state: RetryState, **kwargs: Any) -> None:
        self._pause(state, self.interval_calculator.calculate_sleep_duration(
            state.current_attempt))


class RateLimitRetries(_UntilStopped, RateLimitErrorRetryHandler):
    def prepare_for_next_attempt(self, *, state: RetryState,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None, **kwargs: Any) -> None:
        if response is None:  # as slack_sdk's handler: a 429 always has a response
            raise error  # type: ignore[misc]
        retry_after = next((values for name, values in response.headers.items()
                            if name.lower() == "retry-after"), None)
        seconds = int(retry_after[0]) if retry_after else 1
        self._pause(state, seconds + random.random())


class ConnectionRetries(_UntilStopped, ConnectionErrorRetryHandler):
    """Connection errors, retried after slack_sdk's backoff."""


class ServerErrorRetries(_UntilStopped, ServerErrorRetryHandler):
    """500 and 503, retried after slack_sdk's backoff."""


def retry_handlers(stopping: threading.Event) -> list[RetryHandler]:
    """What slack_client uses: 429s three times, connection errors and 5xx twice."""
    return [RateLimitRetries(stopping, 3), ConnectionRetries(stopping, 2),
            ServerErrorRetries(stopping, 2)]
