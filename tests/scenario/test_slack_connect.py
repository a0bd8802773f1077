"""People from another organisation in a Slack Connect channel (SLACKCASE_ALLOW_EXTERNAL)."""

from slackcase.slack import ids
from tests.harness import make_world, wait_for


def add_partner(world, user="UPARTNER", **kwargs):
    # Their own team, and an email Slack will not show to this workspace.
    world.fake.add_user(user, "Pat Partner", email="pat@partner.example", team_id="TPARTNER",
                        **kwargs)
    world.fake.add_channel("CSHARED", "shared-with-partner")


def test_a_user_from_another_organisation_is_refused_privately_by_default(world):
    add_partner(world)
    world.driver.command("their VPN", user="UPARTNER", channel="CSHARED")
    notice = wait_for(lambda: world.fake.response_posts(), what="refusal")
    assert "other organisations cannot create cases" in notice[0]["text"]
    assert notice[0].get("response_type", "ephemeral") == "ephemeral"
    message = world.fake.add_message("CSHARED", "UPARTNER", "our side is down")
    world.driver.shortcut(message, user="UPARTNER", channel="CSHARED")
    wait_for(lambda: len(world.fake.response_posts()) == 2, what="second refusal")
    assert "other organisations" in world.fake.response_posts()[1]["text"]
    assert world.fake.calls_to("views.open") == [] and world.kore.requests() == []


def test_a_slack_stranger_is_refused_too(world):
    add_partner(world, user="USTRANGE", stranger=True)
    world.driver.command("x", user="USTRANGE", channel="CSHARED")
    notice = wait_for(lambda: world.fake.response_posts(), what="refusal")
    assert "other organisations" in notice[0]["text"]


def test_members_of_this_workspace_are_not_external(world):
    world.fake.add_channel("CSHARED", "shared-with-partner")
    world.driver.command("ours", user="UALICE", channel="CSHARED")
    assert wait_for(world.latest_form, what="form")
    assert world.fake.response_posts() == []


def test_allowed_external_user_gives_contact_in_the_form_and_the_case_uses_it(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_ALLOW_EXTERNAL": "true"})
    try:
        add_partner(world)
        world.driver.command("partner VPN down", user="UPARTNER", channel="CSHARED")
        form = wait_for(world.latest_form, what="form")
        form = wait_for(lambda: ids.BLOCK_EMAIL in str(world.fake.views[form["id"]]["blocks"])
                        and world.fake.views[form["id"]], what="contact inputs")
        answer = world.driver.submit(form["id"], {ids.BLOCK_EMAIL: "pat@partner.example"},
                                     user="UPARTNER")
        assert answer.body["response_action"] == "update"
        world.created(1)
        body = world.kore.requests("createCase")[0].body
        assert body["emailId"] == "pat@partner.example"
        assert body["name"] == "partner VPN down"
        assert world.fake.response_posts() == []  # no refusal
    finally:
        world.stop()
