"""Secrets never appear in the logs, whatever the run went through."""

import logging

from tests.harness import BOT_TOKEN, KORE_SECRET, SIGNING_SECRET, submit_case


def test_logs_of_a_full_run_hold_no_secret(world, caplog):
    from slackcase.logs import _Formatter

    caplog.handler.setFormatter(_Formatter([SIGNING_SECRET, KORE_SECRET, BOT_TOKEN]))
    with caplog.at_level(logging.DEBUG):
        world.kore.inject(op="createCase", status=503, times=1)
        submit_case(world)
        world.announced(1)
    text = caplog.text
    assert "sc-" in text  # correlation ids are there
    for secret in (SIGNING_SECRET, KORE_SECRET, BOT_TOKEN, "eyJ"):
        assert secret not in text
