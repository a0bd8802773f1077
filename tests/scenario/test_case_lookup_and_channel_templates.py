"""/case CS000123 shows a case privately; /case help; templates preselected by channel."""

import pytest

from slackcase.slack import ids
from tests.harness import make_world, submit_case, wait_for


@pytest.fixture
def tworld(tmp_path):
    w = make_world(tmp_path, env={"SLACKCASE_CHANNEL_TEMPLATES": "CSUPPORT=ctm-it"})
    yield w
    w.stop()


def chosen_template(form):
    block = next(b for b in form["blocks"] if b.get("block_id") == ids.BLOCK_TEMPLATE)
    return block["element"]["initial_option"]["value"]


def test_case_in_a_mapped_channel_preselects_its_template(tworld):
    tworld.driver.command("vpn down", user="UALICE", channel="CSUPPORT")
    form = wait_for(tworld.latest_form, what="form")
    assert chosen_template(form) == "ctm-it"
    tworld.driver.submit(form["id"], user="UALICE")
    tworld.created(1)
    assert tworld.kore.requests("createCase")[0].body["caseTmp"] == "ctm-it"


def test_case_in_an_unmapped_channel_keeps_the_default(tworld):
    submit_case(tworld, "vpn down", channel="CGENERAL")
    tworld.created(1)
    assert tworld.kore.requests("createCase")[0].body["caseTmp"] == "ctm-general"


def test_case_refid_answers_privately_with_the_case_as_it_stands_now(world):
    submit_case(world, "printer jam")
    world.announced(1)
    (case,) = world.cases()
    world.kore.set_status(case["_id"], "In Progress")  # changed in Kore.ai since the card
    world.kore.assign(case["_id"], 1)
    opened = world.fake.count("views.open")
    answer = world.driver.command("CS000101", user="UBOB", channel="CGENERAL")
    assert answer.status == 200
    (shown,) = wait_for(world.fake.response_posts, what="private answer")
    assert shown["response_type"] == "ephemeral"
    text = str(shown["blocks"])
    assert "CS000101" in text and "In Progress" in text and "Priya Nair" in text
    assert "https://fake.slack.test/archives/CGENERAL/" in text  # its conversation
    assert ids.ACTION_EDIT_CASE in text
    assert world.fake.count("views.open") == opened  # no modal
    searched = world.kore.requests("getCases")[-1].body
    assert searched["searchText"] == "CS000101"


def test_unknown_refid_says_so_and_offers_to_create_a_case(world):
    world.driver.command("cs000999", user="UBOB", channel="CGENERAL")
    (shown,) = wait_for(world.fake.response_posts, what="private answer")
    assert shown["response_type"] == "ephemeral" and "CS000999" in shown["text"]
    assert ids.ACTION_NEW_CASE in str(shown["blocks"])
    assert world.fake.count("views.open") == 0 and world.kore.requests() == []


def test_case_help_says_what_the_command_can_do(world):
    answer = world.driver.command("help", user="UBOB", channel="CGENERAL")
    assert answer.body["response_type"] == "ephemeral"
    assert "/case CS000123" in str(answer.body["blocks"])
    assert world.fake.count("views.open") == 0
