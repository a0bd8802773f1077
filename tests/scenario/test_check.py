"""`slackcase check` against the fake Slack and the Kore.ai sandbox."""

import socket
import subprocess
import sys

from slackcase.check import run_checks
from slackcase.sandbox.loopback import isolated_environment
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


def test_unreachable_slack_and_kore_are_a_fail_line_each_and_nothing_on_stderr(tmp_path):
    """Not a log line per retried attempt, and no PyJWT warning about a short secret."""
    with socket.socket() as closed:  # a loopback port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = isolated_environment(dict(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=f"http://127.0.0.1:{port}/api/", KORE_HOST=f"http://127.0.0.1:{port}",
        KORE_STREAM_ID="st-1", KORE_CLIENT_ID="cs-1", KORE_CLIENT_SECRET="short",
        KORE_ACCOUNT_ID="acct-1", KORE_CASE_TEMPLATES="ctm-a=A"))
    done = subprocess.run([sys.executable, "-m", "slackcase", "check"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"FAIL  Slack is not reachable at http://127.0.0.1:{port}/api/" in done.stdout
    assert f"FAIL  Kore.ai is not reachable at http://127.0.0.1:{port}" in done.stdout
    assert done.stderr == ""
