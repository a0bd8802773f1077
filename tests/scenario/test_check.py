"""`slackcase check` against the fake Slack and the Kore.ai sandbox."""

import socket
import subprocess
import sys

import pytest
from pydantic import SecretStr

from slackcase.check import run_checks
from slackcase.logs import mask_url
from slackcase.sandbox.loopback import isolated_environment
from slackcase.store.schema import LATEST
from tests.harness import BOT_TOKEN, KORE_SECRET, make_world
from tests.pg import PASSWORD

APP_TOKEN = "xapp-1-check-app-token"


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
        assert "FAIL  missing bot scope users:read.email: the requester's email for Kore.ai" \
            in out and "reinstall" in out
        assert "Kore.ai refused the JWT" in out and "Case Management Configuration" in out
    finally:
        world.stop()


def test_check_asks_for_usergroups_scope_only_when_used(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_ALLOWED_USERGROUPS": "S0HELP"})
    try:
        code, out = run(world.settings)
        assert code == 1
        assert "FAIL  missing bot scope usergroups:read: SLACKCASE_ALLOWED_USERGROUPS" in out
        assert out.count("missing bot scope") == 1
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


def socket_mode(world):
    """world's settings with an app-level token, and the fake Slack accepting it."""
    world.fake.app_token = APP_TOKEN
    world.fake.socket_url = "wss://fake.slack.test/link/?ticket=check"  # never connected to
    return world.settings.model_copy(update={"slack_app_token": SecretStr(APP_TOKEN)})


def test_check_in_socket_mode_opens_a_connection_with_the_app_token(world):
    code, out = run(socket_mode(world))
    assert code == 0, out
    assert "ok    Socket Mode: the app-level token can open a connection" in out
    call = world.fake.calls_to("apps.connections.open")
    assert len(call) == 1


@pytest.mark.parametrize("refusal,says,fix", [
    ("wrong token", "Slack does not know this app-level token (invalid_auth)",
     "Basic Information > App-Level Tokens into SLACK_APP_TOKEN"),
    ("socket mode off", "Slack refused a Socket Mode connection (socket_mode_not_enabled)",
     "enable Socket Mode in the app's settings"),
    ("no connections:write", "the app-level token lacks the connections:write scope",
     "generate an app-level token with connections:write"),
    ("rate limited", "Slack is rate-limiting Socket Mode connections for this app (ratelimited)",
     "wait a minute"),
])
def test_check_in_socket_mode_says_why_slack_refused(world, refusal, says, fix):
    settings = socket_mode(world)
    if refusal == "wrong token":
        world.fake.app_token = "xapp-1-another-apps-token"
    elif refusal == "socket mode off":
        world.fake.socket_url = None
    elif refusal == "rate limited":
        world.fake.fail("apps.connections.open", "ratelimited", status=429, retry_after=30)
    else:
        world.fake.app_scopes.clear()
    code, out = run(settings)
    assert code == 1
    assert f"FAIL  {says}\n      fix: " in out and fix in out
    assert out.count("FAIL") == 1


def test_slackcase_check_in_socket_mode_as_a_process(world, tmp_path):
    """The command itself, as an operator runs it: no crash, nothing on stderr."""
    socket_mode(world)
    env = isolated_environment(dict(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=world.fake.api_url, KORE_HOST=world.kore.url or "",
        KORE_STREAM_ID="st-test-1", KORE_CLIENT_ID="cs-test", KORE_CLIENT_SECRET=KORE_SECRET,
        KORE_ACCOUNT_ID="acct-test", KORE_CASE_TEMPLATES="ctm-general=General"))
    done = subprocess.run([sys.executable, "-m", "slackcase", "check"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.stderr == ""
    assert "ok    Socket Mode: the app-level token can open a connection" in done.stdout
    assert done.returncode == 0, done.stdout
    world.fake.app_token = "xapp-1-revoked"
    done = subprocess.run([sys.executable, "-m", "slackcase", "check"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr == ""
    assert "FAIL  Slack does not know this app-level token (invalid_auth)" in done.stdout


def test_check_asks_for_reactions_scope_only_when_the_reaction_is_on(tmp_path):
    world = make_world(tmp_path, env={"SLACKCASE_REACTION": "ticket"})
    try:
        world.fake.scopes.discard("reactions:read")
        code, out = run(world.settings)
        assert code == 1
        assert "FAIL  missing bot scope reactions:read: SLACKCASE_REACTION" in out
        off = world.settings.model_copy(update={"reaction": None})
        code, out = run(off)
        assert code == 0, out
    finally:
        world.stop()


def test_check_names_the_sqlite_database_and_its_schema_version(world):
    code, out = run(world.settings)
    assert code == 0, out
    assert f"ok    database: SQLite file {world.settings.database} (one process), schema " \
        f"version {LATEST}" in out


def test_check_opens_postgresql_creates_its_schema_and_masks_the_password(world, pg_url):
    code, out = run(world.settings.model_copy(update={"database": pg_url}))
    assert code == 0, out
    assert f"ok    database: PostgreSQL at {mask_url(pg_url)}, schema version {LATEST} " \
        "(created now)" in out
    assert PASSWORD not in out and "slackcase:***@" in out
    code, out = run(world.settings.model_copy(update={"database": pg_url}))
    assert f"schema version {LATEST}\n" in out + "\n"


def test_check_fails_with_a_fix_when_postgresql_is_unreachable(world):
    unreachable = f"postgresql://slackcase:{PASSWORD}@127.0.0.1:1/slackcase"
    code, out = run(world.settings.model_copy(update={"database": unreachable}))
    assert code == 1
    assert "FAIL  the database postgresql://slackcase:***@127.0.0.1:1/slackcase cannot be " \
        "used: " in out and "fix: check that the PostgreSQL server runs" in out
    assert PASSWORD not in out and out.count("FAIL") == 1
