"""`slackcase demo`: the whole /case flow offline, showing what Slack and Kore.ai received."""

import subprocess
import sys

from slackcase.sandbox.loopback import isolated_environment


def test_slackcase_demo_shows_the_create_case_request_and_the_confirmation_card(tmp_path):
    # No settings at all, in a directory of its own: the demo needs nothing from the operator.
    done = subprocess.run([sys.executable, "-m", "slackcase", "demo"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=isolated_environment({}))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "nothing leaves this machine" in out
    request = out[out.index("What Kore.ai received (POST …/createCase)"):]
    assert '"name": "printer on fire"' in request and '"caseTmp": "ctm-general"' in request
    assert '"emailId": "alice@example.com"' in request
    assert "masked" in request and "eyJ" not in out  # the JWT is not printed
    card = out[out.index("The confirmation card in #general (chat.postMessage)"):]
    assert "CS000101 · Assigned to" in card and ":ticket: *CS000101* printer on fire" in card
    assert done.stderr == ""
