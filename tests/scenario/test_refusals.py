"""What Slack never sends is refused at the door: unsigned requests with 401 before anything
reads them, signed ones of a shape Slack never sends with 400 and one log line."""

import json
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest

from slackcase.slack import ids
from tests.harness import wait_for


def _raw_post(world, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(world.driver.url, content=body, headers=headers or {}, timeout=5,
                      trust_env=False)


def _no_tracebacks(caplog) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


def test_unsigned_garbage_gets_401_without_a_traceback(world, caplog):
    now = str(int(time.time()))
    form = "application/x-www-form-urlencoded"
    with caplog.at_level(logging.DEBUG):
        answers = [
            _raw_post(world, b"\xff\xfe\x00garbage"),
            _raw_post(world, b"payload=%7Bnot json", {"Content-Type": form}),
            _raw_post(world, b'{"type": "event_callback"}',
                      {"Content-Type": "application/json", "X-Slack-Request-Timestamp": now,
                       "X-Slack-Signature": "v0=" + "0" * 64}),
            _raw_post(world, b"\xff\xfe", {"X-Slack-Request-Timestamp": "soon",
                                           "X-Slack-Signature": "v0=abc"}),
        ]
        # Signed with the right secret, five minutes and more ago: a replay.
        stale = world.driver.post(b"command=%2Fcase&text=x", form,
                                  timestamp=int(time.time()) - 600)
    assert [a.status_code for a in answers] == [401] * 4
    assert stale.status == 401
    _no_tracebacks(caplog)
    assert len([r for r in caplog.records if r.name.startswith("slackcase")]) <= 1
    assert world.fake.count("views.open") == 0


SIGNED_GARBAGE = [
    (b"hello, not a form", "text/plain"),
    (b"{not json", "application/json"),
    (b'["a", "list"]', "application/json"),
    (b'{"no_type": true}', "application/json"),
    (b'{"type": "event_callback"}', "application/json"),
    (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps([1, 2])}).encode(), "application/x-www-form-urlencoded"),
    (b"user_id=UALICE&text=no+command", "application/x-www-form-urlencoded"),
    (b"", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("body,content_type", SIGNED_GARBAGE)
def test_signed_garbage_gets_400_and_one_log_line(world, caplog, body, content_type):
    with caplog.at_level(logging.DEBUG):
        answer = world.driver.post(body, content_type)
    assert answer.status == 400
    _no_tracebacks(caplog)
    refusals = [r for r in caplog.records if r.name.startswith(("slackcase", "slack_bolt"))]
    assert len(refusals) == 1 and "Slack would not send" in refusals[0].getMessage()


def _slack_never_sends(world) -> list[dict]:
    """Payloads of a known type without the part every such payload has."""
    world.driver.command("shapes", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    submission = world.driver.submission_payload(form["id"], user="UALICE")
    no_view = {k: v for k, v in submission.items() if k != "view"}
    click = {"type": "block_actions", "user": {"id": "UALICE"}, "team": {"id": "T0FAKE"},
             "trigger_id": world.fake.new_trigger(), "actions": []}
    shortcut = {"type": "message_action", "user": {"id": "UALICE"}, "team": {"id": "T0FAKE"},
                "trigger_id": world.fake.new_trigger(), "message": {"ts": "1.2"}}
    return [no_view, click, shortcut, {**submission, "view": "not an object"}]


def test_payload_shapes_slack_never_sends_are_refused_not_acked(world, caplog):
    with caplog.at_level(logging.DEBUG):
        answers = [world.driver.interaction(p) for p in _slack_never_sends(world)]
    assert [a.status for a in answers] == [400] * 4
    _no_tracebacks(caplog)
    assert world.app.services.store.unfinished() == []


def test_a_title_of_invisible_characters_is_refused_inline(world):
    world.driver.command("", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    answer = world.driver.submit(form["id"], {ids.BLOCK_TITLE: "\u200b\u200c\u2060\ufeff \u3164"},
                                 user="UALICE")
    assert answer.body["response_action"] == "errors"
    assert ids.BLOCK_TITLE in answer.body["errors"]
    assert not world.kore.requests("createCase")
    # the same form with a title that shows goes through
    again = world.driver.submit(form["id"], {ids.BLOCK_TITLE: "printer\u200b on fire"},
                                user="UALICE")
    assert again.body["response_action"] == "update"
    assert world.created(1)[0]["name"] == "printer\u200b on fire"
