"""SLACKCASE_DATABASE as a PostgreSQL URL: its form, and its password (never shown)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

FORM = "must be a URL of the form postgresql://user:password@host:port/database"


def postgres_url(url: str) -> str:
    """The URL as psycopg takes it; a ValueError that never quotes it (its password)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(f"{FORM} (its port is not a number)") from None
    if not parts.hostname or not parts.path.strip("/"):
        raise ValueError(f"{FORM} (the host or the database name is missing)")
    return "postgresql://" + url.split("://", 1)[1]


def password(database: str) -> str:
    """The password in a PostgreSQL URL ("" for none, or for a SQLite path)."""
    if not database.startswith(("postgresql://", "postgres://")):
        return ""
    return unquote(urlsplit(database).password or "")
