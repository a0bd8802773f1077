"""Slack's limits on text, counted as Slack counts them, for the fake Slack's checks.

Slack measures JavaScript strings: a character outside the Basic Multilingual Plane (most
emoji) is two UTF-16 units. The fake counts the same way, so a builder that counts code
points is caught before a real workspace refuses its message.
"""

from __future__ import annotations

from typing import Any

MESSAGE_TEXT_MAX = 40000  # a message's `text`


def units(text: str) -> int:
    """Length as Slack counts it: UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def element_problems(block: dict[str, Any]) -> list[str]:
    """The limits on texts inside a block's elements, counted as Slack counts them."""
    problems = []
    elements = list(block.get("elements") or [])
    elements += [e for e in (block.get("accessory"), block.get("element")) if e]
    for element in elements:
        text = element.get("text")
        if block.get("type") == "context" and isinstance(text, str) and units(text) > 2000:
            problems.append("context element over 2000 characters")
        if element.get("type") == "button" and units((text or {}).get("text", "")) > 75:
            problems.append("button text over 75 characters")
        for option in element.get("options") or []:
            if units(option.get("text", {}).get("text", "")) > 75:
                problems.append("option text over 75 characters")
    return problems
