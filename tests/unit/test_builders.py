from datetime import UTC, datetime
from pathlib import Path

import yaml
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from slackcase.config import load_settings
from slackcase.kore.models import Case
from slackcase.sandbox.slack_limits import block_kit_problems, view_problems
from slackcase.slack import ids, messages, views
from slackcase.slack.forms import ModalMetadata

SETTINGS = load_settings({"KORE_CASE_TEMPLATES": "ctm-a=Alpha,ctm-b=" + "B" * 120})
CASE = Case.model_validate({"_id": "ci-1", "refId": "CS000101", "name": "x",
                            "currAssignee": {"name": "John <!channel>"},
                            "dueDate": "2026-09-04T14:15:00.000Z"})


def test_case_form_is_valid_block_kit_even_with_huge_prefill():
    view = views.case_form(SETTINGS, ModalMetadata(user="U1"), title="t" * 5000,
                           description="d" * 10000, due=datetime(2027, 1, 1, tzinfo=UTC),
                           requester="U1", show_contact=True, banner="b" * 5000).to_dict()
    assert view_problems(view) == []
    ids_in_view = {b.get("block_id") for b in view["blocks"]}
    assert {ids.BLOCK_TITLE, ids.BLOCK_EMAIL, ids.BLOCK_PHONE} <= ids_in_view


def test_contact_inputs_only_when_asked():
    view = views.case_form(SETTINGS, ModalMetadata(), title="", description="",
                           due=datetime(2027, 1, 1, tzinfo=UTC), requester=None).to_dict()
    assert ids.BLOCK_EMAIL not in {b.get("block_id") for b in view["blocks"]}


def test_confirmation_card_escapes_user_text():
    msg = messages.confirmation(CASE, "<!channel> help <@U123>", assignee="John",
                                requester_id="U1", filed_by="U2", template_name="<b>")
    dumped = str(msg.blocks_dict()) + msg.text
    assert "<!channel>" not in dumped and "<@U123>" not in dumped and "<b>" not in dumped
    assert block_kit_problems(msg.blocks_dict(), surface="message") == []
    assert msg.text.startswith("CS000101 · Assigned to John")
    assert "Due 4 Sep" in msg.text


def test_other_builders_are_valid():
    for msg in (messages.failure("t", "m", "sc-1", retryable=True),
                messages.team_notice(CASE, "t", assignee="a", requester_id="U1", filed_by="U1",
                                     template_name="A", conversation="https://x"),
                messages.change_reply(CASE, ["assigned to X"]),
                messages.not_allowed(frozenset({"C1"}))):
        assert block_kit_problems(msg.blocks_dict(), surface="message") == []
    assert view_problems(views.progress_view("Creating case…", "x")) == []
    assert views.progress_view("Creating case…", "x") == views._modal(
        ids.VIEW_CASE_STATUS, "Create case", [
            SectionBlock(text=MarkdownTextObject(text=":hourglass_flowing_sand: *Creating case…*")),
            ContextBlock(elements=[MarkdownTextObject(text="x")])]).to_dict()
    assert view_problems(views.result_view(CASE, "t", "a", "w").to_dict()) == []
    assert view_problems(views.home_view([], {}, "U1").to_dict()) == []


def test_ids_match_manifest():
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [ids.COMMAND]
    shortcut = features["shortcuts"][0]
    assert (shortcut["type"], shortcut["name"], shortcut["callback_id"]) == \
        ("message", "Create case", ids.SHORTCUT_CREATE_CASE)
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == ids.BOT_SCOPES
    assert tuple(manifest["settings"]["event_subscriptions"]["bot_events"]) == ids.BOT_EVENTS
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
