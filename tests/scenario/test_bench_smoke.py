"""Seconds-long runs of the benchmark, over HTTP and over Socket Mode, so neither can rot."""

import sys

import pytest

from benchmarks.cli import main
from benchmarks.rig import Bench


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


def test_an_app_that_dies_mid_run_is_named_in_one_line(capsys, monkeypatch):
    start = Bench.start_app

    def start_then_die(self, rate=None):
        ready = start(self, rate)
        self.proc.kill()
        self.proc.wait()
        return ready

    monkeypatch.setattr(Bench, "start_app", start_then_die)
    assert main(["--quick"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEMS:\n  the app exited with status -9 in the middle of the run" in out
    assert "Traceback" not in out
