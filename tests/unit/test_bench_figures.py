"""The benchmark's arithmetic: percentiles and the share of CPU the host took."""

from slackcase.bench import pct, stolen


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
