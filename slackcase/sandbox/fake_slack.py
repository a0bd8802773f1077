"""A strict fake of Slack's Web API on loopback, for the demo, the tests and the benchmark.

Unlike an `{"ok": true}` mock it rejects unknown methods, missing required arguments
(table derived from slack-api-ref, see slack_methods.md), bad tokens, expired triggers,
invalid Block Kit (slack_sdk's models plus the rules they miss) and posts in channels
the bot cannot reach. It keeps views, messages and response_url posts so a test can
assert on what Slack received.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slackcase.sandbox.loopback import (
    LoopbackHandler,
    LoopbackServer,
    serve_in_thread,
    server_url,
)
from slackcase.sandbox.slack_api import Channel, SlackFault, WebApiMethods
from slackcase.sandbox.slack_limits import MESSAGE_TEXT_MAX, block_kit_problems, units
from slackcase.slack import ids

REQUIRED_ARGS: dict[str, list[str]] = json.loads(
    resources.files("slackcase.sandbox").joinpath("slack_methods.json").read_text()
)["required_args"]
EXTRA_REQUIRED = {"views.open": ["trigger_id"]}  # one-of rules the table cannot express
# The scope each method needs (None: none), for every method the fake answers: a call whose
# scope the app did not ask for fails as it would in Slack. conversations.replies needs
# groups:history instead in a private channel; apps.connections.open takes the app token.
SCOPE_OF: dict[str, str | None] = {
    "auth.test": None, "views.open": None, "views.update": None, "views.publish": None,
    "chat.getPermalink": None,
    "chat.postMessage": "chat:write", "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "users.info": "users:read", "users.lookupByEmail": "users:read.email",
    "conversations.replies": "channels:history",
    "usergroups.users.list": "usergroups:read",
    "apps.connections.open": ids.APP_TOKEN_SCOPE,
}
# An app installed from manifest.yml is granted what it asks for, no more.
DEFAULT_SCOPES = ids.BOT_SCOPES






@dataclass
class Call:
    method: str
    args: dict[str, Any]
    # Monotonic: the benchmark compares it with times taken in its load-generator process
    # (the clock is system-wide), and a step of the wall clock would skew the figures.
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    method: str
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1
    channel: str | None = None


class FakeSlack(WebApiMethods):
    def __init__(self, *, bot_token: str = "xoxb-fake-bot-token", app_token: str | None = None,
                 latency: float = 0.0, team_id: str = "T0FAKE", bot_user: str = "UBOTCASE",
                 validate_blocks: bool = True) -> None:
        # The benchmark turns Block Kit validation off: it measures the app, not the fake.
        self.validate_blocks = validate_blocks
        self.bot_token, self.app_token = bot_token, app_token
        self.latency = latency
        self.team_id, self.bot_user = team_id, bot_user
        self.scopes: set[str] = set(DEFAULT_SCOPES)
        self.app_scopes: set[str] = {ids.APP_TOKEN_SCOPE}  # of the app-level token
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.closed_views: set[str] = set()
        self.triggers: dict[str, float] = {}
        self.calls: list[Call] = []
        self._calls_by_method: dict[str, list[Call]] = {}  # calls_to is polled: no scans
        self.rejected: list[tuple[str, str]] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.socket_url: str | None = None
        self._ts = itertools.count(1)
        self._lock = threading.RLock()
        self._server: LoopbackServer | None = None

    # ---- fixtures ---------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, *, email: str | None = None,
                 phone: str | None = None, locale: str = "en-US", guest: bool = False,
                 team_id: str | None = None, stranger: bool = False) -> None:
        """`team_id` other than the workspace's: a Slack Connect user from another
        organisation (users.info hides their email, as Slack usually does)."""
        profile = {"real_name": name, "display_name": name.split()[0], "phone": phone or ""}
        if email:
            profile["email"] = email
        self.users[user_id] = {"id": user_id, "team_id": team_id or self.team_id,
                               "name": name.lower(), "real_name": name, "locale": locale,
                               "is_bot": False, "is_restricted": guest, "deleted": False,
                               "profile": profile}
        if stranger:
            self.users[user_id]["is_stranger"] = True

    def add_channel(self, channel_id: str, name: str, *, private: bool = False,
                    member: bool = True) -> Channel:
        channel = Channel(channel_id, name, private, member)
        self.channels[channel_id] = channel
        return channel

    def add_dm(self, channel_id: str, members: list[str]) -> Channel:
        """A DM (two people) or group DM between people, without the bot: Slack lets
        the bot neither read it (im:history / mpim:history, else channel_not_found) nor
        post in it (channel_not_found)."""
        group = len(members) > 2
        name = "mpdm-" + "--".join(u.lower() for u in members) + "-1" if group \
            else "directmessage"
        channel = Channel(channel_id, name, True, False, kind="mpim" if group else "im")
        self.channels[channel_id] = channel
        return channel

    def add_message(self, channel_id: str, user: str, text: str, *, thread_ts: str | None = None,
                    files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        message = {"type": "message", "user": user, "text": text, "ts": self._next_ts()}
        if thread_ts:
            message["thread_ts"] = thread_ts
        if files:
            message["files"] = files
        self.channels[channel_id].messages.append(message)
        return message

    def new_trigger(self) -> str:
        trigger = f"{next(self._ts)}.{uuid.uuid4().hex[:8]}"
        self.triggers[trigger] = time.time() + 3.0
        return trigger

    def new_response_url(self) -> str:
        key = uuid.uuid4().hex
        self.responses[key] = []
        return f"{self.url}/response/{key}"

    def expire_response_urls(self) -> None:
        """Every response_url given so far stops working, as Slack's do after 30 minutes."""
        with self._lock:
            self.responses.clear()

    def fail(self, method: str, error: str, *, status: int = 200, retry_after: int | None = None,
             times: int = 1, channel: str | None = None) -> None:
        self.faults.append(Fault(method, error, status, retry_after, times, channel))

    # ---- what Slack received -------------------------------------------------------------
    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        """Calls of `method` in order, from the `since`-th on."""
        with self._lock:
            return self._calls_by_method.get(method, [])[since:]

    def count(self, method: str) -> int:
        with self._lock:
            return len(self._calls_by_method.get(method, ()))

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for c in self.channels.values() for m in c.messages
                    if m.get("bot") and (channel is None or c.id == channel)]

    def response_posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [p for posts in self.responses.values() for p in posts]

    def apply_ack(self, view_id: str, ack: dict[str, Any] | None) -> None:
        """What Slack does with a view_submission's HTTP answer."""
        with self._lock:
            if not ack or ack.get("response_action") == "clear":
                self.close_view(view_id)
            elif ack.get("response_action") == "update":
                self._store_view(view_id, ack["view"])

    def close_view(self, view_id: str) -> None:
        with self._lock:
            self.views.pop(view_id, None)
            self.closed_views.add(view_id)

    # ---- server ----------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = serve_in_thread(_handler_for(self), host, port, "fake-slack")
        return self.url

    @property
    def url(self) -> str:
        assert self._server, "serve() first"
        return server_url(self._server)

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def close(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- Web API -----------------------------------------------------------------------------
    def call(self, method: str, args: dict[str, Any], token: str | None) -> tuple[int, dict, dict]:
        if self.latency:
            time.sleep(self.latency)
        try:
            if method not in REQUIRED_ARGS:
                raise SlackFault("unknown_method", 404)
            if method not in SCOPE_OF:
                raise SlackFault("fake_not_implemented")
            granted = self._authorize(method, token)
            missing = [a for a in REQUIRED_ARGS[method] + EXTRA_REQUIRED.get(method, [])
                       if args.get(a) in (None, "")]
            if missing:
                raise SlackFault(f"invalid_arguments: missing {', '.join(missing)}")
            scope = SCOPE_OF[method]
            if method == "conversations.replies" and args["channel"] in self.channels \
                    and self.channels[args["channel"]].is_private:
                scope = "groups:history"
            if scope and scope not in granted:
                raise SlackFault("missing_scope")
            with self._lock:
                call = Call(method, args)
                self.calls.append(call)
                self._calls_by_method.setdefault(method, []).append(call)
                fault = next((f for f in self.faults if f.times != 0 and f.method == method and
                              (f.channel is None or f.channel == args.get("channel"))), None)
                if fault:
                    fault.times -= 1
            if fault:
                raise SlackFault(fault.error, fault.status, fault.retry_after)
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackFault("fake_not_implemented")
            with self._lock:
                result = handler(args)
            headers = {"x-oauth-scopes": ",".join(sorted(self.scopes))} \
                if method == "auth.test" else {}
            return 200, {"ok": True, **result}, headers
        except SlackFault as fault:
            with self._lock:
                self.rejected.append((method, fault.error))
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return fault.status, {"ok": False, "error": fault.error}, headers

    def _authorize(self, method: str, token: str | None) -> set[str]:
        """The scopes of the token a call came with, as Slack tells token kinds apart."""
        if not token:
            raise SlackFault("not_authed")
        app_method = method == "apps.connections.open"
        if token.startswith("xapp-") != app_method:
            raise SlackFault("not_allowed_token_type")
        if token != (self.app_token if app_method else self.bot_token):
            raise SlackFault("invalid_auth")
        return self.app_scopes if app_method else self.scopes

    def response_post(self, key: str, body: dict[str, Any]) -> tuple[int, dict]:
        with self._lock:
            if key not in self.responses:
                return 404, {"ok": False, "error": "expired_url"}
            if len(self.responses[key]) >= 5:
                return 404, {"ok": False, "error": "used_url"}
            problems = block_kit_problems(body.get("blocks") or [], surface="message")
            if units(str(body.get("text") or "")) > MESSAGE_TEXT_MAX:
                problems.append("text over 40000 characters")
            if problems or not (body.get("text") or body.get("blocks")):
                self.rejected.append(("response_url", "; ".join(problems) or "no_text"))
                return 400, {"ok": False, "error": "invalid_blocks"}
            self.responses[key].append(body)
        return 200, {"ok": True}


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(LoopbackHandler):

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, data: dict, headers: dict | None = None) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _args(self) -> dict[str, Any]:
            parts = urlsplit(self.path)
            args: dict[str, Any] = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            kind = self.headers.get("Content-Type", "")
            if raw and "json" in kind:
                args.update(json.loads(raw))
            elif raw:
                args.update(dict(parse_qsl(raw.decode())))
            return args

        def _token(self, args: dict[str, Any]) -> str | None:
            auth = self.headers.get("Authorization", "")
            # slack_sdk sends the token only as this header; a body `token` is Slack's
            # older way, still accepted.
            body = args.pop("token", None)
            return auth.removeprefix("Bearer ").strip() or body

        def _dispatch(self) -> None:
            path = urlsplit(self.path).path
            args = self._args()
            if path.startswith("/api/"):
                status, data, headers = fake.call(path[5:], args, self._token(args))
                return self._send(status, data, headers)
            if path.startswith("/response/"):
                status, data = fake.response_post(path.rsplit("/", 1)[1], args)
                return self._send(status, data)
            self._send(404, {"ok": False, "error": "not_found"})

        do_GET = _dispatch
        do_POST = _dispatch

    return Handler
