"""Kore.ai files a case under the requester's real name, however the requester was chosen."""

from slackcase.slack import ids
from tests.harness import wait_for


def filed_name(world):
    world.created(1)
    return world.kore.requests("createCase")[0].body["userInfo"]["name"]


def test_the_person_who_typed_case_is_filed_under_their_real_name(world):
    world.driver.command("printer on fire", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], user="UALICE")
    assert filed_name(world) == "Alice Example"


def test_the_message_author_of_a_shortcut_is_filed_under_their_real_name(world):
    message = world.fake.add_message("CSUPPORT", "UALICE", "VPN drops every hour")
    world.driver.shortcut(message, user="UBOB", channel="CSUPPORT")
    form = wait_for(lambda: next((v for v in world.fake.views.values()
                                  if ids.BLOCK_DESCRIPTION_THREAD in str(v["blocks"])), None),
                    what="form filled from the thread")
    requester = next(b for b in form["blocks"] if b.get("block_id") == ids.BLOCK_REQUESTER)
    assert requester["element"]["initial_user"] == "UALICE"
    world.driver.submit(form["id"], user="UBOB")
    assert filed_name(world) == "Alice Example"


def test_a_requester_picked_on_behalf_is_filed_under_their_real_name(world):
    world.driver.command("laptop broken", user="UBOB", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], {ids.BLOCK_REQUESTER: "UALICE"}, user="UBOB")
    assert filed_name(world) == "Alice Example"
    assert world.kore.requests("createCase")[0].body["emailId"] == "alice@example.com"
