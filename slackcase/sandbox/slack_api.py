"""The fake Slack's Web API methods: each answers as Slack does, or raises SlackFault."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from slackcase.sandbox.slack_limits import (
    MESSAGE_TEXT_MAX,
    block_kit_problems,
    units,
    view_problems,
)


class SlackFault(Exception):
    def __init__(self, error: str, status: int = 200, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.error, self.status, self.retry_after = error, status, retry_after


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    bot_member: bool = True
    messages: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "channel"  # channel | im | mpim


class WebApiMethods:
    """Mixed into FakeSlack, whose state (users, channels, views...) these read and change."""

    # Provided by FakeSlack.
    users: dict[str, dict[str, Any]]
    channels: dict[str, Channel]
    views: dict[str, dict[str, Any]]
    triggers: dict[str, float]
    usergroups: dict[str, list[str]]
    scopes: set[str]
    validate_blocks: bool
    socket_url: str | None
    team_id: str
    bot_user: str
    _ts: Any

    def _next_ts(self) -> str:
        return f"{1_780_000_000 + next(self._ts)}.{next(self._ts):06d}"

    def _auth_test(self, args: dict) -> dict:
        return {"url": "https://fake.slack.test/", "team": "Fake", "user": "slackcase",
                "team_id": self.team_id, "user_id": self.bot_user, "bot_id": "BFAKE"}

    def _apps_connections_open(self, args: dict) -> dict:
        if not self.socket_url:
            raise SlackFault("socket_mode_not_enabled")
        return {"url": self.socket_url}

    def _users_info(self, args: dict) -> dict:
        user = self.users.get(args["user"])
        if not user:
            raise SlackFault("user_not_found")
        user = json.loads(json.dumps(user))
        if "users:read.email" not in self.scopes or user["team_id"] != self.team_id:
            user["profile"].pop("email", None)
        return {"user": user}

    def _users_lookupByEmail(self, args: dict) -> dict:
        email = str(args["email"]).lower()
        user = next((u for u in self.users.values()
                     if (u["profile"].get("email") or "").lower() == email), None)
        if user is None:
            raise SlackFault("users_not_found")
        return {"user": user}

    def _check_view(self, view: Any) -> dict[str, Any]:
        if isinstance(view, str):
            view = json.loads(view)
        problems = view_problems(view) if self.validate_blocks else []
        if problems:
            raise SlackFault("invalid_arguments: " + "; ".join(problems))
        return view

    def _store_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        stored = dict(view, id=view_id, hash=uuid.uuid4().hex[:12],
                      state={"values": {}}, team_id=self.team_id)
        self.views[view_id] = stored
        return stored

    def _views_open(self, args: dict) -> dict:
        expires = self.triggers.pop(args["trigger_id"], None)
        if expires is None:
            raise SlackFault("invalid_trigger_id")
        if time.time() > expires:
            raise SlackFault("expired_trigger_id")
        view = self._check_view(args["view"])
        return {"view": self._store_view("V" + uuid.uuid4().hex[:10].upper(), view)}

    def _views_update(self, args: dict) -> dict:
        view_id = args.get("view_id")
        if not view_id:
            raise SlackFault("invalid_arguments: missing view_id")
        current = self.views.get(view_id)
        if current is None:
            raise SlackFault("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackFault("hash_conflict")
        view = self._check_view(args["view"])
        return {"view": self._store_view(view_id, view)}

    def _views_publish(self, args: dict) -> dict:
        view = self._check_view(args["view"])
        return {"view": self._store_view(f"home:{args['user_id']}", view)}

    def _check_message(self, args: dict) -> list[dict]:
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not blocks and not args.get("text"):
            raise SlackFault("no_text")
        if units(str(args.get("text") or "")) > MESSAGE_TEXT_MAX:
            raise SlackFault("msg_too_long")
        problems = block_kit_problems(blocks or [], surface="message") \
            if self.validate_blocks else []
        if problems:
            raise SlackFault("invalid_blocks: " + "; ".join(problems))
        return blocks or []

    def _channel_for_post(self, channel_id: str) -> Channel:
        if channel_id.startswith(("U", "W")):
            dm = "D" + channel_id[1:]
            return self.channels.setdefault(dm, Channel(dm, f"dm-{channel_id}", True, True))
        channel = self.channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.bot_member):
            raise SlackFault("channel_not_found")
        if not channel.bot_member and "chat:write.public" not in self.scopes:
            raise SlackFault("not_in_channel")
        return channel

    def _chat_postMessage(self, args: dict) -> dict:
        blocks = self._check_message(args)
        channel = self._channel_for_post(args["channel"])
        message = {"type": "message", "bot": True, "user": self.bot_user, "ts": self._next_ts(),
                   "text": args.get("text", ""), "blocks": blocks}
        if args.get("thread_ts"):
            if not any(m["ts"] == args["thread_ts"] for m in channel.messages):
                raise SlackFault("thread_not_found")
            message["thread_ts"] = args["thread_ts"]
        if args.get("metadata"):
            meta = args["metadata"]
            message["metadata"] = json.loads(meta) if isinstance(meta, str) else meta
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _chat_postEphemeral(self, args: dict) -> dict:
        self._check_message(args)
        self._channel_for_post(args["channel"])
        return {"message_ts": self._next_ts()}

    def _chat_update(self, args: dict) -> dict:
        blocks = self._check_message(args)
        channel = self.channels.get(args["channel"])
        message = next((m for m in (channel.messages if channel else [])
                        if m["ts"] == args["ts"]), None)
        if message is None:
            raise SlackFault("message_not_found")
        if not message.get("bot"):
            raise SlackFault("cant_update_message")
        message.update(text=args.get("text", ""), blocks=blocks, edited=True)
        return {"channel": args["channel"], "ts": args["ts"]}

    def _chat_getPermalink(self, args: dict) -> dict:
        channel = self.channels.get(args["channel"])
        if channel is None or (channel.kind != "channel" and not channel.bot_member):
            raise SlackFault("channel_not_found")
        ts = str(args["message_ts"]).replace(".", "")
        return {"channel": args["channel"],
                "permalink": f"https://fake.slack.test/archives/{args['channel']}/p{ts}"}

    def _conversations_replies(self, args: dict) -> dict:
        channel = self.channels.get(args["channel"])
        history = {"im": "im:history", "mpim": "mpim:history"}.get(channel.kind) \
            if channel else None
        if history and history not in self.scopes:
            raise SlackFault("missing_scope")
        if channel is None or (channel.is_private and not channel.bot_member):
            raise SlackFault("channel_not_found")
        if not channel.bot_member:
            raise SlackFault("not_in_channel")
        root = args["ts"]
        thread = [m for m in channel.messages
                  if m["ts"] == root or m.get("thread_ts") == root]
        if not thread:
            raise SlackFault("thread_not_found")
        thread.sort(key=lambda m: float(m["ts"]))
        limit = min(int(args.get("limit") or 100), 1000)
        start = int(args.get("cursor") or 0)
        page = thread[start:start + limit]
        more = start + limit < len(thread)
        return {"messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _usergroups_users_list(self, args: dict) -> dict:
        if args["usergroup"] not in self.usergroups:
            raise SlackFault("no_such_subteam")
        return {"users": list(self.usergroups[args["usergroup"]])}
