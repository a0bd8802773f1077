from tests.harness import wait_for


def test_case_command_end_to_end(world):
    answer = world.driver.command("printer on fire", user="UALICE", channel="CGENERAL")
    assert answer.status == 200
    form = wait_for(lambda: world.fake.views and world.latest_form(), what="form")
    answer = world.driver.submit(form["id"], user="UALICE")
    assert answer.status == 200, answer
    assert answer.body["response_action"] == "update"
    world.created(1)
    wait_for(lambda: world.fake.posts("CGENERAL"), what="confirmation")
    post = world.fake.posts("CGENERAL")[0]
    assert "CS000101" in post["text"]
    print(world.fake.rejected)
