"""Slack's limits on text, counted as Slack counts them, for the fake Slack's checks.

Slack measures JavaScript strings: a character outside the Basic Multilingual Plane (most
emoji) is two UTF-16 units. The fake counts the same way, so a builder that counts code
points is caught before a real workspace refuses its message.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_TEXT_MAX = 40000  # a message's `text`
MESSAGE_BLOCKS = {"section", "divider", "image", "actions", "context", "header", "rich_text",
                  "markdown", "video", "file", "table"}
MODAL_BLOCKS = MESSAGE_BLOCKS | {"input"}


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


def block_kit_problems(blocks: list[dict[str, Any]], *, surface: str) -> list[str]:
    """What slack_sdk's validators accept but Slack would refuse."""
    allowed = MODAL_BLOCKS if surface in ("modal", "home") else MESSAGE_BLOCKS
    limit = 50 if surface == "message" else 100
    problems = []
    if len(blocks) > limit:
        problems.append(f"too many blocks ({len(blocks)} > {limit})")
    seen: set[str] = set()
    for raw in blocks:
        kind = raw.get("type")
        if kind not in allowed:
            problems.append(f"block type {kind!r} not allowed in a {surface}")
            continue
        block = Block.parse(raw)
        if block is None:
            problems.append(f"unparseable block {raw!r:.80}")
            continue
        try:
            block.validate_json()
        except SlackObjectFormationError as exc:
            problems.append(f"{kind}: {exc}")
        block_id = raw.get("block_id")
        if block_id:
            if block_id in seen:
                problems.append(f"duplicate block_id {block_id}")
            seen.add(block_id)
        text = (raw.get("text") or {}).get("text", "")
        if units(text) > (150 if kind == "header" else 3000):
            problems.append(f"{kind} text over {150 if kind == 'header' else 3000} characters")
        element = raw.get("element") or {}
        initial, cap = element.get("initial_value"), element.get("max_length")
        if isinstance(initial, str) and cap and units(initial) > cap:
            problems.append(f"{block_id}: initial_value longer than max_length")
        for f in raw.get("fields") or []:
            if units(f.get("text", "")) > 2000:
                problems.append("section field over 2000 characters")
        problems += element_problems(raw)
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    problems = []
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError) as exc:
        problems.append(str(exc))
    kind = view.get("type")
    if kind not in ("modal", "home"):
        problems.append(f"view type {kind!r}")
    if len(view.get("private_metadata") or "") > 3000:
        problems.append("private_metadata over 3000 characters")
    if kind == "modal":
        for part in ("title", "submit", "close"):
            if units((view.get(part) or {}).get("text", "")) > 24:
                problems.append(f"{part} over 24 characters")
        has_input = any(b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            problems.append("a modal with inputs needs submit")
    problems += block_kit_problems(view.get("blocks") or [], surface=kind or "modal")
    return problems
