"""/case text as Slack sends it (&, < and > escaped): used as typed, posted escaped once."""

import json

from slackcase.slack import ids
from tests.harness import make_world, wait_for

TYPED = "R&D VPN down <urgent>"
SHOWN = "R&amp;D VPN down &lt;urgent&gt;"


def escaped_once(where, blocks, text=""):
    dumped = json.dumps(blocks, ensure_ascii=False) + text
    assert SHOWN in dumped, f"{where}: {dumped}"
    assert TYPED not in dumped and "&amp;amp;" not in dumped and "&amp;lt;" not in dumped, \
        f"{where}: {dumped}"


def test_command_text_is_unescaped_then_escaped_once_in_every_card(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_NOTIFY_CHANNELS": "*=CTEAMGEN"})
    try:
        world.driver.command(TYPED, user="UALICE", channel="CGENERAL")
        form = wait_for(world.latest_form, what="form")
        title = next(b for b in form["blocks"] if b.get("block_id") == ids.BLOCK_TITLE)
        assert title["element"]["initial_value"] == TYPED
        world.driver.submit(form["id"], user="UALICE")
        world.announced(1)
        assert world.kore.requests("createCase")[0].body["name"] == TYPED
        [card] = world.fake.posts("CGENERAL")
        [team] = world.fake.posts("CTEAMGEN")
        result = wait_for(lambda: "created" in str(world.fake.views[form["id"]]["blocks"])
                          and world.fake.views[form["id"]], what="modal result")
        world.driver.event({"type": "app_home_opened", "user": "UALICE", "tab": "home",
                            "channel": "DALICE"})
        home = wait_for(lambda: world.fake.views.get("home:UALICE"), what="home")
        escaped_once("confirmation card", card["blocks"])
        escaped_once("team notice", team["blocks"], team["text"])
        escaped_once("modal result", result["blocks"])
        escaped_once("App Home", home["blocks"])
        assert world.fake.rejected == []
    finally:
        world.stop()


def test_command_text_in_a_failure_notice_is_escaped_once(world):
    world.kore.inject(op="createCase", status=400, times=1)
    world.driver.command(TYPED, user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], user="UALICE")
    world.fake.close_view(form["id"])
    [notice] = wait_for(lambda: world.fake.response_posts(), what="failure notice")
    escaped_once("failure notice", notice["blocks"], notice["text"])
    assert world.kore.requests("createCase")[0].body["name"] == TYPED


def test_mention_markup_typed_in_command_text_stays_text(world):
    world.driver.command("ask <@UBOB> & <!here>", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], user="UALICE")
    [card] = wait_for(lambda: world.fake.posts("CGENERAL"), what="card")
    assert world.kore.requests("createCase")[0].body["name"] == "ask <@UBOB> & <!here>"
    dumped = json.dumps(card["blocks"])
    assert "ask &lt;@UBOB&gt; &amp; &lt;!here&gt;" in dumped and "<@UBOB>" not in dumped
