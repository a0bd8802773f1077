"""The "Create case" message shortcut: whole thread, answer in the thread, one case per thread."""

import threading

from slackcase.slack import ids
from tests.harness import wait_for


def thread(world, replies=3, channel="CSUPPORT", long_text=False):
    root = world.fake.add_message(channel, "UBOB", "VPN drops every hour\nsince Monday")
    msgs = [root]
    for i in range(replies):
        text = f"reply {i} " + ("lots of detail " * 20 if long_text else "")
        msgs.append(world.fake.add_message(channel, "UALICE" if i % 2 else "UBOB", text,
                                           thread_ts=root["ts"]))
    return msgs


def filled_form(world):
    return wait_for(lambda: next((v for v in world.fake.views.values()
                                  if v.get("callback_id") == "case_form" and
                                  ids.BLOCK_DESCRIPTION_THREAD in str(v["blocks"])), None),
                    what="transcript filled")


def block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_reply_in_long_thread_becomes_case_answered_in_thread(world):
    msgs = thread(world, replies=450, long_text=True)
    answer = world.driver.shortcut(msgs[199], user="UALICE", channel="CSUPPORT")
    assert answer.status == 200
    form = filled_form(world)
    assert len(world.fake.calls_to("conversations.replies")) >= 3  # every page
    desc = block(form, ids.BLOCK_DESCRIPTION_THREAD)["element"]["initial_value"]
    assert len(desc) <= 3000 and "left out" in desc
    assert "VPN drops every hour" in desc and "reply 449" in desc and "Bob" in desc
    assert "https://fake.slack.test/archives/CSUPPORT/" in desc
    assert block(form, ids.BLOCK_REQUESTER)["element"]["initial_user"] == "UBOB"
    world.driver.submit(form["id"], user="UALICE")
    world.created(1)
    post = wait_for(lambda: world.fake.posts("CSUPPORT"), what="card")[0]
    assert post["thread_ts"] == msgs[0]["ts"]
    assert world.kore.requests("createCase")[0].body["emailId"] == "bob@example.com"


def test_root_message_without_replies_and_with_files(world):
    root = world.fake.add_message("CSUPPORT", "UALICE", "Screenshot of the error", files=[
        {"name": "error.png", "permalink": "https://files.test/error.png"}])
    world.driver.shortcut(root, user="UALICE", channel="CSUPPORT")
    form = filled_form(world)
    desc = block(form, ids.BLOCK_DESCRIPTION_THREAD)["element"]["initial_value"]
    assert "error.png https://files.test/error.png" in desc
    assert block(form, ids.BLOCK_TITLE)["element"]["initial_value"] == "Screenshot of the error"
    world.driver.submit(form["id"], user="UALICE")
    post = wait_for(lambda: world.fake.posts("CSUPPORT"), what="card")[0]
    assert post["thread_ts"] == root["ts"]


def test_thread_with_a_case_offers_it_and_creates_another_on_request(world):
    msgs = thread(world)
    world.driver.shortcut(msgs[1], user="UALICE", channel="CSUPPORT")
    world.driver.submit(filled_form(world)["id"], user="UALICE")
    world.announced(1)
    world.driver.shortcut(msgs[2], user="UBOB", channel="CSUPPORT")
    exists = wait_for(lambda: next((v for v in world.fake.views.values()
                                    if v.get("callback_id") == "case_exists"), None),
                      what="existing case view")
    assert "CS000101" in str(exists["blocks"]) and "Open" in str(exists["blocks"])
    world.settled()
    assert len(world.kore.cases) == 1
    world.press(ids.ACTION_CREATE_ANOTHER, user="UBOB", view_id=exists["id"])
    form = filled_form(world)
    assert form["id"] == exists["id"]
    assert "VPN drops every hour" in block(form, ids.BLOCK_DESCRIPTION_THREAD)["element"][
        "initial_value"]
    world.driver.submit(form["id"], {ids.BLOCK_TITLE: "VPN drops again"}, user="UBOB")
    world.announced(2)
    world.settled()
    assert [r.body["name"] for r in world.kore.requests("createCase")] == [
        "reply 0", "VPN drops again"]
    cards = world.fake.posts("CSUPPORT")
    assert len(cards) == 2 and all(c["thread_ts"] == msgs[0]["ts"] for c in cards)
    assert "CS000102" in cards[1]["text"]


