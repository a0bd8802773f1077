"""`slackcase run` keeps every thread on one CPU unless SLACKCASE_CPU=all (Linux)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slackcase.sandbox.loopback import isolated_environment
from tests.harness import app_process, make_world, shut_down, submit_case, wait_for

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs a system that can keep a process on one of several CPUs")


def thread_cpus(pid: int) -> set[frozenset[int]]:
    """The CPUs each thread of process pid may run on, as the set of distinct sets."""
    tasks = Path(f"/proc/{pid}/task")
    return {frozenset(os.sched_getaffinity(int(task.name))) for task in tasks.iterdir()}


@pytest.mark.parametrize("setting,expected", [
    (None, lambda allowed: {max(allowed)}),
    ("all", lambda allowed: allowed),
])
def test_every_thread_of_a_running_app_is_on_the_cpus_the_setting_names(
        tmp_path, setting, expected):
    world = make_world(tmp_path, start=False)
    start = app_process(world, tmp_path, **({"SLACKCASE_CPU": setting} if setting else {}))
    proc = start()
    try:
        submit_case(world)  # the jobs, the store's writer and HTTP threads are all running
        wait_for(lambda: world.fake.posts("CGENERAL"), what="confirmation")
        allowed = set(os.sched_getaffinity(0))
        assert thread_cpus(proc.pid) == {frozenset(expected(allowed))}
        assert len(os.listdir(f"/proc/{proc.pid}/task")) > 5
    finally:
        shut_down(world, proc)


def test_a_cpu_the_process_may_not_use_is_one_line_and_exit_2(tmp_path):
    env = isolated_environment(dict(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s",
                                    KORE_HOST="sandbox", SLACKCASE_CPU="4095",
                                    SLACKCASE_DATABASE=str(tmp_path / "app.db")))
    done = subprocess.run([sys.executable, "-m", "slackcase", "run", "--http", "--port", "0"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slackcase: configuration error: "
                                                   "SLACKCASE_CPU"), done.stderr
    assert done.stdout == ""
