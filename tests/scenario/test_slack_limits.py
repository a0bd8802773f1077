"""A refusal from Kore.ai of any length still reaches the person, within Slack's limits."""

from slackcase.logs import _Formatter
from slackcase.sandbox.slack_limits import units
from tests.harness import BOT_TOKEN, KORE_SECRET, SIGNING_SECRET, wait_for

# 4,000 characters that grow when escaped and count double in UTF-16 (the emoji).
REFUSAL = "R&D <db> down 🔥 " * 250


def submit(world):
    world.driver.command("disk full", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], user="UALICE")
    return form


def test_a_4000_character_refusal_after_the_modal_closed_reaches_the_person(world, caplog):
    caplog.handler.setFormatter(_Formatter([SIGNING_SECRET, KORE_SECRET, BOT_TOKEN]))
    assert len(REFUSAL) == 4000
    world.kore.inject(op="createCase", status=400, message=REFUSAL, times=1)
    form = submit(world)
    world.fake.close_view(form["id"])
    [notice] = wait_for(lambda: world.fake.response_posts(), what="failure notice")
    # Slack refused nothing but the update of the modal the person had closed.
    assert set(world.fake.rejected) <= {("views.update", "not_found")}
    section = notice["blocks"][0]["text"]["text"]
    assert "was not created" in section and "R&amp;D &lt;db&gt; down 🔥" in section
    assert "…" in section and units(section) <= 3000
    assert "was not created" in notice["text"] and units(notice["text"]) < 3000
    assert world.kore.cases == {}
    assert REFUSAL not in caplog.text and REFUSAL[:1000] not in caplog.text


def test_a_4000_character_refusal_is_shown_in_the_open_modal(world):
    world.kore.inject(op="createCase", status=400, message=REFUSAL, times=1)
    form = submit(world)
    again = wait_for(lambda: "was not created" in str(world.fake.views[form["id"]]["blocks"])
                     and world.fake.views[form["id"]], what="the form given back")
    banner = again["blocks"][0]["text"]["text"]
    assert "R&amp;D &lt;db&gt; down 🔥" in banner and units(banner) <= 3000
    assert world.fake.response_posts() == []


def test_a_form_slack_refuses_to_give_back_still_leaves_a_failure_notice(world):
    world.kore.inject(op="createCase", status=400, message=REFUSAL, times=1)
    world.fake.fail("views.update", "invalid_arguments", times=1)
    submit(world)
    [notice] = wait_for(lambda: world.fake.response_posts(), what="failure notice")
    assert "was not created" in notice["text"]
