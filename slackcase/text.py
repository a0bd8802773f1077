"""Pure text helpers: escaping user text for Slack, trimming to Slack's limits."""

from __future__ import annotations

import re
from datetime import datetime

_SLACK_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITY_CHARS = {"amp": "&", "lt": "<", "gt": ">"}


def escape(text: str) -> str:
    """Escape &, < and > so user text can never ping (<!channel>) or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo the escaping Slack applies to &, < and > in command text, and nothing else:
    `<@U1>` typed as text stays text (the form shows it, escape() neuters it when posted)."""
    return _SLACK_ENTITY.sub(lambda m: _ENTITY_CHARS[m.group(1)], text)


def clip(text: str, limit: int, marker: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))].rstrip() + marker


def title_from(text: str, limit: int = 120) -> str:
    """A case title from a message: its first non-empty line, cut at a word boundary."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = unslack(line)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def unslack(text: str) -> str:
    """Turn Slack markup into plain text: <@U1|name> -> @name, <url|label> -> label."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "<":
            end = text.find(">", i)
            if end != -1:
                inner = text[i + 1 : end]
                target, _, label = inner.partition("|")
                if label:
                    out.append(("@" if target.startswith("@") else "") + label)
                elif target.startswith("!"):
                    out.append("@" + target[1:].split("^")[0])
                else:
                    out.append(target)
                i = end + 1
                continue
        out.append(text[i])
        i += 1
    return "".join(out).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def short_date(when: datetime | None) -> str:
    if when is None:
        return "no due date"
    return f"{when.day} {when.strftime('%b')}"


def slack_date(when: datetime | None, fallback: str = "none") -> str:
    """A date Slack renders in each reader's own time zone."""
    if when is None:
        return fallback
    ts = int(when.timestamp())
    return f"<!date^{ts}^{{date_short_pretty}} {{time}}|{when.strftime('%Y-%m-%d %H:%M UTC')}>"
