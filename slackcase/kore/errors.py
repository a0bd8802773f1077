"""Kore.ai errors by meaning. httpx exceptions never leave kore/.

`outcome_unknown` says whether the request may have been processed by Kore.ai
(a timeout after sending, a 5xx, a garbled 200): such a createCase must be
reconciled with getCases before it is retried.
"""

from __future__ import annotations

from slackcase.logs import mask

# Kore.ai's error text ends up in logs, the store and Slack notices; an answer body of
# thousands of characters is cut here, once, so none of them carries it whole.
MESSAGE_MAX = 500


def _clip(text: str, limit: int = MESSAGE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class KoreError(Exception):
    outcome_unknown = False
    retryable = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(_clip(mask(message)))  # an echoed token never reaches a person
        self.status = status

    @property
    def user_message(self) -> str:
        return str(self)


class KoreAuthError(KoreError):
    """401/403: the JWT app credentials, scope or account are wrong."""

    @property
    def user_message(self) -> str:
        return "Kore.ai refused slackcase's credentials; an admin needs to check them."


class KoreRateLimited(KoreError):
    """429: nothing was created; wait `retry_after` seconds."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class KoreRejected(KoreError):
    """4xx other than auth and rate limit: the request itself was refused."""

    def __init__(self, messages: list[str], *, status: int | None = None) -> None:
        self.messages = [_clip(mask(m)) for m in messages]
        super().__init__("; ".join(self.messages) or "request rejected", status=status)

    @property
    def user_message(self) -> str:
        return f"Kore.ai rejected the case: {self}"


class KoreUnavailable(KoreError):
    """Kore.ai could not be reached, timed out or failed (5xx)."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, sent: bool = True) -> None:
        super().__init__(message, status=status)
        self.outcome_unknown = sent

    @property
    def user_message(self) -> str:
        return "Kore.ai is not answering right now."


class KoreNoAnswer(KoreUnavailable):
    """The request was sent and no answer came (timeout, connection lost): Kore.ai may still
    be working on it, and commit it seconds later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, sent=True)


class KoreStopped(KoreError):
    """slackcase is stopping: the call was not made (it is made after the restart)."""

    def __init__(self, message: str = "slackcase is stopping; the call was not made") -> None:
        super().__init__(message)

    @property
    def user_message(self) -> str:
        return "slackcase is restarting."


class KoreBadResponse(KoreError):
    """Kore.ai answered 2xx with something that is not the documented shape."""

    retryable = True
    outcome_unknown = True

    @property
    def user_message(self) -> str:
        return "Kore.ai sent an answer slackcase could not read."
