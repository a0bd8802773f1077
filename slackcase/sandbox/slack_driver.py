"""Plays Slack's part towards the app: signed slash commands, shortcuts, submissions, events.

Requests are built from the payload shapes in java-slack-sdk's samples (see
tests/fixtures) and signed exactly as Slack signs them. Answers to view submissions are
applied to the fake Slack, as Slack itself would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.slack.text import escape


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | None
    elapsed: float
    started: float = 0.0  # time.monotonic() when the request was sent


@dataclass(frozen=True)
class Request:
    """A signed request to the app: what Slack would send."""

    body: bytes
    headers: dict[str, str]


def parse_answer(content: bytes) -> dict[str, Any] | None:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return {"raw": content.decode(errors="replace")}


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackDriver:
    def __init__(self, app_url: str, signing_secret: str, fake: FakeSlack,
                 team_id: str = "T0FAKE") -> None:
        self.url = app_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret
        self.fake = fake
        self.team_id = team_id
        self.http = httpx.Client(timeout=10, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def prepare(self, body: bytes, content_type: str, *, secret: str | None = None,
                timestamp: int | None = None, headers: dict[str, str] | None = None) -> Request:
        """A signed request, ready to send now or from another process (the benchmark)."""
        signed = sign(secret or self.secret, body, timestamp)
        return Request(body, {"Content-Type": content_type, **signed, **(headers or {})})

    def send(self, request: Request) -> Answer:
        started, clock = time.monotonic(), time.perf_counter()
        response = self.http.post(self.url, content=request.body, headers=request.headers)
        elapsed = time.perf_counter() - clock
        return Answer(response.status_code, parse_answer(response.content), elapsed, started)

    def post(self, body: bytes, content_type: str, **kwargs: Any) -> Answer:
        return self.send(self.prepare(body, content_type, **kwargs))

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Answer:
        return self.send(self.interaction_request(payload, **kwargs))

    def interaction_request(self, payload: dict[str, Any], **kwargs: Any) -> Request:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.prepare(body, "application/x-www-form-urlencoded", **kwargs)

    # ---- what people do ---------------------------------------------------------------------
    def command(self, text: str, *, user: str, channel: str, channel_name: str = "general",
                **kwargs: Any) -> Answer:
        return self.send(self.command_request(text, user=user, channel=channel,
                                              channel_name=channel_name, **kwargs))

    def command_request(self, text: str, *, user: str, channel: str,
                        channel_name: str = "general", **kwargs: Any) -> Request:
        form = self.command_form(text, user=user, channel=channel, channel_name=channel_name)
        return self.prepare(urlencode(form).encode(), "application/x-www-form-urlencoded",
                            **kwargs)

    def command_form(self, text: str, *, user: str, channel: str,
                     channel_name: str = "general") -> dict[str, str]:
        """A slash command's fields: form-encoded over HTTP, the payload in Socket Mode.
        Slack sends &, < and > in the typed text as &amp;, &lt; and &gt;; so does this."""
        return {
            "token": "legacy-verification-token", "api_app_id": "A0SLACKCASE",
            "team_id": self.team_id, "team_domain": "fake", "enterprise_id": "",
            "enterprise_name": "", "channel_id": channel, "channel_name": channel_name,
            "user_id": user, "user_name": user.lower(), "command": "/case", "text": escape(text),
            "response_url": self.fake.new_response_url(), "trigger_id": self.fake.new_trigger(),
            "is_enterprise_install": "false",
        }

    def shortcut(self, message: dict[str, Any], *, user: str, channel: str,
                 callback_id: str = "create_case_from_message") -> Answer:
        return self.interaction(self.shortcut_payload(message, user=user, channel=channel,
                                                      callback_id=callback_id))

    def shortcut_payload(self, message: dict[str, Any], *, user: str, channel: str,
                         callback_id: str = "create_case_from_message") -> dict[str, Any]:
        return {
            "type": "message_action", "callback_id": callback_id,
            "trigger_id": self.fake.new_trigger(), "message_ts": message["ts"],
            "response_url": self.fake.new_response_url(),
            "message": message, "user": {"id": user, "username": user.lower(),
                                         "team_id": self.team_id},
            "channel": {"id": channel, "name": self.fake.channels[channel].name},
            "team": {"id": self.team_id, "domain": "fake"}, "token": "legacy",
            "action_ts": str(time.time()), "is_enterprise_install": False,
        }

    def state_for(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The view's state as Slack would send it: initial values, then what was typed."""
        state: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            kind, action = element["type"], element["action_id"]
            given = values.get(block["block_id"], _initial(element))
            state[block["block_id"]] = {action: _state_value(kind, element, given)}
        return {"values": state}

    def submit(self, view_id: str, values: dict[str, Any] | None = None, *, user: str,
               apply: bool = True, **kwargs: Any) -> Answer:
        answer = self.send(self.submission_request(view_id, values, user=user, **kwargs))
        if apply:
            self.applied(view_id, answer)
        return answer

    def applied(self, view_id: str, answer: Answer) -> None:
        """What Slack does with the app's answer to a submission: close, update or show errors."""
        action = (answer.body or {}).get("response_action")
        if answer.status == 200 and action == "errors":
            # Slack shows errors only under the view's input blocks, and refuses others.
            inputs = {b.get("block_id") for b in self.fake.views[view_id].get("blocks", [])
                      if b.get("type") == "input"}
            unknown = set((answer.body or {}).get("errors") or {}) - inputs
            if unknown:
                raise AssertionError(f"errors for blocks that are not inputs: {unknown}")
        elif answer.status == 200:
            self.fake.apply_ack(view_id, answer.body)

    def submission_request(self, view_id: str, values: dict[str, Any] | None = None, *,
                           user: str, **kwargs: Any) -> Request:
        return self.interaction_request(self.submission_payload(view_id, values, user=user),
                                        **kwargs)

    def submission_payload(self, view_id: str, values: dict[str, Any] | None = None, *,
                           user: str) -> dict[str, Any]:
        view = self.fake.views[view_id]
        return {
            "type": "view_submission", "team": {"id": self.team_id, "domain": "fake"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(),
                     "team_id": self.team_id},
            "api_app_id": "A0SLACKCASE", "token": "legacy", "trigger_id": self.fake.new_trigger(),
            "view": {**view, "state": self.state_for(view, values or {})},
            "is_enterprise_install": False,
        }

    def click(self, action_id: str, value: str, *, user: str, view_id: str | None = None,
              channel: str | None = None, message: dict[str, Any] | None = None,
              values: dict[str, Any] | None = None) -> Answer:
        payload: dict[str, Any] = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(),
                                              "team_id": self.team_id},
            "team": {"id": self.team_id, "domain": "fake"}, "api_app_id": "A0SLACKCASE",
            "token": "legacy", "trigger_id": self.fake.new_trigger(),
            "response_url": self.fake.new_response_url(),
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button",
                         "value": value, "selected_user": value,
                         "action_ts": str(time.time())}],
        }
        if view_id:
            view = self.fake.views[view_id]
            payload["view"] = {**view, "state": self.state_for(view, values or {})}
            payload["container"] = {"type": "view", "view_id": view_id}
        if channel:
            payload["channel"] = {"id": channel, "name": "c"}
            payload["container"] = {"type": "message", "channel_id": channel,
                                    "message_ts": (message or {}).get("ts", "")}
            payload["message"] = message or {}
        return self.interaction(payload)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              headers: dict[str, str] | None = None) -> Answer:
        body = json.dumps({
            "token": "legacy", "team_id": self.team_id, "api_app_id": "A0SLACKCASE",
            "event": event, "type": "event_callback",
            "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOTCASE",
                                "is_bot": True}],
        }).encode()
        return self.post(body, "application/json", headers=headers)


def _initial(element: dict[str, Any]) -> Any:
    for key in ("initial_value", "initial_user", "initial_date_time", "initial_option"):
        if key in element:
            value = element[key]
            return value["value"] if key == "initial_option" else value
    return None


def _state_value(kind: str, element: dict[str, Any], given: Any) -> dict[str, Any]:
    if kind == "static_select":
        option = next((o for o in element.get("options", []) if o["value"] == given), None)
        return {"type": kind, "selected_option": option}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": given}
    if kind == "users_select":
        return {"type": kind, "selected_user": given}
    return {"type": kind, "value": given}
