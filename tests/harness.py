"""A whole slackcase on loopback: fake Slack, Kore.ai sandbox, the app over real HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slackcase.app import Slackcase, build_app
from slackcase.config import Settings, load_settings
from slackcase.core.cases import RetryPolicy
from slackcase.core.domain import UNFINISHED, State
from slackcase.core.jobs import AfterAck, Jobs
from slackcase.kore.models import Case
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.kore_server import KoreSandbox
from slackcase.sandbox.loopback import isolated_environment, wait_until
from slackcase.sandbox.slack_driver import Answer, SlackDriver
from slackcase.slack import ids
from slackcase.store import open_store

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-bot-token"
KORE_SECRET = "kore-test-secret-abcdef-0123456789-xyz"
FAST_RETRY = RetryPolicy(attempts=4, base=0.05, cap=0.2, announce_attempts=4)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    value = wait_until(predicate, timeout)
    if not value:
        raise AssertionError(f"timed out waiting for {what}")
    return value


class WatchedJobs(Jobs):
    """The app's jobs, able to say that none is running or waiting (for World.settled)."""

    def idle(self) -> bool:
        with self._cond:
            return not self._running and not self._heap


class WatchedAfterAck(AfterAck):
    """The work listeners leave for after their ack, counted while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self._busy = 0
        self._lock = threading.Lock()

    def __call__(self, fn: Callable[[], None]) -> None:
        with self._lock:
            self._busy += 1

        def counted() -> None:
            try:
                fn()
            finally:
                with self._lock:
                    self._busy -= 1

        super().__call__(counted)

    def idle(self) -> bool:
        with self._lock:
            return self._busy == 0


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The button with this action_id that these blocks show; fails when there is none."""
    for block in blocks:
        elements = [*block.get("elements", []), block.get("accessory") or {}]
        for element in elements:
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button is shown in {blocks}")


@dataclass
class World:
    fake: FakeSlack
    kore: KoreSandbox
    settings: Settings
    app: Slackcase
    driver: SlackDriver
    server: Any
    url: str

    # ---- conveniences -------------------------------------------------------------------
    def latest_form(self) -> dict[str, Any] | None:
        """The newest open case form, or None while none is open (for wait_for)."""
        forms = [v for v in self.fake.views.values() if v.get("callback_id") == "case_form"]
        return forms[-1] if forms else None

    def cases(self) -> list[dict[str, Any]]:
        return list(self.kore.cases.values())

    def created(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        wait_for(lambda: len(self.kore.cases) >= count, timeout, f"{count} case(s)")
        return self.cases()

    def announced(self, count: int = 1, timeout: float = 10.0) -> None:
        wait_for(lambda: len(self.app.services.store.in_state(State.ANNOUNCED)) >= count,
                 timeout, "announcement")

    def settled(self, timeout: float = 10.0) -> None:
        """Wait until nothing is left to do: no work after an ack, no job running or due
        later, no submission unfinished. What has not happened by then will not happen."""
        services = self.app.services
        watched = services.after_ack, services.jobs
        assert all(isinstance(w, WatchedAfterAck | WatchedJobs) for w in watched)

        def quiet() -> bool:
            # Upstream first: work moves from after-ack to jobs to the store, never back.
            return (services.after_ack.idle() and services.jobs.idle() and  # type: ignore
                    not any(services.store.in_state(state) for state in UNFINISHED))

        wait_for(quiet, timeout, "nothing left to do")

    def press(self, action_id: str, *, user: str, view_id: str | None = None,
              message: dict[str, Any] | None = None, channel: str | None = None) -> Answer:
        """Press the button a view (view_id) or a message shows, as Slack sends it."""
        blocks = (self.fake.views[view_id] if view_id else message or {}).get("blocks") or []
        pressed = button(blocks, action_id)
        return self.driver.click(action_id, pressed.get("value", ""), user=user,
                                 view_id=view_id, message=message, channel=channel)

    def pick_requester(self, view_id: str, user_id: str, *, by: str) -> Answer:
        """Pick another requester in the open form: Slack sends the change at once only
        because the input block asks for it (dispatch_action)."""
        view = self.fake.views[view_id]
        block = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_REQUESTER)
        assert block.get("dispatch_action"), "Slack would not tell the app of the change"
        return self.driver.click(ids.ACTION_REQUESTER, user_id, user=by, view_id=view_id,
                                 values={ids.BLOCK_REQUESTER: user_id})

    def stop(self) -> None:
        self.server.close()
        self.driver.close()
        self.app.stop()
        self.fake.close()
        self.kore.close()


