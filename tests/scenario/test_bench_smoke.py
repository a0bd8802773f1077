"""A seconds-long run of the benchmark so it cannot rot."""

from slackcase.bench import main


def test_benchmark_smoke_run_loses_and_duplicates_nothing(capsys):
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "nothing lost, nothing duplicated" in out and "p99/ideal" in out
