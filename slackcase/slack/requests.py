"""What a signed request from Slack must look like before Bolt and the listeners see it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

# What each interaction type Slack sends always carries, and the listeners rely on.
_REQUIRED: dict[str, tuple[str, type]] = {
    "view_submission": ("view", dict),
    "view_closed": ("view", dict),
    "block_actions": ("actions", list),
    "block_suggestion": ("action_id", str),
    "shortcut": ("callback_id", str),
    "message_action": ("callback_id", str),
}


def payload_problem(payload: Any) -> str | None:
    """Why a decoded payload is not one Slack sends, or None."""
    if not isinstance(payload, dict):
        return "the payload is not a JSON object"
    kind = payload.get("type")
    if not isinstance(kind, str) or not kind:
        return "the payload has no type"
    field, shape = _REQUIRED.get(kind, ("", object))
    if field and not (isinstance(payload.get(field), shape) and payload[field]):
        return f"a {kind} payload without {field}"
    if kind == "block_actions" and not all(isinstance(a, dict) for a in payload["actions"]):
        return "a block_actions payload whose actions are not objects"
    if kind == "event_callback" and not isinstance(payload.get("event"), dict):
        return "an event_callback without event"
    return None


def body_problem(body: str, content_type: str | None) -> str | None:
    """Why a signed body is not what Slack sends, or None. Read the way Bolt reads it
    (JSON for events, a form otherwise), so what passes here Bolt can parse, and what
    Slack never sends gets a 400 instead of an exception or an empty 200."""
    if content_type == "application/json" or body.startswith("{"):
        try:
            return payload_problem(json.loads(body))
        except ValueError:
            return "the body is not JSON"
    try:
        form = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return "the body is neither JSON nor form-encoded"
    if "payload" in form:
        try:
            return payload_problem(json.loads(form["payload"]))
        except ValueError:
            return "the payload field is not JSON"
    if form.get("command") or "ssl_check" in form:
        return None
    return "a form that is neither a slash command nor an interaction"
