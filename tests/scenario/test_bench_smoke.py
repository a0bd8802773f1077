"""Seconds-long runs of the benchmark, over HTTP and over Socket Mode, so neither can rot."""

import sys

import pytest

from slackcase.bench.cli import main


@pytest.mark.parametrize("transport", [[], ["--socket-mode"]], ids=["http", "socket-mode"])
def test_benchmark_smoke_run_loses_and_duplicates_nothing(capsys, transport):
    assert main(["--quick", *transport]) == 0
    out = capsys.readouterr().out
    assert "nothing lost, nothing duplicated" in out and "p99/ideal" in out
    assert ("over Socket Mode" in out) == bool(transport)
    assert ("floor: GET /healthz" in out) == (not transport)  # HTTP has a server to measure


def test_socket_mode_without_websockets_says_so_in_one_line(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "websockets", None)  # as when only `pip install -e .`
    assert main(["--quick", "--socket-mode"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install -e '.[test]'" in err
