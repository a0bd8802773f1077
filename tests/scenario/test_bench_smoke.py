"""Seconds-long runs of the benchmark, over HTTP and over Socket Mode, so neither can rot."""

import pytest

from slackcase.bench import main


@pytest.mark.parametrize("transport", [[], ["--socket-mode"]], ids=["http", "socket-mode"])
def test_benchmark_smoke_run_loses_and_duplicates_nothing(capsys, transport):
    assert main(["--quick", *transport]) == 0
    out = capsys.readouterr().out
    assert "nothing lost, nothing duplicated" in out and "p99/ideal" in out
    assert ("over Socket Mode" in out) == bool(transport)
