"""Team routing, and case changes in Kore.ai told back in Slack."""

import time

from slackcase.app import build_app
from tests.harness import make_world, wait_for


def create(world, text, template=None, user="UALICE", channel="CGENERAL"):
    before = len(world.kore.cases)
    world.driver.command(text, user=user, channel=channel)
    form = wait_for(world.latest_form, what="form")
    values = {"template": template} if template else {}
    world.driver.submit(form["id"], values, user=user)
    wait_for(lambda: len(world.kore.cases) > before, what="case")


def announced(world, n):
    world.announced(n)


def test_routing_per_template_default_and_listed_only(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_NOTIFY_CHANNELS": "ctm-it=CTEAMIT,*=CTEAMGEN"})
    try:
        create(world, "laptop broken", template="ctm-it")
        announced(world, 1)
        create(world, "question about invoices")
        announced(world, 2)
        it, gen = world.fake.posts("CTEAMIT"), world.fake.posts("CTEAMGEN")
        assert len(it) == 1 and "laptop broken" in it[0]["text"] and "IT Support" in it[0]["text"]
        assert len(gen) == 1 and "invoices" in gen[0]["text"]
        assert "the Slack conversation" in str(it[0]["blocks"])
        card = next(m for m in world.fake.posts("CGENERAL") if "laptop broken" in str(m["blocks"]))
        link = f"https://fake.slack.test/archives/CGENERAL/p{card['ts'].replace('.', '')}"
        assert f"<{link}|the Slack conversation>" in str(it[0]["blocks"])  # the card's own
    finally:
        world.stop()


def test_no_route_no_team_post(world):
    create(world, "x")
    announced(world, 1)
    assert world.fake.posts("CTEAMIT") == world.fake.posts("CTEAMGEN") == []


def test_status_change_updates_card_and_replies_once_and_restart_repeats_nothing(tmp_path):
    db = str(tmp_path / "follow.db")
    world = make_world(tmp_path, database=db)
    try:
        create(world, "printer jam")
        announced(world, 1)
        case_id = next(iter(world.kore.cases))
        assert world.app.poller.poll_once() == 0
        world.kore.assign(case_id, 1)
        world.kore.set_status(case_id, "Resolved")
        assert world.app.poller.poll_once() == 1
        [card] = [m for m in world.fake.posts("CGENERAL") if "thread_ts" not in m]
        assert card.get("edited") and "Resolved" in str(card["blocks"])
        replies = [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts") == card["ts"]]
        assert len(replies) == 1
        assert "assigned to Priya Nair" in replies[0]["text"] and "Resolved" in replies[0]["text"]
        dms = world.fake.posts("DALICE")
        assert len(dms) == 1 and "resolved" in dms[0]["text"]
        assert world.app.poller.poll_once() == 0
        world.app.stop()
        # a new process on the same database hears nothing new
        again = build_app(world.settings.model_copy(update={"kore_host": world.kore.url}))
        assert again.poller.poll_once() == 0
        again.stop()
        assert len(world.fake.posts("CGENERAL")) == 2 and len(world.fake.posts("DALICE")) == 1
    finally:
        world.server.close()
        world.driver.close()
        world.fake.close()
        world.kore.close()


def test_poller_uses_one_batched_call_per_round(world):
    for i in range(5):
        create(world, f"case {i}")
    announced(world, 5)
    before = len(world.kore.requests("getCases"))
    world.app.poller.poll_once()
    assert len(world.kore.requests("getCases")) - before == 1


def test_slack_failure_on_a_change_notice_is_retried_next_round_once(world):
    create(world, "wifi down")
    announced(world, 1)
    case_id = next(iter(world.kore.cases))
    world.kore.set_status(case_id, "Resolved")
    world.fake.fail("chat.postMessage", "internal_error", status=200, times=1)
    world.app.poller.poll_once()
    replies = lambda: [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts")]  # noqa: E731
    assert replies() == [] and world.fake.posts("DALICE") == []
    world.app.poller.poll_once()
    assert len(replies()) == 1 and len(world.fake.posts("DALICE")) == 1
    world.app.poller.poll_once()
    assert len(replies()) == 1 and len(world.fake.posts("DALICE")) == 1


def test_notices_saved_before_a_crash_are_sent_once_by_the_next_process(tmp_path):
    db = str(tmp_path / "outbox.db")
    world = make_world(tmp_path, database=db)
    try:
        create(world, "monitor flickers")
        announced(world, 1)
        case_id = next(iter(world.kore.cases))
        world.kore.assign(case_id, 1)
        # the change is recorded, Slack fails, and the process stops before the next round
        world.fake.fail("chat.update", "internal_error")
        assert world.app.poller.poll_once() == 1
        assert [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts")] == []
        world.app.stop()
        again = build_app(world.settings.model_copy(update={"kore_host": world.kore.url}))
        assert again.poller.poll_once() == 0  # nothing new in Kore.ai ...
        replies = [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts")]
        assert len(replies) == 1 and "Priya Nair" in replies[0]["text"]  # ... but owed
        again.poller.poll_once()
        assert len([m for m in world.fake.posts("CGENERAL") if m.get("thread_ts")]) == 1
        again.stop()
    finally:
        world.server.close()
        world.driver.close()
        world.fake.close()
        world.kore.close()


def test_assignee_with_an_email_is_mentioned_as_the_slack_user(world):
    create(world, "keyboard")
    announced(world, 1)
    case_id = next(iter(world.kore.cases))
    world.kore.set_assignee(case_id, {"aId": "a-9", "agentId": "u-9", "name": "Bob B.",
                                      "emailId": "BOB@example.com"})
    world.app.poller.poll_once()
    card = next(m for m in world.fake.posts("CGENERAL") if "thread_ts" not in m)
    assert "<@UBOB>" in str(card["blocks"])
    reply = next(m for m in world.fake.posts("CGENERAL") if m.get("thread_ts"))
    assert "assigned to Bob B." in reply["text"]


def test_many_changes_at_once_are_spread_over_rounds(world):
    from slackcase.slack.poller import MAX_NOTICES_PER_ROUND

    total = MAX_NOTICES_PER_ROUND + 3
    for i in range(total):
        create(world, f"storm {i}")
    announced(world, total)
    for case_id in list(world.kore.cases):
        world.kore.set_status(case_id, "In Progress")
    assert world.app.poller.poll_once() == MAX_NOTICES_PER_ROUND
    assert world.app.poller.poll_once() == 3
    assert world.app.poller.poll_once() == 0
    edited = [m for m in world.fake.posts("CGENERAL") if m.get("edited")]
    assert len(edited) == total


def rounds_until_told(world, max_rounds):
    """Poll rounds until one tells a change; getCases calls of each round."""
    from slackcase.slack.poller import MAX_CALLS_PER_ROUND

    calls = []
    for _ in range(max_rounds):
        before = len(world.kore.requests("getCases"))
        told = world.app.poller.poll_once()
        calls.append(len(world.kore.requests("getCases")) - before)
        assert calls[-1] <= MAX_CALLS_PER_ROUND, calls
        if told:
            return calls
    raise AssertionError(f"no change told in {max_rounds} rounds ({calls} getCases calls)")


def test_a_case_a_thousand_deep_in_a_busy_account_is_followed_within_the_budget(world):
    from datetime import timedelta

    from slackcase.sandbox.kore_seed import seed_cases
    from tests.harness import case_of

    create(world, "old printer")
    announced(world, 1)
    [case_id] = list(world.kore.cases)
    created = case_of(world, world.kore.cases[case_id]["refId"]).createdAt
    # After it: a thousand open cases and a thousand resolved ones; before it: two
    # thousand more over two months. Listing by date alone buries it 2,000 deep.
    seed_cases(world.kore, 1000, start=created + timedelta(milliseconds=5),
               end=created + timedelta(minutes=9))
    seed_cases(world.kore, 1000, start=created + timedelta(milliseconds=7),
               end=created + timedelta(minutes=9), status="resolved")
    seed_cases(world.kore, 2000, start=created - timedelta(days=60),
               end=created - timedelta(minutes=30))
    world.kore.assign(case_id, 1)
    rounds_until_told(world, 4)  # 21 pages of unresolved cases, 7 a round
    [card] = [m for m in world.fake.posts("CGENERAL") if "thread_ts" not in m]
    assert card.get("edited") and "Priya Nair" in str(card["blocks"])
    replies = [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts") == card["ts"]]
    assert len(replies) == 1 and "assigned to Priya Nair" in replies[0]["text"]

    world.kore.set_status(case_id, "Resolved")  # now it leaves the unresolved list
    rounds_until_told(world, 4)
    assert "Resolved" in str(card["blocks"])
    replies = [m for m in world.fake.posts("CGENERAL") if m.get("thread_ts") == card["ts"]]
    assert len(replies) == 2 and "Resolved" in replies[1]["text"]
    dms = world.fake.posts("DALICE")
    assert len(dms) == 1 and "resolved" in dms[0]["text"]
    searched = [r.body for r in world.kore.requests("getCases") if r.body.get("searchText")]
    assert searched and searched[-1]["searchText"] == world.kore.cases[case_id]["refId"]

    world.kore.set_status(case_id, "Closed")
    rounds_until_told(world, 4)
    assert world.app.services.store.tracked() == []  # closed: retired
    before = len(world.kore.requests("getCases"))
    assert world.app.poller.poll_once() == 0
    assert len(world.kore.requests("getCases")) == before  # nothing left to ask about


def test_cases_older_than_the_retention_are_no_longer_followed(world):
    from slackcase.slack.poller import RETENTION, Poller

    create(world, "ancient ticket")
    announced(world, 1)
    assert len(world.app.services.store.tracked()) == 1
    later = Poller(world.app.services, interval=3600,
                   clock=lambda: time.time() + RETENTION.total_seconds() + 60)
    before = len(world.kore.requests("getCases"))
    assert later.poll_once() == 0
    assert world.app.services.store.tracked() == []
    assert len(world.kore.requests("getCases")) == before


def test_a_case_retired_during_a_sweep_is_left_alone_when_the_sweep_lists_it(world):
    from datetime import timedelta

    from slackcase.sandbox.kore_seed import seed_cases
    from tests.harness import case_of

    create(world, "first")
    create(world, "second")
    announced(world, 2)
    first, second = sorted(world.kore.cases, key=lambda k: world.kore.cases[k]["refId"])
    created = case_of(world, world.kore.cases[second]["refId"]).createdAt
    seed_cases(world.kore, 400, start=created + timedelta(milliseconds=5),
               end=created + timedelta(minutes=5))  # 9 pages: a sweep of two rounds
    world.kore.assign(first, 1)
    world.kore.assign(second, 1)
    assert world.app.poller.poll_once() == 0  # the first 7 pages hold neither
    store = world.app.services.store
    store.stop_tracking(store.by_case_id(first))
    assert world.app.poller.poll_once() == 1  # only the one still followed is told
    [card] = [m for m in world.fake.posts("CGENERAL") if m.get("edited")]
    assert world.kore.cases[second]["refId"] in str(card["blocks"])
