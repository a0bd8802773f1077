"""The processes a benchmark run needs, and the steps of its scenarios.

The app (`slackcase run`), the Kore.ai sandbox (`slackcase sandbox`) and the load
generator are processes of their own; the fake Slack, with the benchmark's bookkeeping,
runs in this one.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from benchmarks.figures import pct
from benchmarks.load import fire, socket_connections, socket_fire, socket_serve
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.loopback import isolated_environment, wait_until
from slackcase.sandbox.slack_driver import Answer, Request, SlackDriver

SECRET = "bench-signing-secret-0123456789"
TOKEN = "xoxb-bench-token"
APP_TOKEN = "xapp-1-bench-app-token"
KORE_SECRET = "bench-kore-secret-0123456789-abcdef"
KORE_SETTINGS = {"KORE_STREAM_ID": "st-bench", "KORE_CLIENT_ID": "cs-bench",
                 "KORE_CLIENT_SECRET": KORE_SECRET, "KORE_ACCOUNT_ID": "acc-bench",
                 "KORE_CASE_TEMPLATES": "ctm-bench=Bench"}
FORMS_TIMEOUT = 60  # seconds for a wave's forms to open before the run stops


class Stalled(Exception):
    """A scenario stopped making progress: the rest of the run would only wait."""


class SandboxProcess:
    """The Kore.ai sandbox as a process of its own (`slackcase sandbox`), as Kore.ai is a
    service of its own: its work does not share an interpreter with the fake Slack."""

    def __init__(self, env: dict[str, str], latency: float, cwd: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "slackcase", "sandbox", "--port",
                                      "0"], env=env, cwd=cwd, stdout=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            raise SystemExit(f"the Kore.ai sandbox did not start: {line}")
        self.url = line.split("listening on ")[1].strip()
        self.http = httpx.Client(base_url=self.url, timeout=30, trust_env=False)
        self.http.post("/_sandbox/latency", json={"seconds": latency}).raise_for_status()

    def cases(self) -> list[dict[str, Any]]:
        response = self.http.get("/_sandbox/cases")
        response.raise_for_status()
        return response.json()["cases"]

    def close(self) -> None:
        self.http.close()
        self.proc.terminate()
        self.proc.wait(timeout=15)


class Bench:
    def __init__(self, kore_latency: float, slack_latency: float, rate: int, tmp: str,
                 socket_mode: bool = False, replicas: int = 1,
                 database: str | None = None) -> None:
        self.socket_mode = socket_mode
        self.replicas = replicas  # app processes on one database, requests spread over them
        self.database = database
        self.others: list[subprocess.Popen[str]] = []  # the replicas after the first
        self.urls: list[str] = []
        self.kore_latency, self.slack_latency = kore_latency, slack_latency
        self.proc: subprocess.Popen[str] | None = None
        self.driver: SlackDriver | None = None
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.problems: list[str] = []
        self._peers = ExitStack()  # what close() stops, started so far
        try:
            self._start_peers(rate, tmp)
        except BaseException:  # nothing that did start is left running
            self._peers.close()
            raise

    def _start_peers(self, rate: int, tmp: str) -> None:
        """The fake Slack, the Kore.ai sandbox and the load generator."""
        self.fake = FakeSlack(bot_token=TOKEN, app_token=APP_TOKEN, latency=self.slack_latency,
                              validate_blocks=False)
        self.fake.serve()
        self._peers.callback(self.fake.close)
        for i in range(60):
            self.fake.add_user(f"U{i:04d}", f"User {i}", email=f"user{i}@example.com")
        self.fake.add_channel("CBENCH", "bench")
        kore_env = isolated_environment(KORE_SETTINGS)  # the sandbox and the app share these
        self.kore = SandboxProcess(kore_env, self.kore_latency, tmp)
        self._peers.callback(self.kore.close)
        self.env = dict(kore_env, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        SLACK_API_URL=self.fake.api_url, KORE_HOST=self.kore.url,
                        KORE_RATE_LIMIT_PER_MINUTE=str(rate),
                        SLACKCASE_DATABASE=self.database or str(Path(tmp) / "bench.db"),
                        SLACKCASE_POLL_SECONDS="3600")
        self.tmp = tmp
        self.log_path = Path(tmp) / "app.log"  # logged at the default level, as operators run it
        # The load generator is a process of its own, as Slack is another machine.
        self.load = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._peers.callback(self.load.shutdown)
        self.load.submit(time.sleep, 0).result()
        if self.socket_mode:
            self.fake.socket_url = self.load.submit(socket_serve).result()
            self.env["SLACK_APP_TOKEN"] = APP_TOKEN

    def close(self) -> None:
        """Stop the app, then the load generator, the sandbox and the fake Slack."""
        self.stop_app()
        self._peers.close()

    def start_app(self, rate: int | None = None) -> float:
        """Start the app (the first replica; the others after it); seconds to ready."""
        if rate:
            self.env["KORE_RATE_LIMIT_PER_MINUTE"] = str(rate)
        ready = self._start_one()
        self.urls = [] if self.socket_mode or not self.driver else [self.driver.url]
        for _ in range(self.replicas - 1):
            first, first_driver = self.proc, self.driver
            self._start_one()
            assert self.proc and self.driver
            self.others.append(self.proc)
            self.urls.append(self.driver.url)
            self.driver.close()
            self.proc, self.driver = first, first_driver
        return ready

    def _start_one(self) -> float:
        mode = [] if self.socket_mode else ["--http", "--port", "0"]
        connected = self.load.submit(socket_connections).result() if self.socket_mode else 0
        started = time.perf_counter()
        with self.log_path.open("a") as log:  # the app's log, kept out of the figures
            self.proc = subprocess.Popen([sys.executable, "-m", "slackcase", "run", *mode],
                                         env=self.env, cwd=self.tmp,
                                         stdout=subprocess.PIPE, stderr=log, text=True)
        assert self.proc.stdout
        line = self.proc.stdout.readline()
        ready = time.perf_counter() - started
        if "ready" not in line:
            raise SystemExit(f"app did not start: {line}")
        if self.socket_mode:  # Slack's end has the new connection, not only the app's
            if not self.wait(lambda: self.load.submit(socket_connections).result() > connected,
                             10):
                raise SystemExit("the app said it was connected, but no websocket arrived")
            self.driver = SlackDriver("http://socket-mode.invalid", SECRET, self.fake)
        else:
            self.driver = SlackDriver(line.split("HTTP on ")[1].strip().removesuffix(
                "/slack/events"), SECRET, self.fake)
        return ready

    def log_summary(self) -> str:
        """How much the app logged (at its default level), and its first errors if any."""
        lines = self.log_path.read_text(errors="replace").splitlines() \
            if self.log_path.exists() else []
        warnings = sum(" WARNING " in line for line in lines)
        errors = [line for line in lines if " ERROR " in line]
        summary = f"app log: {len(lines)} lines, {warnings} warnings, {len(errors)} errors"
        if lines and self.app_exited() is not None:  # how it ended is at the end of its log
            return "\n  ".join([summary, "its last lines:", *lines[-8:]])
        return "\n  ".join([summary, *errors[:5]])

    def app_exited(self) -> int | None:
        """The app's exit status if it has stopped by itself, else None."""
        for proc in [p for p in (self.proc, *self.others) if p]:
            if proc.poll() is not None:
                return proc.returncode
        return None

    def why_stopped(self, exc: Exception) -> str:
        """One line on why a run could not go on."""
        status = self.app_exited()
        if status is not None:
            return f"the app exited with status {status} in the middle of the run"
        return str(exc) or type(exc).__name__

    def _proc(self, name: str) -> str:
        """/proc/<app>/<name>, or "" where there is no /proc (the row then reads nan)."""
        assert self.proc
        try:
            return Path(f"/proc/{self.proc.pid}/{name}").read_text()
        except OSError:
            return ""

    def _status(self, field: str) -> str | None:
        """A field of /proc/<app>/status, or None."""
        for line in self._proc("status").splitlines():
            name, _, value = line.partition(":")
            if name == field:
                return value.strip()
        return None

    def peak_rss_mb(self) -> float:
        peak = self._status("VmHWM")  # "84120 kB"
        return int(peak.split()[0]) / 1024 if peak else float("nan")

    def app_cpu(self) -> float:
        """CPU seconds the app process has used (user + system)."""
        stat = self._proc("stat")
        if not stat:
            return float("nan")
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop_app(self) -> None:
        for proc in [p for p in (self.proc, *self.others) if p and p.poll() is None]:
            proc.terminate()
            proc.wait(timeout=15)
        self.others = []
        if self.driver:
            self.driver.close()

    def row(self, name: str, values: list[float], ideal: float | None) -> None:
        med, p99 = statistics.median(values), pct(values, 99)
        ratio = f"{p99 / ideal:.2f}x" if ideal else "-"
        self.rows.append((name, f"{med * 1000:.0f} ms", f"{p99 * 1000:.0f} ms",
                          f"{ideal * 1000:.0f} ms" if ideal else "0", ratio))

    def wait(self, predicate: Any, timeout: float) -> Any:
        """predicate()'s first truthy value, or None after timeout."""
        return wait_until(predicate, timeout, interval=0.01)

    def fire(self, requests: list[Any], concurrency: int) -> list[Answer]:
        """Send from the load process, so timing does not share a GIL with the fakes."""
        assert self.driver
        if self.socket_mode:
            return self.load.submit(socket_fire, requests, concurrency).result()
        return self.load.submit(fire, self.urls or self.driver.url, requests,
                                concurrency).result()

    # What Slack sends: a signed HTTP request, or a Socket Mode envelope's type and payload.
    def command_request(self, user: str) -> Any:
        assert self.driver
        if self.socket_mode:
            return ("slash_commands", self.driver.command_form("bench case", user=user,
                                                               channel="CBENCH"))
        return self.driver.command_request("bench case", user=user, channel="CBENCH")

    def submission_request(self, form: dict[str, Any], title: str, user: str) -> Any:
        assert self.driver
        return self._interaction(self.driver.submission_payload(form["id"], {"title": title},
                                                                user=user))

    def shortcut_request(self, message: dict[str, Any], user: str) -> Any:
        assert self.driver
        return self._interaction(self.driver.shortcut_payload(message, user=user,
                                                              channel="CBENCH"))

    def _interaction(self, payload: dict[str, Any]) -> Any:
        assert self.driver
        if self.socket_mode:
            return ("interactive", payload)
        return self.driver.interaction_request(payload)

    # ---- scenarios -----------------------------------------------------------------------
    def open_forms(self) -> list[dict[str, Any]]:
        return [v for v in self.fake.views.values() if v.get("callback_id") == "case_form"]

    def commands(self, count: int, concurrency: int) -> list[Answer]:
        """`count` /case commands, `concurrency` in flight; returns when their forms are open."""
        assert self.driver
        before = self.fake.count("views.open")
        answers = self.fire([self.command_request(f"U{i % 60:04d}") for i in range(count)],
                            concurrency)
        if any(a.status != 200 for a in answers):
            self.problems.append("a /case command was not acknowledged with 200")
        if not self.wait(lambda: self.fake.count("views.open") >= before + count,
                         FORMS_TIMEOUT):
            raise Stalled(f"{before + count - self.fake.count('views.open')} of {count} case "
                          f"form(s) did not open within {FORMS_TIMEOUT} s")
        return answers

    def healthz(self, size: int) -> list[Answer]:
        """`size` simultaneous GET /healthz: the same server, load generator and machine,
        without Bolt or slackcase. Over HTTP only."""
        assert self.driver
        url = self.driver.url.removesuffix("/slack/events") + "/healthz"
        answers = self.load.submit(fire, url, [Request(b"", {})] * size, size, "GET").result()
        if any(a.status != 200 for a in answers):
            self.problems.append("GET /healthz did not answer 200")
        return answers

    def ack_waves(self, wave: Callable[[], list[Answer]], waves: int,
                  warmup: int) -> list[float]:
        """The ack times of `waves` waves, each once the previous one settled.

        The first `warmup` waves are not counted: they pay for pools, connections and
        caches being filled, which start-up-to-ready and the burst already show.
        """
        acks: list[float] = []
        for i in range(warmup + waves):
            answers = wave()
            if i >= warmup:
                acks += [a.elapsed for a in answers]
            time.sleep(0.1)
        return acks

    def submissions(self, count: int, concurrency: int,
                    timeout: float) -> tuple[list[float], list[float], float]:
        """Submit `count` open forms, `concurrency` in flight; wait for every confirmation.

        Returns the acks, each submission's time to its confirmation (the fake Slack's time
        of the chat.postMessage carrying its title) and the time to the last confirmation.
        """
        assert self.driver
        self.fake.views.clear()
        self.commands(count, min(count, 50))
        forms = self.open_forms()[:count]
        posted_before = self.fake.count("chat.postMessage")
        # Bracketed, so that no title is part of another ("… 1" is part of "… 15").
        titles = [f"bench {time.time_ns()} [{i}]" for i in range(len(forms))]
        answers = self.fire([self.submission_request(form, title, f"U{i % 60:04d}")
                             for i, (form, title) in enumerate(zip(forms, titles, strict=True))],
                            concurrency)
        for form, answer in zip(forms, answers, strict=True):
            if answer.status != 200 or (answer.body or {}).get("response_action") != "update":
                self.problems.append(f"submission not accepted: {answer.status} {answer.body}")
            self.driver.applied(form["id"], answer)
        sent = {title: answer.started for title, answer in zip(titles, answers, strict=True)}
        posted = lambda: self.fake.count("chat.postMessage") - posted_before  # noqa: E731
        if not self.wait(lambda: posted() >= len(sent), timeout):
            raise Stalled(f"only {posted()}/{len(sent)} confirmations arrived within "
                          f"{timeout:.0f} s")
        done: dict[str, float] = {}
        for call in self.fake.calls_to("chat.postMessage", since=posted_before):
            blocks = str(call.args.get("blocks"))
            for title in sent.keys() - done.keys():
                if title in blocks:
                    done[title] = call.at - sent[title]
                    break
        if len(done) < len(sent):
            self.problems.append(f"{len(sent) - len(done)} confirmation(s) missing")
        created = [c["name"] for c in self.kore.cases() if c["name"] in sent]
        if len(created) != len(set(created)):
            self.problems.append("a case was created twice")
        if len(set(created)) != len(sent):
            self.problems.append(f"{len(sent) - len(set(created))} case(s) lost")
        first = min(sent.values(), default=0.0)
        last = max((sent[title] + took for title, took in done.items()), default=first)
        return [a.elapsed for a in answers], list(done.values()), last - first

    def submission_waves(self, size: int, waves: int,
                         warmup: int) -> tuple[list[float], list[float]]:
        acks: list[float] = []
        confirmations: list[float] = []
        for wave in range(warmup + waves):
            wave_acks, wave_confirmations, _ = self.submissions(size, size, timeout=60)
            if wave >= warmup:
                acks += wave_acks
                confirmations += wave_confirmations
        return acks, confirmations

    def thread_shortcut(self, size: int) -> tuple[float, float]:
        assert self.driver
        root = self.fake.add_message("CBENCH", "U0001", "Big thread root")
        for i in range(size - 1):
            self.fake.add_message("CBENCH", f"U{i % 60:04d}", f"message {i} " * 8,
                                  thread_ts=root["ts"])
        opens, updates = (self.fake.count(m) for m in ("views.open", "views.update"))
        started = time.monotonic()
        self.fire([self.shortcut_request(root, "U0002")], 1)

        def opened() -> float | None:  # when Slack answered the shortcut's views.open
            return next((c.at for c in self.fake.calls_to("views.open", since=opens)), None)

        def filled() -> float | None:
            return next((c.at for c in self.fake.calls_to("views.update", since=updates)
                         if "description_thread" in str(c.args.get("view"))), None)

        opened_at, filled_at = self.wait(opened, 10), self.wait(filled, 30)
        if opened_at is None or filled_at is None:
            self.problems.append("the shortcut's form did not open and fill in")
        now = time.monotonic()
        return (opened_at or now) - started, (filled_at or now) - started