def make_world(tmp_path: Any, *, env: dict[str, str] | None = None, fake_latency: float = 0.0,
               kore_latency: float = 0.0, retry: RetryPolicy = FAST_RETRY,
               database: str | None = None, start: bool = True,
               sweep_seconds: float | None = None) -> World:
    fake = FakeSlack(bot_token=BOT_TOKEN, latency=fake_latency)
    fake.serve()
    fake.add_user("UALICE", "Alice Example", email="alice@example.com")
    fake.add_user("UBOB", "Bob Builder", email="bob@example.com", locale="de-DE")
    fake.add_user("UNOMAIL", "Nora Nomail")
    fake.add_user("UGUEST", "Gina Guest", email="gina@example.com", guest=True)
    fake.add_channel("CGENERAL", "general")
    fake.add_channel("CSUPPORT", "support")
    fake.add_channel("CTEAMIT", "it-team")
    fake.add_channel("CTEAMGEN", "general-team")
    fake.add_channel("GSECRET", "secret", private=True, member=False)
    templates = {"ctm-general": "General", "ctm-it": "IT Support"}
    kore = KoreSandbox(stream_id="st-test-1", client_id="cs-test", client_secret=KORE_SECRET,
                       account_id="acct-test", templates=templates, latency=kore_latency)
    kore.serve()
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "KORE_HOST": kore.url or "",
        "KORE_STREAM_ID": "st-test-1",
        "KORE_CLIENT_ID": "cs-test",
        "KORE_CLIENT_SECRET": KORE_SECRET,
        "KORE_ACCOUNT_ID": "acct-test",
        "KORE_CASE_TEMPLATES": "ctm-general=General,ctm-it=IT Support",
        "KORE_TIMEOUT_SECONDS": "2",
        "SLACKCASE_DATABASE": database or str(tmp_path / "slackcase.db"),
        "SLACKCASE_POLL_SECONDS": "3600",
    }
    values.update(env or {})
    settings = load_settings(values)
    app = build_app(settings, retry=retry, jobs=WatchedJobs(),
                    **({"sweep_seconds": sweep_seconds} if sweep_seconds else {}))
    app.services.after_ack.close()
    app.services.after_ack = WatchedAfterAck()
    if start:
        app.start()
    server = app.http_server("127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    driver = SlackDriver(url, SIGNING_SECRET, fake)
    return World(fake, kore, settings, app, driver, server, url)


def case_of(world: World, ref: str) -> Case:
    raw = next(c for c in world.cases() if c["refId"] == ref)
    return Case.model_validate(raw)


def submit_case(world: World, text: str = "disk full", user: str = "UALICE",
                channel: str = "CGENERAL", driver: SlackDriver | None = None) -> Any:
    """/case, then submit the form it opened, through `driver` (a replica's; world's by
    default): the submission's answer."""
    driver = driver or world.driver
    before = {v for v, view in world.fake.views.items() if view.get("callback_id") == "case_form"}
    driver.command(text, user=user, channel=channel)
    form = wait_for(lambda: next((v for v, view in world.fake.views.items()
                                  if view.get("callback_id") == "case_form"
                                  and v not in before), None), what="form")
    return driver.submit(form, user=user)


def app_environment(world: World, tmp_path: Any, **settings: str) -> dict[str, str]:
    """The environment of a `slackcase run` process against world's fakes."""
    return isolated_environment({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": world.fake.api_url, "KORE_HOST": world.kore.url or "",
        "KORE_STREAM_ID": "st-test-1", "KORE_CLIENT_ID": "cs-test",
        "KORE_CLIENT_SECRET": KORE_SECRET, "KORE_ACCOUNT_ID": "acct-test",
        "KORE_CASE_TEMPLATES": "ctm-general=General,ctm-it=IT Support",
        "SLACKCASE_DATABASE": str(tmp_path / "app.db"), **settings})


def start_process(env: dict[str, str], cwd: Any) -> tuple[subprocess.Popen[str], str]:
    """`slackcase run --http` on a free port: the process and its URL once it is ready.
    Its log goes to a file, so a long run never fills a pipe nobody reads."""
    log = open(Path(cwd) / f"app-{uuid.uuid4().hex[:6]}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "slackcase", "run", "--http", "--port",
                             "0"], env=env, stdout=subprocess.PIPE, stderr=log, text=True,
                            cwd=cwd)
    log.close()
    line = "-"
    while line and "ready" not in line and proc.stdout:  # after any line about the sandbox
        line = proc.stdout.readline()
    assert "ready" in line, line + Path(log.name).read_text()
    return proc, line.split("HTTP on ")[1].strip().removesuffix("/slack/events")


