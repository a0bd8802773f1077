"""A case that failed keeps its input and is tried again: in the open modal, from the failure
notice's Retry and Edit and retry buttons, and by an operator's `slackcase retry`."""

import subprocess
import sys

from slackcase.core.domain import State
from slackcase.sandbox.loopback import isolated_environment
from slackcase.slack import ids
from tests.harness import button, make_world, wait_for


def block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id", "").startswith(block_id))


def submit_then_close(world, values=None, text="printer on fire"):
    """Submit the form and close the modal as it goes, as someone who does not wait: closed
    before the app answers, so no outcome can reach it however fast Kore.ai is."""
    world.driver.command(text, user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    submission = world.driver.submission_request(form["id"], values, user="UALICE")
    world.fake.close_view(form["id"])
    answer = world.driver.send(submission)
    assert answer.body["response_action"] == "update"


def failure_notice(world):
    return wait_for(lambda: next((p for p in world.fake.response_posts()
                                  if ids.ACTION_EDIT in str(p.get("blocks"))), None),
                    timeout=15, what="failure notice")


def test_a_failure_in_the_open_modal_keeps_the_input_and_submitting_again_creates_it(world):
    world.kore.inject(op="createCase", status=500, times=-1)
    world.driver.command("printer on fire", user="UALICE", channel="CGENERAL")
    form = wait_for(world.latest_form, what="form")
    world.driver.submit(form["id"], {"description": "keep me"}, user="UALICE")
    failed = wait_for(lambda: "was not created" in str(world.fake.views.get(form["id"], {})
                                                      .get("blocks")) and
                      world.fake.views[form["id"]], timeout=15, what="failure in modal")
    desc = block(failed, ids.BLOCK_DESCRIPTION)
    assert desc["element"]["initial_value"] == "keep me"
    assert world.kore.cases == {}
    world.kore.clear_faults()
    answer = world.driver.submit(form["id"], user="UALICE")
    assert answer.body["response_action"] == "update"
    world.announced(1)
    world.settled()
    assert len(world.kore.cases) == 1
    assert len(world.fake.posts("CGENERAL")) == 1


def test_retry_on_the_notice_after_the_modal_closed_creates_the_case_once(world):
    world.kore.inject(op="createCase", status=503, times=-1)
    submit_then_close(world)
    notice = failure_notice(world)
    assert "printer on fire" in notice["text"] and notice["response_type"] == "ephemeral"
    button(notice["blocks"], ids.ACTION_EDIT)  # offered beside Retry
    world.settled()
    tried = len(world.kore.requests("createCase"))
    assert world.kore.cases == {} and world.fake.posts("CGENERAL") == []
    world.kore.clear_faults()
    first = world.press(ids.ACTION_RETRY, user="UALICE", channel="CGENERAL", message=notice)
    again = world.press(ids.ACTION_RETRY, user="UALICE", channel="CGENERAL", message=notice)
    assert first.status == again.status == 200
    world.announced(1)
    world.settled()
    assert len(world.kore.cases) == 1
    assert len(world.kore.requests("createCase")) == tried + 1
    assert len(world.fake.posts("CGENERAL")) == 1
    assert any("Retrying" in p.get("text", "") and p.get("replace_original")
               for p in world.fake.response_posts())


def test_retry_by_someone_else_is_refused(world):
    world.kore.inject(op="createCase", status=503, times=-1)
    submit_then_close(world)
    notice = failure_notice(world)
    world.settled()
    world.kore.clear_faults()
    world.press(ids.ACTION_RETRY, user="UBOB", channel="CGENERAL", message=notice)
    wait_for(lambda: any("not yours" in p.get("text", "") for p in world.fake.response_posts()),
             what="refusal")
    world.settled()
    assert world.kore.cases == {}
    assert world.app.services.store.in_state(State.FAILED)


def test_edit_and_retry_opens_the_failed_form_and_creates_one_case_with_the_edit(world):
    world.kore.inject(op="createCase", status=400, times=1)
    submit_then_close(world, {"description": "smoke from tray 2"})
    notice = failure_notice(world)
    world.settled()
    world.press(ids.ACTION_EDIT, user="UALICE", channel="CGENERAL", message=notice)
    form = wait_for(world.latest_form, what="the form, filled again")
    assert block(form, ids.BLOCK_TITLE)["element"]["initial_value"] == "printer on fire"
    assert block(form, ids.BLOCK_DESCRIPTION)["element"]["initial_value"] == "smoke from tray 2"
    assert "rejected" in str(form["blocks"])  # says what went wrong
    answer = world.driver.submit(form["id"], {ids.BLOCK_TITLE: "printer on fire, 3rd floor"},
                                 user="UALICE")
    assert answer.body["response_action"] == "update"
    world.announced(1)
    world.settled()
    [case] = world.cases()
    assert case["name"] == "printer on fire, 3rd floor" and case["desc"] == "smoke from tray 2"
    sent = [r.body["name"] for r in world.kore.requests("createCase")]
    assert sent == ["printer on fire", "printer on fire, 3rd floor"]
    [card] = world.fake.posts("CGENERAL")
    assert "3rd floor" in str(card["blocks"])
    assert world.app.services.store.in_state(State.FAILED) == []


def slackcase(*args, database):
    return subprocess.run([sys.executable, "-m", "slackcase", *args], capture_output=True,
                          text=True, timeout=60, cwd=database.parent,
                          env=isolated_environment({"SLACKCASE_DATABASE": str(database)}))


def test_slackcase_retry_is_picked_up_by_the_running_app(tmp_path):
    world = make_world(tmp_path, sweep_seconds=0.2)
    database = tmp_path / "slackcase.db"
    try:
        world.kore.inject(op="createCase", status=503, times=-1)
        submit_then_close(world)
        failure_notice(world)
        world.settled()
        [failed] = world.app.services.store.in_state(State.FAILED)
        world.kore.clear_faults()
        listing = slackcase("submissions", database=database)
        assert listing.returncode == 0 and failed.id in listing.stdout, listing.stderr
        queued = slackcase("retry", failed.id, database=database)
        assert queued.returncode == 0, queued.stderr
        assert "queued again" in queued.stdout
        world.announced(1)
        world.settled()
        assert len(world.kore.cases) == 1
        assert len(world.fake.posts("CGENERAL")) == 1
        assert slackcase("retry", failed.id, database=database).returncode == 1  # done now
    finally:
        world.stop()
