"""Text from Kore.ai is shown as text: escaped, and anything shaped like a token masked."""

import json
import sqlite3

from slackcase.cli import _submissions
from slackcase.core.domain import State
from tests.harness import submit_case, wait_for

ECHOED_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLXRlc3QifQ.c2lnbmF0dXJlLXNlY3JldC0xMjM0"
DISGUISED = "<https://evil.example|Fix it here>"


def test_kore_error_is_escaped_and_its_token_masked_everywhere(world, capsys):
    world.kore.inject(op="createCase", status=400,
                      message=f"dueDate is invalid. {DISGUISED} (auth {ECHOED_JWT})")
    submit_case(world)
    failed = wait_for(lambda: world.app.services.store.in_state(State.FAILED), what="failure")
    sub = failed[0]

    def failure_modal():
        for view in world.fake.views.values():
            text = json.dumps(view)
            if view.get("callback_id") == "case_form" and "evil.example" in text:
                return text
        return None

    modal = wait_for(failure_modal, what="the form shown again with Kore.ai's message")
    assert "&lt;https://evil.example|Fix it here&gt;" in modal
    assert "<https://evil.example" not in modal  # no live, disguised link
    assert "eyJ" not in modal and "[redacted]" in modal

    assert "eyJ" not in (sub.error or "") and "[redacted]" in (sub.error or "")
    with sqlite3.connect(world.settings.database) as db:
        rows = db.execute("SELECT * FROM submissions").fetchall()
    assert "eyJ" not in repr(rows)

    _submissions(world.settings, "failed")
    listing = capsys.readouterr().out
    assert sub.id in listing and "evil.example" in listing
    assert "eyJ" not in listing
