"""The requester: filed under their real name however they were chosen; a requester
without an email on their Slack profile is asked for a contact, in the form, before Kore.ai."""

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


def contact_inputs_shown(world, view_id):
    return ids.BLOCK_EMAIL in str(world.fake.views[view_id]["blocks"])


def test_a_requester_without_email_is_asked_for_contact_and_kore_gets_what_was_typed(world):
    world.driver.command("printer on fire", user="UNOMAIL", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    wait_for(lambda: contact_inputs_shown(world, form["id"]), what="contact inputs")
    assert "Nora Nomail has no email" in str(world.fake.views[form["id"]]["blocks"])
    answer = world.driver.submit(form["id"], user="UNOMAIL")
    assert answer.body["response_action"] == "errors"
    assert ids.BLOCK_EMAIL in answer.body["errors"]
    assert world.kore.requests() == []
    answer = world.driver.submit(form["id"], {ids.BLOCK_EMAIL: "nora@example.com",
                                              ids.BLOCK_PHONE: "+1 555 0100"}, user="UNOMAIL")
    assert answer.body["response_action"] == "update"
    world.announced(1)
    world.settled()
    [request] = world.kore.requests("createCase")
    assert request.body["userInfo"] == {"name": "Nora Nomail"}
    assert request.body["emailId"] == "nora@example.com"
    assert request.body["phoneNumber"] == "+15550100"
    [card] = world.fake.posts("CGENERAL")
    assert "<@UNOMAIL>" in str(card["blocks"])


def test_picking_a_requester_shows_the_contact_inputs_only_for_one_without_email(world):
    world.driver.command("laptop broken", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.settled()  # the form filled in: a pick made before would meet a changed form
    assert not contact_inputs_shown(world, form["id"])
    assert world.pick_requester(form["id"], "UNOMAIL", by="UALICE").status == 200
    wait_for(lambda: contact_inputs_shown(world, form["id"]), what="contact inputs")
    assert "Nora Nomail has no email" in str(world.fake.views[form["id"]]["blocks"])
    assert world.pick_requester(form["id"], "UBOB", by="UALICE").status == 200
    wait_for(lambda: not contact_inputs_shown(world, form["id"]), what="contact inputs gone")
    world.driver.submit(form["id"], user="UALICE")
    world.announced(1)
    world.settled()
    [request] = world.kore.requests("createCase")
    assert request.body["userInfo"] == {"name": "Bob Builder"}
    assert request.body["emailId"] == "bob@example.com" and "phoneNumber" not in request.body
    assert request.body["name"] == "laptop broken"  # what was typed survived the refreshes


def test_a_picked_requester_without_email_is_filed_with_the_contact_typed_for_them(world):
    world.driver.command("badge does not open the door", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.settled()
    world.pick_requester(form["id"], "UNOMAIL", by="UALICE")
    wait_for(lambda: contact_inputs_shown(world, form["id"]), what="contact inputs")
    world.driver.submit(form["id"], {ids.BLOCK_EMAIL: "nora.home@example.com"}, user="UALICE")
    world.announced(1)
    world.settled()
    [request] = world.kore.requests("createCase")
    assert request.body["userInfo"] == {"name": "Nora Nomail"}
    assert request.body["emailId"] == "nora.home@example.com"
