"""Start-up edges answer in one line and exit 2: a misspelt setting, a database that cannot
be opened, a `.env` that is not UTF-8. Each runs `slackcase run --http` as the operator
would, in a directory of its own."""

import subprocess
import sys

import pytest

from slackcase.sandbox.loopback import isolated_environment

BASE = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret",
        "KORE_HOST": "sandbox"}


def start(tmp_path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = isolated_environment({**BASE, "SLACKCASE_DATABASE": str(tmp_path / "app.db"),
                                **settings})
    return subprocess.run([sys.executable, "-m", "slackcase", "run", "--http", "--port", "0"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """The one line start-up was refused with (after any INFO line about the CPU)."""
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
