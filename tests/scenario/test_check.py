"""`slackcase check` against the fake Slack and the Kore.ai sandbox."""

import logging
import os
import socket

import pytest

from slackcase.check import run_checks
from tests.harness import make_world


def run(settings):
    lines: list[str] = []
    code = run_checks(settings, out=lines.append)
    return code, "\n".join(lines)


def test_check_passes_on_a_good_configuration(world):
    code, out = run(world.settings)
    assert code == 0, out
    assert "bot token works" in out and "Kore.ai answers" in out


def test_check_names_missing_scopes_and_bad_kore_credentials(tmp_path):
    world = make_world(tmp_path, env={"KORE_CLIENT_ID": "cs-wrong"})
    try:
        world.fake.scopes.discard("users:read.email")
        code, out = run(world.settings)
        assert code == 1
        assert "missing bot scopes: users:read.email" in out and "reinstall" in out
        assert "Kore.ai refused the JWT" in out and "Case Management Configuration" in out
    finally:
        world.stop()


def test_check_asks_for_usergroups_scope_only_when_used(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_ALLOWED_USERGROUPS": "S0HELP"})
    try:
        code, out = run(world.settings)
        assert code == 1 and "usergroups:read" in out
    finally:
        world.stop()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="SLACKCASE_CPU does nothing")
def test_check_names_the_cpu_run_will_use_and_one_it_may_not(tmp_path):
    allowed = os.sched_getaffinity(0)
    world = make_world(tmp_path, env={"SLACKCASE_CPU": str(max(allowed))})
    try:
        code, out = run(world.settings)
        assert code == 0, out
        assert f"will keep its threads on CPU {max(allowed)} (SLACKCASE_CPU" in out
        code, out = run(world.settings.model_copy(update={"cpu": "4095"}))
        assert code == 1
        assert "SLACKCASE_CPU=4095: not a CPU this process may use" in out
        assert "fix: set SLACKCASE_CPU to one of" in out
    finally:
        world.stop()


def test_unreachable_slack_is_one_fail_line_not_a_log_line_per_attempt(world, caplog):
    with socket.socket() as closed:  # a loopback port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = world.settings.model_copy(
        update={"slack_api_url": f"http://127.0.0.1:{port}/api/"})
    with caplog.at_level(logging.DEBUG):
        code, out = run(settings)
    assert code == 1
    assert f"FAIL  Slack is not reachable at http://127.0.0.1:{port}/api/" in out
    assert [r for r in caplog.records if r.name.startswith("slack_sdk")
            and r.levelno >= logging.WARNING] == []
    assert logging.getLogger("slack_sdk").level == logging.NOTSET  # as it was
