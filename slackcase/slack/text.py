"""Pure text helpers: escaping user text for Slack, trimming to Slack's limits."""

from __future__ import annotations

import re
from datetime import datetime

# How much of a string from outside (Kore.ai, Slack profiles, configuration) a notice
# shows, in UTF-16 units after escaping: sized so that every block stays within Slack's
# limits (section 3000, field and context 2000) whatever the strings hold.
NAME_SHOWN = 100  # a person, an assignee, a template, a status, a priority
REF_SHOWN = 40  # a case's refId
TITLE_SHOWN = 200
ERROR_SHOWN = 1500  # an error message, Kore.ai's own words included

_SLACK_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITY_CHARS = {"amp": "&", "lt": "<", "gt": ">"}
# A clip that lands inside an entity leaves "&am" behind, which Slack shows as it is.
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape &, < and > so user text can never ping (<!channel>) or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo the escaping Slack applies to &, < and > in command text, and nothing else:
    `<@U1>` typed as text stays text (the form shows it, escape() neuters it when posted)."""
    return _SLACK_ENTITY.sub(lambda m: _ENTITY_CHARS[m.group(1)], text)


def slack_len(text: str) -> int:
    """Length as Slack's limits count it. Slack measures JavaScript strings, where a
    character outside the Basic Multilingual Plane (most emoji) counts as two UTF-16 units;
    counting so is never shorter than counting code points."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int, marker: str = "…") -> str:
    """At most `limit` UTF-16 units, ending in `marker` when cut (never half an emoji)."""
    if len(text) <= limit // 2 or slack_len(text) <= limit:
        return text
    room = max(0, limit - slack_len(marker))
    # Cutting the UTF-16 bytes and dropping a lone half of a surrogate pair keeps whole
    # characters only.
    kept = text.encode("utf-16-le")[: 2 * room].decode("utf-16-le", errors="ignore")
    return kept.rstrip() + marker


def clip_escaped(text: str, limit: int, marker: str = "…") -> str:
    """escape(text) clipped to `limit` units: for limits Slack applies to the text as sent,
    which escaping makes longer (& becomes &amp;)."""
    escaped = escape(text)
    if slack_len(escaped) <= limit:
        return escaped
    cut = clip(escaped, max(0, limit - slack_len(marker)), marker="")
    return _PARTIAL_ENTITY.sub("", cut).rstrip() + marker


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
