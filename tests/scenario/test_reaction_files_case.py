"""SLACKCASE_REACTION: the emoji on a message files a case from it, without a form."""

import pytest

from slackcase.core.domain import State
from slackcase.slack import ids
from tests.harness import make_world, wait_for


@pytest.fixture
def rworld(tmp_path):
    w = make_world(tmp_path, env={"SLACKCASE_REACTION": "ticket",
                                  "SLACKCASE_CHANNEL_TEMPLATES": "CSUPPORT=ctm-it"})
    yield w
    w.stop()


def react(world, message, *, user="UALICE", reaction="ticket", channel="CSUPPORT",
          kind="reaction_added"):
    return world.driver.event({
        "type": kind, "user": user, "reaction": reaction, "item_user": message["user"],
        "item": {"type": "message", "channel": channel, "ts": message["ts"]},
        "event_ts": message["ts"]})


def thread(world, channel="CSUPPORT"):
    root = world.fake.add_message(channel, "UBOB", "VPN drops every hour\nsince Monday")
    reply = world.fake.add_message(channel, "UBOB", "  Still broken today  \nafter reboot",
                                   thread_ts=root["ts"])
    later = world.fake.add_message(channel, "UALICE", "me too", thread_ts=root["ts"])
    return root, reply, later


def ephemerals(world, user):
    return [c.args for c in world.fake.calls_to("chat.postEphemeral") if c.args["user"] == user]


def test_ticket_on_a_thread_reply_files_a_case_into_the_thread(rworld):
    root, reply, _ = thread(rworld)
    assert react(rworld, reply, user="UALICE").status == 200
    rworld.announced(1)
    (sent,) = [r.body for r in rworld.kore.requests("createCase")]
    assert sent["name"] == "Still broken today"  # the reacted message's first line, trimmed
    assert sent["emailId"] == "bob@example.com"  # the requester is the message's author
    assert sent["userInfo"]["name"] == "Bob Builder"
    assert "VPN drops every hour" in sent["desc"] and "me too" in sent["desc"]  # the thread
    assert sent["caseTmp"] == "ctm-it"  # the channel's template
    (card,) = rworld.fake.posts("CSUPPORT")
    assert card["thread_ts"] == root["ts"]
    edit = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in edit] == [ids.ACTION_EDIT_CASE]
    assert rworld.fake.count("views.open") == 0  # no modal


def test_ticket_again_and_the_shortcut_make_no_second_case_and_the_reactor_is_told(rworld):
    root, reply, later = thread(rworld)
    react(rworld, reply, user="UALICE")
    rworld.announced(1)
    react(rworld, later, user="UBOB")  # 🎫 again on the same thread
    told = wait_for(lambda: ephemerals(rworld, "UBOB"), what="reactor told")
    assert "CS000101" in told[0]["text"] and told[0]["channel"] == "CSUPPORT"
    react(rworld, root, user="UALICE", reaction="eyes")  # another emoji: nothing
    react(rworld, reply, user="UALICE", kind="reaction_removed")  # removed: nothing
    rworld.fake.add_user("UBOTX", "Some Bot")
    rworld.fake.users["UBOTX"]["is_bot"] = True
    react(rworld, later, user="UBOTX")  # a bot's reaction: nothing
    react(rworld, later, user="UNOMAIL")  # the signal that the ones before were handled
    wait_for(lambda: ephemerals(rworld, "UNOMAIL"), what="last reactor told")
    assert len(rworld.kore.requests("createCase")) == 1
    assert ephemerals(rworld, "UALICE") == [] and ephemerals(rworld, "UBOTX") == []
    assert len(rworld.app.services.store.in_state(State.ANNOUNCED)) == 1


def test_a_requester_without_email_is_told_to_the_reactor_privately(rworld):
    message = rworld.fake.add_message("CSUPPORT", "UNOMAIL", "Laptop will not boot")
    react(rworld, message, user="UALICE")
    dm = wait_for(lambda: rworld.fake.posts("DALICE"), what="failure DM to the reactor")
    assert "email" in dm[0]["text"] and len(rworld.kore.cases) == 0


def test_the_case_is_recorded_before_the_reaction_is_acknowledged(rworld):
    """The event's answer leaves once the case is recorded, so a process killed before
    then leaves it unanswered for Slack to repeat; a repeat of an answered one files
    nothing more and tells the reactor nothing."""
    _, reply, _ = thread(rworld)
    answer = rworld.driver.event({
        "type": "reaction_added", "user": "UALICE", "reaction": "ticket",
        "item_user": reply["user"], "item": {"type": "message", "channel": "CSUPPORT",
                                             "ts": reply["ts"]}, "event_ts": reply["ts"]},
        event_id="EvREACTION1")
    assert answer.status == 200
    assert len(rworld.app.services.store.in_state(State.ACCEPTED, limit=10)
               + rworld.app.services.store.in_state(State.SENT, limit=10)
               + rworld.app.services.store.in_state(State.CREATED, limit=10)
               + rworld.app.services.store.in_state(State.ANNOUNCED, limit=10)) == 1
    repeat = rworld.driver.event({
        "type": "reaction_added", "user": "UALICE", "reaction": "ticket",
        "item_user": reply["user"], "item": {"type": "message", "channel": "CSUPPORT",
                                             "ts": reply["ts"]}, "event_ts": reply["ts"]},
        event_id="EvREACTION1", headers={"X-Slack-Retry-Num": "1",
                                         "X-Slack-Retry-Reason": "http_timeout"})
    assert repeat.status == 200
    rworld.announced(1)
    rworld.settled()
    assert len(rworld.kore.requests("createCase")) == 1
    assert ephemerals(rworld, "UALICE") == []
