"""`slackcase run` refuses, at start-up, in one line and with exit 2, what a real deployment
cannot work with, rather than failing later in front of a user: a missing or malformed
setting, a misspelt one, a database that cannot be opened, a `.env` that is not UTF-8. Each
runs `slackcase run --http` as the operator would, in a directory of its own."""

import socket
import subprocess
import sys

import pytest

from slackcase.sandbox.loopback import isolated_environment
from tests.harness import start_process

BASE = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret",
        "KORE_HOST": "sandbox"}


def start(tmp_path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = isolated_environment({**BASE, "SLACKCASE_DATABASE": str(tmp_path / "app.db"),
                                **settings})
    return subprocess.run([sys.executable, "-m", "slackcase", "run", "--http", "--port", "0"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """The one line start-up was refused with."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("slackcase:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("name,meant", [
    ("SLACKCASE_ALLOWED_CHANNEL", "SLACKCASE_ALLOWED_CHANNELS"),
    ("KORE_CLIENTID", "KORE_CLIENT_ID"),
    ("SLACK_SIGNING_SECRETS", "SLACK_SIGNING_SECRET"),
])
def test_a_misspelt_setting_is_named_with_the_one_it_meant(tmp_path, name, meant):
    line = refusal(start(tmp_path, **{name: "C0123ABC"}))
    assert line == f"slackcase: configuration error: {name} is not a setting: " \
        f"did you mean {meant}?"


def test_a_database_in_a_directory_that_does_not_exist_is_refused(tmp_path):
    line = refusal(start(tmp_path, SLACKCASE_DATABASE=str(tmp_path / "nowhere" / "app.db")))
    assert line.startswith("slackcase: SLACKCASE_DATABASE: ")
    assert f"directory {tmp_path / 'nowhere'} does not exist" in line


def test_a_corrupt_database_file_is_refused(tmp_path):
    (tmp_path / "app.db").write_bytes(b"this is not an SQLite database\n" * 200)
    line = refusal(start(tmp_path))
    assert line.startswith("slackcase: SLACKCASE_DATABASE: ")
    assert "not a database" in line


def test_a_dotenv_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / ".env").write_bytes(b"SLACKCASE_LOG_LEVEL=INFO\nKORE_CASE_SOURCE=r\xe9seau\n")
    line = refusal(start(tmp_path))
    assert line.startswith("slackcase: configuration error: .env is not UTF-8")


def test_a_second_slackcase_on_one_sqlite_file_is_refused_and_pointed_at_postgresql(tmp_path):
    env = isolated_environment({**BASE, "SLACKCASE_DATABASE": str(tmp_path / "app.db")})
    first, _ = start_process(env, tmp_path)
    try:
        line = refusal(start(tmp_path))
        assert line.startswith("slackcase: SLACKCASE_DATABASE: another slackcase process is "
                               "already running on")
        assert "postgresql://" in line
    finally:
        first.terminate()
        first.wait(timeout=20)


def closed_port() -> int:
    """A loopback port nothing listens on: a real KORE_HOST that is never reached."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("settings,names", [
    ({}, "KORE_ACCOUNT_ID is required: Kore.ai needs the account id"),
    ({"KORE_ACCOUNT_ID": "acct-1",
      "KORE_CASE_TEMPLATES": ",".join(f"ctm-{i}=Team {i}" for i in range(101))},
     "KORE_CASE_TEMPLATES must list at most 100 templates"),
    ({"KORE_ACCOUNT_ID": "acct-1", "KORE_CASE_TEMPLATES": "ctm-a=General,ctm-b=\u200b"},
     "KORE_CASE_TEMPLATES: template ctm-b needs a display name people can read"),
])
def test_run_stops_with_one_line_naming_the_setting(tmp_path, settings, names):
    env = isolated_environment({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
        "KORE_HOST": f"http://127.0.0.1:{closed_port()}", "KORE_STREAM_ID": "st-1",
        "KORE_CLIENT_ID": "cs-1", "KORE_CLIENT_SECRET": "kore-secret-0123456789-0123456789",
        "KORE_CASE_TEMPLATES": "ctm-a=General",
        "SLACKCASE_DATABASE": str(tmp_path / "app.db"), **settings})
    done = subprocess.run([sys.executable, "-m", "slackcase", "run", "--http", "--port", "0"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr  # no traceback, no log lines
    assert lines[0].startswith(f"slackcase: configuration error: {names}"), done.stderr
    assert done.stdout == ""


def test_a_line_of_env_that_is_not_a_setting_stops_start_up(tmp_path):
    """python-dotenv would skip it with a warning, silently unsetting (say) an allow-list."""
    (tmp_path / ".env").write_text("SLACKCASE_POLL_SECONDS=60\nSLACKCASE_ALLOWED_CHANNELS C0123\n")
    line = refusal(start(tmp_path))
    assert line == "slackcase: configuration error: .env line 2 is not NAME=value: " \
        "fix or remove it"


def test_a_database_url_of_another_kind_is_refused_without_its_password(tmp_path):
    done = start(tmp_path, SLACKCASE_DATABASE="postgresql+psycopg://u:secret@pw@db.local/cases")
    line = refusal(done)
    assert "SLACKCASE_DATABASE must be a file path (SQLite) or a postgresql:// URL" in line
    assert "secret" not in done.stderr


def test_a_port_already_taken_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = isolated_environment({**BASE, "SLACKCASE_DATABASE": str(tmp_path / "app.db")})
        done = subprocess.run([sys.executable, "-m", "slackcase", "run", "--http", "--port",
                               str(port)], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=30)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.splitlines()[-1] == \
        f"slackcase: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_socket_mode_that_cannot_reach_slack_is_one_line(tmp_path):
    with socket.socket() as closed:  # a loopback port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = isolated_environment({**BASE, "SLACK_APP_TOKEN": "xapp-1-test",
                                "SLACK_API_URL": f"http://127.0.0.1:{port}/api/",
                                "SLACKCASE_DATABASE": str(tmp_path / "app.db")})
    done = subprocess.run([sys.executable, "-m", "slackcase", "run"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("slackcase: Socket Mode could not connect to Slack (") and \
        last.endswith("`slackcase check` says what to fix"), done.stderr
