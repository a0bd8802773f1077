"""SLACKCASE_CPU: which CPU `slackcase run` keeps its threads on."""

import pytest

from slackcase.config import ConfigError, load_settings
from slackcase.cpu import choose_cpu, cpu_list


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
