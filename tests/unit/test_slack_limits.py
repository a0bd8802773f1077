"""Whatever Kore.ai, profiles or configuration hold, what slackcase posts fits Slack's limits."""

import logging
from datetime import UTC, datetime

from slackcase.config import load_settings
from slackcase.core.domain import CaseDraft, Origin, State, Submission
from slackcase.kore.errors import KoreRejected
from slackcase.kore.models import Case
from slackcase.logs import _Formatter
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.slack_limits import block_kit_problems, units, view_problems
from slackcase.slack import messages, views
from slackcase.slack.forms import ModalMetadata

# Escaping makes & five characters long, an emoji counts as two: the worst of both.
HUGE = "R&D <x> 🔥 " * 800
SETTINGS = load_settings({"KORE_CASE_TEMPLATES": f"ctm-a={'🔥' * 60},ctm-b=B"})
CASE = Case.model_validate({"_id": "ci-1", "refId": HUGE, "name": HUGE,
                            "status": {"name": HUGE}, "priority": {"name": HUGE},
                            "currAssignee": {"name": HUGE},
                            "dueDate": "2026-09-04T14:15:00.000Z"})
SUB = Submission(id="sc-1", state=State.ANNOUNCED, case=CASE, created_at=0, updated_at=0,
                 draft=CaseDraft(template_id="ctm-a", title=("&🔥" * 125), description="d",
                                 due=datetime(2027, 1, 1, tzinfo=UTC), requester_id="U1"),
                 origin=Origin(source="command", user_id="U2"),
                 steps={"link": "https://fake.slack.test/archives/C1/p1"})


def test_every_message_fits_slacks_limits_whatever_kore_ai_sends():
    assignee = messages.assignee_label(CASE, None)
    built = [
        messages.confirmation(CASE, HUGE, assignee=assignee, requester_id="U1", filed_by="U2",
                              template_name=HUGE),
        messages.team_notice(CASE, HUGE, assignee=assignee, requester_id="U1", filed_by="U2",
                             template_name=HUGE, conversation="https://x.test"),
        messages.change_reply(CASE, [HUGE, HUGE]),
        messages.resolved_dm(CASE, HUGE, "https://x.test"),
        messages.failure(HUGE, HUGE, "sc-1", retryable=True),
        messages.notice(HUGE * 10),
    ]
    for message in built:
        assert block_kit_problems(message.blocks_dict(), surface="message") == []
        assert units(message.text) <= 40000
        assert "&amp;amp;" not in str(message.blocks_dict())


def test_every_view_fits_slacks_limits_whatever_kore_ai_sends():
    meta = ModalMetadata(user="U1")
    form = views.case_form(SETTINGS, meta, title=HUGE, description=HUGE,
                           due=datetime(2027, 1, 1, tzinfo=UTC), requester="U1",
                           show_contact=True, contact_name=HUGE,
                           banner=views.failure_banner(HUGE, "sc-1"))
    built = [
        form.to_dict(),
        views.progress_view(HUGE, HUGE),
        views.result_view(CASE, HUGE, messages.assignee_label(CASE, None), "w").to_dict(),
        views.case_exists_view(SUB, messages.assignee_label(CASE, None), meta).to_dict(),
        views.home_view([SUB] * 30, {"sc-1": messages.assignee_label(CASE, None)},
                        "U1").to_dict(),
    ]
    for view in built:
        assert view_problems(view) == []


def test_the_fake_counts_as_slack_does_and_refuses_what_slack_refuses():
    emoji = {"type": "section", "text": {"type": "mrkdwn", "text": "🔥" * 1501}}
    assert block_kit_problems([emoji], surface="message") == \
        ["section text over 3000 characters"]
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": "🔥" * 1001}]}
    assert block_kit_problems([context], surface="message") == \
        ["context element over 2000 characters"]
    header = {"type": "header", "text": {"type": "plain_text", "text": "🔥" * 76}}
    assert "header text over 150 characters" in block_kit_problems([header], surface="message")
    assert view_problems({"type": "modal", "title": {"type": "plain_text", "text": "🔥" * 13},
                          "blocks": [{"type": "divider"}]}) == ["title over 24 characters"]
    fake = FakeSlack(bot_token="xoxb-t")
    fake.add_channel("C1", "general")
    _, body, _ = fake.call("chat.postMessage", {"channel": "C1", "text": "a" * 40001},
                                "xoxb-t")
    assert body == {"ok": False, "error": "msg_too_long"}
    _, body, _ = fake.call("chat.postMessage", {"channel": "C1", "text": "a" * 40000},
                                "xoxb-t")
    assert body["ok"] is True


def test_kore_ai_error_text_is_clipped_where_the_error_is_built():
    error = KoreRejected(["x" * 4000, "y"], status=400)
    assert len(str(error)) < 1100 and error.messages[1] == "y"
    assert len(error.user_message) < 1100


def test_a_log_line_never_carries_a_huge_message():
    record = logging.LogRecord("slackcase.kore", logging.WARNING, __file__, 1,
                               "kore said %s", ("z" * 4000 + "xoxb-1234567890-secret",), None)
    line = _Formatter(["sekrit-value"]).format(record)
    assert len(line) < 2200 and line.endswith("… [2020 more characters]")
    assert "xoxb" not in line
