"""A Slack thread -> a case description that fits Slack's 3000-character input. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slackcase.slack.text import unslack

LIMIT = 3000
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def render_message(message: dict[str, Any], name_of: Callable[[str], str]) -> str:
    author = name_of(message["user"]) if message.get("user") else (
        message.get("username") or (message.get("bot_profile") or {}).get("name") or "bot")
    when = datetime.fromtimestamp(float(message.get("ts", "0")), UTC).strftime("%Y-%m-%d %H:%M")
    text = _MENTION.sub(lambda m: "@" + name_of(m.group(1)), message.get("text") or "")
    lines = [f"[{when} UTC] {author}: {unslack(text).strip()}"]
    for file in message.get("files") or []:
        label = file.get("name") or file.get("title") or "file"
        link = file.get("permalink") or file.get("url_private") or ""
        lines.append(f"  file: {label} {link}".rstrip())
    return "\n".join(lines)


def transcript(
    messages: list[dict[str, Any]],
    name_of: Callable[[str], str],
    *,
    permalink: str | None = None,
    limit: int = LIMIT,
) -> str:
    """Root first, then replies; when too long keep the start and the newest messages."""
    header = f"From Slack: {permalink}" if permalink else "From Slack"
    parts = [render_message(m, name_of) for m in messages]
    full = "\n\n".join([header, *parts])
    if len(full) <= limit:
        return full
    head = [header, parts[0]] if parts else [header]
    budget = limit - len("\n\n".join(head)) - 60
    tail: list[str] = []
    for part in reversed(parts[1:]):
        if len(part) + 2 > budget:
            break
        tail.insert(0, part)
        budget -= len(part) + 2
    left_out = len(parts) - 1 - len(tail)
    marker = f"[… {left_out} message{'s' if left_out != 1 else ''} left out …]"
    text = "\n\n".join([*head, marker, *tail])
    if len(text) > limit:  # a single enormous root message
        text = text[: limit - 1] + "…"
    return text