def test_concurrent_shortcuts_on_one_thread_make_one_case(world):
    msgs = thread(world)
    world.driver.shortcut(msgs[1], user="UALICE", channel="CSUPPORT")
    world.driver.shortcut(msgs[2], user="UBOB", channel="CSUPPORT")
    wait_for(lambda: len([v for v in world.fake.views.values()
                          if ids.BLOCK_DESCRIPTION_THREAD in str(v["blocks"])]) == 2,
             what="two forms")
    forms = [v for v in world.fake.views.values() if v.get("callback_id") == "case_form"]
    answers = [None, None]

    def go(i, user):
        answers[i] = world.driver.submit(forms[i]["id"], user=user)

    workers = [threading.Thread(target=go, args=(0, "UALICE")),
               threading.Thread(target=go, args=(1, "UBOB"))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    world.announced(1)
    world.settled()
    assert len(world.kore.cases) == 1
    callbacks = sorted(a.body["view"]["callback_id"] for a in answers)
    assert callbacks == ["case_exists", "case_status"]


def test_private_channel_bot_not_in(world):
    root = world.fake.add_message("GSECRET", "UALICE", "Payroll export is broken")
    world.driver.shortcut(root, user="UALICE", channel="GSECRET")
    form = filled_form(world)
    assert "/invite @slackcase" in str(form["blocks"])
    desc = block(form, ids.BLOCK_DESCRIPTION_THREAD)["element"]["initial_value"]
    assert "Payroll export is broken" in desc
    world.driver.submit(form["id"], user="UALICE")
    world.created(1)
    posts = wait_for(lambda: world.fake.response_posts(), what="response_url")
    assert "CS000101" in posts[0]["text"]


def test_missing_history_scope_degrades_to_the_message(world):
    world.fake.scopes.discard("channels:history")
    msgs = thread(world)
    world.driver.shortcut(msgs[2], user="UALICE", channel="CSUPPORT")
    form = filled_form(world)
    assert "channels:history" in str(form["blocks"])
    desc = block(form, ids.BLOCK_DESCRIPTION_THREAD)["element"]["initial_value"]
    assert "reply 1" in desc and "VPN drops" not in desc


def shortcut_in_a_dm(world, channel, members):
    world.fake.add_dm(channel, members)
    message = world.fake.add_message(channel, "UBOB", "Invoice INV-77 was charged twice")
    world.driver.shortcut(message, user="UALICE", channel=channel)
    form = wait_for(lambda: next((v for v in world.fake.views.values()
                                  if v.get("callback_id") == "case_form" and
                                  "direct messages" in str(v["blocks"])), None),
                    what="form filled with the message")
    text = str(form["blocks"])
    assert "/invite" not in text and "history" not in text and "scope" not in text
    desc = block(form, ids.BLOCK_DESCRIPTION_THREAD)["element"]["initial_value"]
    assert "Invoice INV-77 was charged twice" in desc
    world.driver.submit(form["id"], user="UALICE")
    world.created(1)
    return wait_for(lambda: world.fake.response_posts(), what="card via response_url")


def test_shortcut_in_a_dm_uses_the_message_and_answers_privately_without_invite_advice(world):
    posts = shortcut_in_a_dm(world, "DALICEBOB", ["UALICE", "UBOB"])
    world.announced(1)
    assert "CS000101" in posts[0]["text"] and posts[0]["response_type"] == "ephemeral"
    assert not any("/invite" in p.get("text", "") for p in world.fake.response_posts())
    assert world.fake.posts("DALICEBOB") == []
    assert ("conversations.replies", "missing_scope") in world.fake.rejected


def test_shortcut_in_a_group_dm_with_history_scopes_still_gives_no_invite_advice(world):
    world.fake.scopes |= {"im:history", "mpim:history"}
    posts = shortcut_in_a_dm(world, "GMPDM01", ["UALICE", "UBOB", "UNOMAIL"])
    world.announced(1)
    assert "CS000101" in posts[0]["text"]
    assert not any("/invite" in p.get("text", "") for p in world.fake.response_posts())
    assert ("conversations.replies", "channel_not_found") in world.fake.rejected
    assert ("chat.postMessage", "channel_not_found") in world.fake.rejected


def test_case_command_in_a_group_dm_answers_without_invite_advice(world):
    world.fake.add_dm("GMPDM02", ["UALICE", "UBOB", "UNOMAIL"])
    world.driver.command("printer", user="UALICE", channel="GMPDM02",
                         channel_name="mpdm-ualice--ubob--unomail-1")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], user="UALICE")
    world.announced(1)
    posts = world.fake.response_posts()
    assert "CS000101" in posts[0]["text"]
    assert not any("/invite" in p.get("text", "") for p in posts)
