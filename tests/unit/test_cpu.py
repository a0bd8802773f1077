"""SLACKCASE_CPU: which CPU `slackcase run` keeps its threads on."""

import logging

import pytest

from slackcase.config import ConfigError, load_settings
from slackcase.cpu import Affinity, choose_cpu, cpu_list, keep_on_one_cpu


def test_auto_takes_the_highest_cpu_the_process_may_use():
    assert choose_cpu("auto", {0, 1}) == 1
    assert choose_cpu("auto", {2, 5, 3}) == 5


def test_auto_with_one_cpu_allowed_changes_nothing():
    assert choose_cpu("auto", {3}) is None


def test_all_leaves_the_threads_to_the_system():
    assert choose_cpu("all", {0, 1, 2, 3}) is None


def test_a_number_is_that_cpu():
    assert choose_cpu("0", {0, 1}) == 0


def test_a_cpu_the_process_may_not_use_is_one_line_naming_the_variable():
    with pytest.raises(ConfigError) as err:
        choose_cpu("7", {0, 1, 2, 4})
    message = str(err.value)
    assert message.startswith("SLACKCASE_CPU")
    assert "0-2,4" in message and "\n" not in message


def test_cpu_lists_read_as_the_kernel_writes_them():
    assert cpu_list([3, 0, 1, 2, 6, 8, 9]) == "0-3,6,8-9"
    assert cpu_list([5]) == "5"


def test_setting_defaults_to_auto_and_is_normalised():
    assert load_settings({}).cpu == "auto"
    assert load_settings({"SLACKCASE_CPU": " ALL "}).cpu == "all"
    assert load_settings({"SLACKCASE_CPU": "01"}).cpu == "1"


class FakeSystem:
    """Three threads on CPUs 0-3; pinning one of them may be refused."""

    def __init__(self, refuse: int | None = None, ended: int | None = None) -> None:
        self.cpus = {tid: {0, 1, 2, 3} for tid in (100, 101, 102)}
        self.refuse, self.ended = refuse, ended

    def affinity(self) -> Affinity:
        return Affinity(lambda: set(self.cpus[100]), lambda: [*self.cpus, 999], self.pin)

    def pin(self, thread: int, cpus: set[int]) -> None:
        if thread == 999 or thread == self.ended:
            raise ProcessLookupError(3, "No such process")
        if thread == self.refuse and len(cpus) == 1:
            raise PermissionError(1, "Operation not permitted")
        self.cpus[thread] = set(cpus)


def test_every_thread_goes_to_the_chosen_cpu_and_ended_ones_are_skipped():
    system = FakeSystem(ended=101)
    assert keep_on_one_cpu("auto", system.affinity()) == 3
    assert system.cpus == {100: {3}, 101: {0, 1, 2, 3}, 102: {3}}


def test_all_touches_no_thread():
    system = FakeSystem()
    assert keep_on_one_cpu("all", system.affinity()) is None
    assert all(cpus == {0, 1, 2, 3} for cpus in system.cpus.values())


def test_a_refusal_leaves_every_thread_where_it_was_and_says_so(caplog):
    system = FakeSystem(refuse=102)
    with caplog.at_level(logging.WARNING, logger="slackcase.cpu"):
        assert keep_on_one_cpu("2", system.affinity()) is None
    assert all(cpus == {0, 1, 2, 3} for cpus in system.cpus.values())
    assert "could not keep the threads on CPU 2 (Operation not permitted)" in caplog.text
    assert "0-3" in caplog.text


def test_without_the_system_calls_only_a_cpu_asked_for_is_worth_a_warning(caplog):
    with caplog.at_level(logging.INFO, logger="slackcase.cpu"):
        assert keep_on_one_cpu("auto", None) is None
        assert caplog.text == ""
        assert keep_on_one_cpu("1", None) is None
    assert "SLACKCASE_CPU=1 does nothing on this system" in caplog.text
