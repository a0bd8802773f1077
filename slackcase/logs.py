"""Logging: one line per event, a correlation id per submission, secrets scrubbed."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterator

# One event's message, not its traceback: long enough for any line slackcase writes, short
# enough that a large answer body quoted by a library never floods the log.
MESSAGE_MAX = 2000

_correlation: contextvars.ContextVar[str] = contextvars.ContextVar("correlation", default="-")

# Anything shaped like a Slack token, a JWT or a signing header is masked, whatever logs it.
_SECRET = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"
    r"|v0=[0-9a-f]{16,})"
)

# A database password, in a URL (postgresql://user:PASSWORD@host/db) or a libpq keyword.
# Up to the URL's last @ (a password may hold an unencoded one) before its path.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/:@\s]*:)[^\s/]*@", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"\bpassword=\S+", re.IGNORECASE)


# Text from outside that is stored or shown to people (Kore.ai's error messages) also loses
# any long run of letters and digits, the shape of an echoed API key or secret; logs keep
# them, since case and request ids have that shape too.
_LONG_SECRET = re.compile(r"(?<![\w+/=-])(?=[\w+/=-]*\d)(?=[\w+/=-]*[A-Za-z])[\w+/=-]{32,}")


def scrub(text: str) -> str:
    return mask_url(_SECRET.sub("[redacted]", text))


def mask_url(text: str) -> str:
    """A database URL (or any text quoting one) with its password shown as ***."""
    return _KEYWORD_PASSWORD.sub("password=***", _URL_PASSWORD.sub(r"\1***@", text))


def mask(text: str) -> str:
    """`scrub`, and long secret-shaped runs masked too: for text people see or the store keeps."""
    return _LONG_SECRET.sub("[redacted]", scrub(text))


@contextlib.contextmanager
def correlation(value: str) -> Iterator[None]:
    token = _correlation.set(value)
    try:
        yield
    finally:
        _correlation.reset(token)


class _Formatter(logging.Formatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(correlation)s] %(message)s")
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def _scrub(self, text: str) -> str:
        text = scrub(text)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def formatMessage(self, record: logging.LogRecord) -> str:
        # Scrubbed before it is cut: a cut through a secret would leave its start unmasked.
        message = self._scrub(record.message)
        if len(message) > MESSAGE_MAX:
            more = len(message) - MESSAGE_MAX
            message = f"{message[:MESSAGE_MAX]}… [{more} more characters]"
        record.message = message
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        record.correlation = _correlation.get()
        return self._scrub(super().format(record))


def _not_bolt_token_notice(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN from the environment itself and then warns that the client
    # we pass wins over it; that is the intended setup, not something an operator must act on.
    return "`token` will be unused" not in record.getMessage()


def setup_logging(level: str = "INFO", *, secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(secrets or []))
    handler.addFilter(_not_bolt_token_notice)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("slack_bolt", "slack_sdk", "httpx", "httpcore", "waitress"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