def app_process(world: World, tmp_path: Any,
                **settings: str) -> Callable[[], subprocess.Popen[str]]:
    """A function that starts `slackcase run --http` as its own process against world's
    fakes (world's in-process app closed) and points world's driver at it."""
    world.server.close()
    env = app_environment(world, tmp_path, **settings)

    def start() -> subprocess.Popen[str]:
        proc, url = start_process(env, tmp_path)
        world.driver.url = url.rstrip("/") + "/slack/events"
        return proc

    return start


@dataclass
class Replica:
    """One `slackcase run --http` process of several on one database, with its own driver."""

    proc: subprocess.Popen[str]
    driver: SlackDriver

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.driver.close()


def start_replicas(world: World, tmp_path: Any, count: int, database: str,
                   **settings: str) -> list[Replica]:
    """`count` app processes on one database, against world's fakes (its own app closed)."""
    world.server.close()
    env = app_environment(world, tmp_path, SLACKCASE_DATABASE=database, **settings)
    replicas = []
    for _ in range(count):
        proc, url = start_process(env, tmp_path)
        replicas.append(Replica(proc, SlackDriver(url, SIGNING_SECRET, world.fake)))
    return replicas


def settled_in(database: Path, *, announced: int, timeout: float = 20.0) -> None:
    """For an app in another process: wait until `announced` submissions in its database are
    announced and none is unfinished. Read as `slackcase submissions` does, without the lock
    `slackcase run` holds."""
    store = open_store(str(database))
    try:
        wait_for(lambda: len(store.in_state(State.ANNOUNCED)) >= announced and
                 not any(store.in_state(state) for state in UNFINISHED), timeout,
                 f"{announced} submission(s) announced")
    finally:
        store.close()


def shut_down(world: World, proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    world.driver.close()
    world.app.stop()
    world.fake.close()
    world.kore.close()


@contextmanager
def replicas_on(tmp_path: Any, database: str, count: int = 2,
                **settings: str) -> Iterator[tuple[World, list[Replica], Any]]:
    """The fakes, `count` replicas on one database, and a store to read it, stopped after."""
    world = make_world(tmp_path, start=False)
    world.app.stop()
    replicas = start_replicas(world, tmp_path, count, database, **settings)
    store = open_store(database)
    try:
        yield world, replicas, store
    finally:
        store.close()
        for replica in replicas:
            replica.stop()
        world.driver.close()
        world.fake.close()
        world.kore.close()
