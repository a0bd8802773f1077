"""/case over signed loopback HTTP against the strict fake Slack and the Kore.ai sandbox."""

import time

from slackcase.core.domain import State
from slackcase.slack import ids
from tests.harness import case_of, make_world, wait_for


def open_form(world, text="printer on fire", user="UALICE", channel="CGENERAL"):
    answer = world.driver.command(text, user=user, channel=channel)
    assert answer.status == 200 and not answer.body
    return wait_for(world.latest_form, what="form")


def test_happy_path(world):
    form = open_form(world)
    title = next(b for b in form["blocks"] if b.get("block_id") == ids.BLOCK_TITLE)
    assert title["element"]["initial_value"] == "printer on fire"
    answer = world.driver.submit(form["id"], {"description": "smoke"}, user="UALICE")
    assert answer.body["response_action"] == "update"
    assert answer.elapsed < 1.0
    [case] = world.created(1)
    request = world.kore.requests("createCase")[0].body
    assert request["caseTmp"] == "ctm-general" and request["name"] == "printer on fire"
    assert request["desc"] == "smoke" and request["emailId"] == "alice@example.com"
    assert request["userInfo"] == {"name": "Alice Example"} and request["source"] == "rtm"
    assert request["dueDate"].endswith(".000Z")
    wait_for(lambda: world.fake.posts("CGENERAL"), what="confirmation")
    [post] = world.fake.posts("CGENERAL")
    assert post["text"].startswith(f"{case['refId']} · Assigned to {case['currAssignee']['name']}")
    assert "thread_ts" not in post
    world.announced(1)
    result = wait_for(lambda: "created" in str(world.fake.views[form["id"]]["blocks"]),
                      what="modal result")
    assert result
    assert world.fake.rejected == []


def test_inline_errors_create_nothing(world):
    form = open_form(world)
    answer = world.driver.submit(form["id"], {"title": "", "due": int(time.time()) - 3600},
                                 user="UALICE")
    assert answer.body["response_action"] == "errors"
    assert set(answer.body["errors"]) == {ids.BLOCK_TITLE, ids.BLOCK_DUE}
    world.settled()
    assert world.kore.requests() == []
    assert all(world.app.services.store.in_state(state) == [] for state in State)


def test_private_channel_without_bot_falls_back_to_response_url(world):
    form = open_form(world, channel="GSECRET")
    world.driver.submit(form["id"], user="UALICE")
    world.created(1)
    posts = wait_for(lambda: len(world.fake.response_posts()) >= 2 and
                     world.fake.response_posts(), what="response_url posts")
    assert posts[0]["response_type"] == "in_channel" and "CS000101" in posts[0]["text"]
    assert "/invite @slackcase" in posts[1]["text"]
    assert world.fake.posts("GSECRET") == []


def test_user_text_is_escaped(world):
    form = open_form(world, text="<!channel> printer <@UBOB> & co")
    world.driver.submit(form["id"], user="UALICE")
    wait_for(lambda: world.fake.posts("CGENERAL"), what="confirmation")
    post = world.fake.posts("CGENERAL")[0]
    dumped = str(post["blocks"]) + post["text"]
    assert "<!channel>" not in dumped and "<@UBOB>" not in dumped
    assert "&lt;!channel&gt;" in dumped
    assert world.kore.requests("createCase")[0].body["name"] == "<!channel> printer <@UBOB> & co"


def test_bad_signature_and_stale_timestamp_are_refused(world):
    bad = world.driver.command("x", user="UALICE", channel="CGENERAL", secret="wrong-secret")
    stale = world.driver.command("x", user="UALICE", channel="CGENERAL",
                                 timestamp=int(time.time()) - 600)
    assert bad.status == 401 and stale.status == 401
    open_form(world)  # a good one behind them, then all work after their acks is done
    world.settled()
    assert len(world.fake.calls_to("views.open")) == 1


def test_a_submission_with_a_bad_signature_is_refused(world):
    form = open_form(world)
    bad = world.driver.submit(form["id"], user="UALICE", secret="wrong-secret", apply=False)
    assert bad.status == 401
    # A submission is recorded before it is answered: had this one been taken, it would be.
    assert all(world.app.services.store.in_state(state) == [] for state in State)
    assert world.driver.submit(form["id"], user="UALICE").status == 200
    world.announced(1)
    world.settled()
    assert len(world.kore.requests("createCase")) == 1


def test_an_error_after_ack_never_becomes_a_500(world):
    world.fake.fail("views.open", "internal_error")
    answer = world.driver.command("x", user="UALICE", channel="CGENERAL")
    assert answer.status == 200
    notice = wait_for(lambda: world.fake.response_posts(), what="error notice")
    assert "could not be opened" in notice[0]["text"]


def test_not_allowed_channel_answers_privately(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_ALLOWED_CHANNELS": "CSUPPORT"})
    try:
        answer = world.driver.command("x", user="UALICE", channel="CGENERAL")
        assert answer.status == 200 and answer.body["response_type"] == "ephemeral"
        assert "<#CSUPPORT>" in str(answer.body)
        open_form(world, channel="CSUPPORT")  # allowed there: the only form that opens
        world.settled()
        assert len(world.fake.calls_to("views.open")) == 1
    finally:
        world.stop()


def test_guests_are_refused_by_default(world):
    world.driver.command("x", user="UGUEST", channel="CGENERAL")
    notice = wait_for(lambda: world.fake.response_posts(), what="refusal")
    assert "Guests cannot" in notice[0]["text"]
    assert world.fake.calls_to("views.open") == []


def test_double_submit_creates_one_case(world):
    form = open_form(world)
    view = dict(world.fake.views[form["id"]])
    a = world.driver.submit(form["id"], user="UALICE", apply=False)
    world.fake.views[form["id"]] = view
    b = world.driver.submit(form["id"], user="UALICE", apply=False)
    assert a.status == b.status == 200
    world.announced(1)
    world.settled()
    assert len(world.kore.cases) == 1
    assert len(world.fake.posts("CGENERAL")) == 1


def test_assignee_mentioned_when_mapped(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_AGENTS": "a-1001=UBOB,a-1002=UBOB,a-1003=UBOB"})
    try:
        form = open_form(world)
        world.driver.submit(form["id"], user="UALICE")
        post = wait_for(lambda: world.fake.posts("CGENERAL"), what="card")[0]
        assert "<@UBOB>" in str(post["blocks"])
        assert case_of(world, "CS000101").assignee_name in post["text"]
    finally:
        world.stop()


def test_only_listed_user_groups_may_create_cases(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_ALLOWED_USERGROUPS": "SHELPDESK"})
    try:
        world.fake.usergroups["SHELPDESK"] = ["UALICE"]
        world.fake.scopes.add("usergroups:read")
        world.driver.command("x", user="UBOB", channel="CGENERAL")
        refusal = wait_for(lambda: world.fake.response_posts(), what="refusal")
        assert "<!subteam^SHELPDESK>" in str(refusal[0]["blocks"])
        assert world.fake.calls_to("views.open") == []
        open_form(world, user="UALICE")
    finally:
        world.stop()


def test_user_groups_without_scope_refuse_with_admin_hint(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_ALLOWED_USERGROUPS": "SHELPDESK"})
    try:
        world.driver.command("x", user="UALICE", channel="CGENERAL")
        refusal = wait_for(lambda: world.fake.response_posts(), what="refusal")
        assert "usergroups:read" in refusal[0]["text"]
        assert world.fake.calls_to("views.open") == []
    finally:
        world.stop()
