"""A database that cannot be written: nothing acked that was not recorded, /healthz says so,
start-up refuses it, and everything works again the moment it can be written.

The database lives on a small tmpfs that the test fills (a disk-full, as in production)
and empties again. Mounting needs root; the tests are skipped with the reason elsewhere.
"""

import errno
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from slackcase.core.domain import State
from slackcase.sandbox.loopback import isolated_environment
from slackcase.slack import ids
from slackcase.store import open_store
from tests.harness import make_world, submit_case, wait_for


class SmallDisk:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._filler = path / "filler"

    def fill(self) -> None:
        """Write until the file system refuses another byte."""
        with open(self._filler, "wb", buffering=0) as out:
            for chunk in (1 << 20, 1 << 12, 1):
                try:
                    while out.write(b"\0" * chunk):
                        pass
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC, exc

    def free(self) -> None:
        self._filler.unlink()

    def read_only(self) -> None:
        _mount("-o", "remount,ro", str(self.path))


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("needs mount(8) to put the database on a small file system it can fill")
    done = _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
    if done.returncode:
        pytest.skip("needs to mount a small tmpfs (as root) to fill it: "
                    + done.stderr.strip())
    yield SmallDisk(disk)
    subprocess.run(["umount", "-l", str(disk)], check=False)


def healthz(world):
    answer = httpx.get(world.url + "/healthz", timeout=5, trust_env=False)
    return answer.status_code, answer.json()


def test_full_disk_keeps_the_modal_open_with_an_inline_error_until_it_can_be_saved(
        small_disk, tmp_path):
    world = make_world(tmp_path, database=str(small_disk.path / "slackcase.db"))
    try:
        world.driver.command("printer on fire", user="UALICE", channel="CGENERAL")
        form = wait_for(world.latest_form, what="form")
        assert healthz(world) == (200, {"ok": True, "mode": "http"})
        small_disk.fill()

        answer = world.driver.submit(form["id"], user="UALICE")
        assert answer.status == 200
        assert answer.body["response_action"] == "errors"
        assert "could not be saved" in answer.body["errors"][ids.BLOCK_TITLE]
        assert world.fake.views[form["id"]]["callback_id"] == ids.VIEW_CASE_FORM  # still open
        status, body = healthz(world)
        assert status == 503 and not body["ok"]
        assert "full" in body["reason"] and "\n" not in body["reason"]
        assert world.app.services.store.unfinished() == []
        assert not world.kore.requests("createCase")

        small_disk.free()
        assert healthz(world) == (200, {"ok": True, "mode": "http"})
        again = world.driver.submit(form["id"], user="UALICE")
        assert again.body["response_action"] == "update"
        world.announced(1)
        assert len(world.kore.cases) == 1
        assert len(world.fake.posts("CGENERAL")) == 1
    finally:
        world.stop()


def test_a_job_stopped_by_the_database_is_finished_by_the_sweep_without_a_restart(
        small_disk, tmp_path):
    world = make_world(tmp_path, database=str(small_disk.path / "slackcase.db"),
                       sweep_seconds=0.3)
    try:
        # Kore.ai makes the case and answers a second later; meanwhile the disk fills, so
        # the job cannot record the case and stops with the submission in `sent`.
        world.kore.inject(op="createCase", delay=1.0, commit=True, times=1)
        assert submit_case(world, "lost in the middle").body["response_action"] == "update"
        wait_for(lambda: world.kore.requests("createCase"), what="createCase sent")
        small_disk.fill()
        store = world.app.services.store
        wait_for(store.problem, what="the job's write to fail")
        [stuck] = store.unfinished()
        assert stuck.state is State.SENT

        small_disk.free()
        world.announced(1, timeout=15)
        assert len(world.kore.cases) == 1
        assert len(world.kore.requests("createCase")) == 1  # reconciled, not sent again
        assert len(world.fake.posts("CGENERAL")) == 1
    finally:
        world.stop()


def test_start_up_refuses_a_read_only_database_in_one_line(small_disk, tmp_path):
    database = small_disk.path / "slackcase.db"
    open_store(str(database)).close()
    small_disk.read_only()
    env = isolated_environment({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
                                "KORE_HOST": "sandbox", "SLACKCASE_DATABASE": str(database)})
    done = subprocess.run([sys.executable, "-m", "slackcase", "run", "--http", "--port", "0"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("slackcase: SLACKCASE_DATABASE: ") and "cannot be written" in line
