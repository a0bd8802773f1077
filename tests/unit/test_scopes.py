"""The bot scopes the app asks for are exactly the ones the Slack methods it calls need."""

import re
from pathlib import Path

from slackcase.sandbox.fake_slack import REQUIRED_ARGS, SCOPE_OF, FakeSlack
from slackcase.slack import ids

PACKAGE = Path(__file__).resolve().parents[2] / "slackcase"
# client.chat_postMessage(...), self._client.users_lookupByEmail(...): slack_sdk's spelling
# of a Web API method; only names that are real Slack methods count (not team_notice).
CALL = re.compile(r"\.([a-z]+(?:_[A-Za-z]+)+)\(")
# Scopes no method call needs: the slash command and shortcut, and posting where the bot
# has not joined (a condition of chat.postMessage, not a method of its own), and the
# reaction_added event.
NOT_FOR_A_METHOD = {"commands", "chat:write.public", ids.REACTION_SCOPE}  # reaction_added


def methods_the_app_calls() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if {"sandbox", "bench"} & set(path.relative_to(PACKAGE).parts):
            continue  # the fakes and the benchmark are not the app
        for name in CALL.findall(path.read_text()):
            method = name.replace("_", ".")
            if method in REQUIRED_ARGS:
                found.add(method)
    return found | {"apps.connections.open"}  # slack_sdk's Socket Mode client calls it


def test_the_scan_finds_the_apps_slack_calls():
    assert {"chat.postMessage", "chat.update", "users.info", "users.lookupByEmail",
            "conversations.replies", "views.open", "usergroups.users.list",
            "auth.test"} <= methods_the_app_calls()


def test_every_method_the_app_calls_has_its_scope_requested():
    requested = set(ids.BOT_SCOPES) | {ids.USERGROUP_SCOPE, ids.APP_TOKEN_SCOPE}
    for method in methods_the_app_calls():
        assert method in SCOPE_OF, f"the fake Slack does not know {method}'s scope"
        scope = SCOPE_OF[method]
        assert scope is None or scope in requested, f"{method} needs {scope}"
    assert "groups:history" in requested  # conversations.replies in a private channel


def test_no_scope_is_requested_that_no_call_needs():
    needed = {SCOPE_OF[m] for m in methods_the_app_calls()} - {None} | NOT_FOR_A_METHOD
    needed |= {"groups:history"}  # conversations.replies in a private channel
    assert set(ids.BOT_SCOPES) | {ids.USERGROUP_SCOPE, ids.APP_TOKEN_SCOPE} == needed


def test_every_bot_scope_names_what_needs_it():
    assert all(need.strip() for need in ids.BOT_SCOPE_NEEDS.values())
    assert ids.USERGROUP_SCOPE not in ids.BOT_SCOPES


def test_a_private_channels_thread_needs_groups_history():
    fake = FakeSlack(bot_token="xoxb-t")
    fake.add_channel("CPUBLIC", "public")
    fake.add_channel("GPRIVATE", "private", private=True)
    public = fake.add_message("CPUBLIC", "U1", "hello")
    private = fake.add_message("GPRIVATE", "U1", "hello")
    fake.scopes.discard("groups:history")
    _, body, _ = fake.call("conversations.replies",
                                {"channel": "GPRIVATE", "ts": private["ts"]}, "xoxb-t")
    assert body == {"ok": False, "error": "missing_scope"}
    _, body, _ = fake.call("conversations.replies",
                                {"channel": "CPUBLIC", "ts": public["ts"]}, "xoxb-t")
    assert body["ok"] is True


def test_the_fake_tells_token_kinds_apart():
    fake = FakeSlack(bot_token="xoxb-t", app_token="xapp-t")
    fake.socket_url = "wss://fake.test/link"
    assert fake.call("apps.connections.open", {}, "xoxb-t")[1]["error"] == \
        "not_allowed_token_type"
    assert fake.call("auth.test", {}, "xapp-t")[1]["error"] == "not_allowed_token_type"
    assert fake.call("apps.connections.open", {}, "xapp-other")[1]["error"] == "invalid_auth"
    assert fake.call("apps.connections.open", {}, None)[1]["error"] == "not_authed"
    assert fake.call("apps.connections.open", {}, "xapp-t")[1]["url"] == fake.socket_url
    fake.app_scopes.clear()
    assert fake.call("apps.connections.open", {}, "xapp-t")[1]["error"] == "missing_scope"
