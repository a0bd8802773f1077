"""App Home: the person's cases, newest first, and a "New case" button that opens the form."""

from slackcase.slack import ids
from tests.harness import submit_case, wait_for

HOME_OPENED = {"type": "app_home_opened", "user": "UALICE", "tab": "home", "channel": "DALICE"}


def home(world, publishes=1):
    answer = world.driver.event(HOME_OPENED)
    assert answer.status == 200
    wait_for(lambda: len(world.fake.calls_to("views.publish")) >= publishes, what="home")
    return world.fake.views["home:UALICE"]


def test_app_home_lists_the_persons_cases_newest_first(world):
    submit_case(world, "older case")
    world.announced(1)
    submit_case(world, "newer case")
    world.announced(2)
    submit_case(world, "bob's own", user="UBOB")
    world.announced(3)
    text = str(home(world)["blocks"])
    assert text.index("newer case") < text.index("older case")
    assert "CS000102" in text and "CS000101" in text
    assert "bob's own" not in text


def test_new_case_on_app_home_opens_the_form_and_creates_the_case(world):
    shown = home(world)
    assert "No cases yet" in str(shown["blocks"])
    assert world.press(ids.ACTION_NEW_CASE, user="UALICE", view_id="home:UALICE").status == 200
    form = wait_for(world.latest_form, what="form")
    requester = next(b for b in form["blocks"] if b.get("block_id") == ids.BLOCK_REQUESTER)
    assert requester["element"]["initial_user"] == "UALICE"
    answer = world.driver.submit(form["id"], {ids.BLOCK_TITLE: "monitor flickers"},
                                 user="UALICE")
    assert answer.body["response_action"] == "update"
    world.announced(1)
    world.settled()
    [request] = world.kore.requests("createCase")
    assert request.body["name"] == "monitor flickers"
    assert request.body["emailId"] == "alice@example.com"
    # No channel to post in: the card goes to the person, and the modal says so.
    [card] = world.fake.posts()
    assert "monitor flickers" in str(card["blocks"])
    assert "direct message" in str(world.fake.views[form["id"]]["blocks"])
    assert "monitor flickers" in str(home(world, publishes=2)["blocks"])


def test_new_case_on_app_home_is_refused_to_a_guest_in_a_small_modal(world):
    world.driver.event({**HOME_OPENED, "user": "UGUEST"})
    wait_for(lambda: world.fake.views.get("home:UGUEST"), what="home")
    world.press(ids.ACTION_NEW_CASE, user="UGUEST", view_id="home:UGUEST")
    notice = wait_for(lambda: next((v for v in world.fake.views.values()
                                    if "Guests cannot" in str(v.get("blocks"))), None),
                      what="refusal")
    assert notice.get("callback_id") != ids.VIEW_CASE_FORM
    world.settled()
    assert world.latest_form() is None


def test_retried_event_delivery_is_handled_once(world):
    world.driver.event(HOME_OPENED, event_id="Ev1")
    world.driver.event(HOME_OPENED, event_id="Ev1",
                       headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    world.settled()
    assert len(world.fake.calls_to("views.publish")) == 1
