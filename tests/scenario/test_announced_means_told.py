""""Announced" means someone was told: a card Slack keeps refusing reaches the person
another way, a card Slack rate-limits is posted once, and a submission nobody could be told
about is not marked announced."""

import json

from slackcase.cli import _submissions
from slackcase.core.domain import State
from tests.harness import submit_case, wait_for


def test_card_refused_with_502s_reaches_the_person_through_the_response_url(world):
    world.fake.fail("chat.postMessage", "service_unavailable", status=502, times=-1,
                    channel="CGENERAL")
    world.fake.fail("views.update", "not_found", times=-1)  # the modal is gone
    submit_case(world)
    world.announced(1, timeout=40)
    ref = world.cases()[0]["refId"]
    assert not world.fake.posts("CGENERAL")
    cards = [p for p in world.fake.response_posts() if ref in json.dumps(p)]
    assert len(cards) == 1  # the card itself, before "announced" was written
    sub = world.app.services.store.in_state(State.ANNOUNCED)[0]
    assert sub.steps["card"]["via"] == "response_url"


def test_nobody_told_is_not_announced_but_failed_with_the_ref_id(world, capsys):
    world.fake.fail("chat.postMessage", "service_unavailable", status=502, times=-1)
    world.fake.fail("views.update", "not_found", times=-1)
    submit_case(world)
    world.fake.expire_response_urls()
    store = world.app.services.store
    failed = wait_for(lambda: store.in_state(State.FAILED), timeout=40, what="failed")[0]
    ref = world.cases()[0]["refId"]
    assert not store.in_state(State.ANNOUNCED)
    assert failed.case.refId == ref and ref in failed.error
    tried = {call.args["channel"] for call in world.fake.calls_to("chat.postMessage")}
    assert tried == {"CGENERAL", "UALICE"}  # the conversation, then a DM
    _submissions(world.settings, "failed")
    assert ref in capsys.readouterr().out


def test_slack_429_on_posting_posts_once(world):
    world.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=1)
    submit_case(world)
    world.announced(1, timeout=15)
    assert len(world.fake.posts("CGENERAL")) == 1
