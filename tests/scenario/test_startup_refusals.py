"""`slackcase run` refuses, at start-up and in one line, configuration a real deployment
cannot work with, rather than failing later in front of a user."""

import socket
import subprocess
import sys

import pytest

from slackcase.sandbox.loopback import isolated_environment


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
