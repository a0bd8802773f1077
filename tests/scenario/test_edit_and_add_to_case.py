"""Keeping a case current from Slack: Edit on its card, and Add to CS… for a later message."""

from slackcase.slack import ids
from tests.harness import submit_case, wait_for
from tests.scenario.test_shortcut import filled_form


def card_of(world, channel="CGENERAL"):
    return wait_for(lambda: world.fake.posts(channel), what="card")[0]


def edit_button(card):
    return next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == ids.ACTION_EDIT_CASE)


def open_edit(world, card, user="UBOB"):
    world.driver.click(ids.ACTION_EDIT_CASE, edit_button(card)["value"], user=user,
                       channel="CGENERAL", message=card)
    return wait_for(lambda: next((v for v in world.fake.views.values()
                                  if v.get("callback_id") == ids.VIEW_CASE_EDIT), None),
                    what="edit form")


def test_edit_with_a_new_title_sends_one_update_to_the_case_id_and_updates_the_card(world):
    submit_case(world, "printer jam")
    world.announced(1)
    card = card_of(world)
    (case,) = world.cases()
    form = open_edit(world, card)
    shown = {b["block_id"]: b["element"].get("initial_value") for b in form["blocks"]
             if b["type"] == "input"}
    assert shown == {ids.BLOCK_TITLE: "printer jam", ids.BLOCK_DESCRIPTION: "printer jam"}
    as_shown = dict(world.fake.views[form["id"]])
    answer = world.driver.submit(form["id"], {ids.BLOCK_TITLE: "Printer on fire"}, user="UBOB")
    assert answer.body["response_action"] == "update"
    wait_for(lambda: world.fake.count("chat.update") >= 1, what="card updated")
    updates = world.kore.requests("updateCase")
    assert len(updates) == 1 and updates[0].body == {"name": "Printer on fire"}
    assert world.kore.cases[case["_id"]]["name"] == "Printer on fire"
    updated = world.fake.calls_to("chat.update")[0].args
    assert updated["ts"] == card["ts"] and "Printer on fire" in str(updated["blocks"])
    assert "Printer on fire" in card_of(world)["blocks"][0]["text"]["text"]
    # The same view submitted again (Slack's retry) finds the recorded edit: nothing is
    # scheduled, so nothing more can be sent.
    world.fake.views[form["id"]] = as_shown  # what Slack resends is the form as submitted
    again = world.driver.submit(form["id"], {ids.BLOCK_TITLE: "Printer on fire"}, user="UBOB",
                                apply=False)
    assert again.status == 200
    assert len(world.app.services.store.edits_due()) == 0
    assert len(world.kore.requests("updateCase")) == 1


def test_a_refused_edit_is_told_and_nothing_else_changes(world):
    submit_case(world, "printer jam")
    world.announced(1)
    form = open_edit(world, card_of(world))
    world.kore.inject(op="updateCase", status=400, message="name is locked")
    world.driver.submit(form["id"], {ids.BLOCK_TITLE: "Printer on fire"}, user="UBOB")
    told = wait_for(lambda: "name is locked" in str(world.fake.views.get(form["id"], {})),
                    what="refusal shown")
    assert told and world.fake.count("chat.update") == 0
    assert world.cases()[0]["name"] == "printer jam"


def test_an_edit_whose_answer_was_lost_is_confirmed_not_sent_again(world):
    submit_case(world, "printer jam")
    world.announced(1)
    form = open_edit(world, card_of(world))
    world.kore.inject(op="updateCase", delay=3.0)  # past KORE_TIMEOUT_SECONDS=2: applied
    world.driver.submit(form["id"], {ids.BLOCK_TITLE: "Printer on fire"}, user="UBOB")
    wait_for(lambda: world.fake.count("chat.update") >= 1, timeout=20, what="card updated")
    assert len(world.kore.requests("updateCase")) == 1
    assert len(world.kore.requests("getCases")) >= 1  # looked before any resend


def thread_with_case(world):
    root = world.fake.add_message("CSUPPORT", "UBOB", "VPN drops every hour")
    first = world.fake.add_message("CSUPPORT", "UBOB", "since Monday", thread_ts=root["ts"])
    world.driver.shortcut(first, user="UALICE", channel="CSUPPORT")
    world.driver.submit(filled_form(world)["id"], user="UALICE")
    world.announced(1)
    return root


def add_later_reply(world, later):
    world.driver.shortcut(later, user="UALICE", channel="CSUPPORT")
    exists = wait_for(lambda: next((v for v in world.fake.views.values()
                                    if v.get("callback_id") == "case_exists"), None),
                      what="existing case view")
    button = next(e for b in exists["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["action_id"] == ids.ACTION_ADD_TO_CASE)
    assert button["text"]["text"] == "Add to CS000101"
    world.driver.click(ids.ACTION_ADD_TO_CASE, button["value"], user="UALICE",
                       view_id=exists["id"])
    return exists


def test_add_a_later_reply_twice_puts_it_in_the_description_once(world):
    root = thread_with_case(world)
    later = world.fake.add_message("CSUPPORT", "UALICE", "now it drops every minute",
                                   thread_ts=root["ts"])
    add_later_reply(world, later)
    reply = wait_for(lambda: [m for m in world.fake.posts("CSUPPORT")
                              if "was added to" in m["text"]], what="thread reply")
    assert reply[0]["thread_ts"] == root["ts"] and "<@UALICE>" in reply[0]["text"]
    first = add_later_reply(world, later)  # the same message again
    wait_for(lambda: "already in CS000101" in str(world.fake.views.get(first["id"], {})),
             what="told it is in already")
    (case,) = world.cases()
    assert case["desc"].count("now it drops every minute") == 1
    assert "Alice Example" in case["desc"]
    assert f"https://fake.slack.test/archives/CSUPPORT/p{later['ts'].replace('.', '')}" \
        in case["desc"]
    updates = world.kore.requests("updateCase")
    assert len(updates) == 1 and updates[0].headers["accountid"] == "acct-test"
    assert len([m for m in world.fake.posts("CSUPPORT") if "was added to" in m["text"]]) == 1
