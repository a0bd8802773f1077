"""The benchmark's arithmetic and set-up: percentiles, stolen CPU, options, environment."""

import os
from pathlib import Path

import pytest

from benchmarks.cli import main
from benchmarks.figures import pct, stolen
from slackcase.sandbox.loopback import isolated_environment


def test_p99_of_a_thousand_figures_is_the_tenth_slowest():
    values = [float(i) for i in range(1, 1001)]
    assert pct(values, 99) == 990.0
    assert pct([float(i) for i in range(1, 102)], 50) == 51.0  # the median of 101
    assert pct([7.0], 99) == 7.0


def test_steal_is_a_share_of_the_time_the_machine_wanted_not_of_idle_time():
    #          user nice system idle  iowait irq softirq steal
    before = [100, 0, 50, 1000, 5, 0, 10, 40]
    after = [160, 0, 70, 9000, 9, 0, 20, 60]  # busy 60+20+10+20 = 110, steal 20
    assert stolen(before, after) == "18%"
    assert stolen(before, before) == "0%"


def test_steal_reads_n_a_where_there_is_no_proc():
    assert stolen([], [1] * 8) == "n/a"


def test_the_operators_own_settings_do_not_reach_the_benchmarked_processes(monkeypatch):
    monkeypatch.setenv("SLACKCASE_ALLOWED_CHANNELS", "C999")  # would refuse every /case
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-real")  # would switch to Socket Mode
    monkeypatch.setenv("KORE_HOST", "https://platform.kore.ai")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    env = isolated_environment({"KORE_STREAM_ID": "st-bench"})
    assert not [k for k in env if k.startswith(("SLACKCASE_", "SLACK_", "KORE_HOST"))]
    assert env["KORE_STREAM_ID"] == "st-bench"
    assert env["PATH"] == os.environ["PATH"]
    root, rest = env["PYTHONPATH"].split(os.pathsep)
    assert (Path(root) / "slackcase" / "__init__.py").is_file() and rest == "/elsewhere"


@pytest.mark.parametrize("option", [["--burst", "-1"], ["--concurrency", "0"],
                                    ["--samples", "x"], ["--kore-latency", "-0.1"]])
def test_bad_options_are_refused_in_one_line(option, capsys):
    with pytest.raises(SystemExit) as stop:
        main(option)
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(
        f"python -m benchmarks: error: argument {option[0]}")
