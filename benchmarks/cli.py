"""`python -m benchmarks`: the options, the scenarios in order, and the table."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from http.client import HTTPException

from benchmarks.figures import cpu_times, stolen
from benchmarks.replicas import failover, fresh_schema
from benchmarks.rig import Bench, Stalled
from slackcase.core.cases import LEASE_SECONDS


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value
    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--kore-latency", type=_seconds, default=0.3, help="seconds")
    parser.add_argument("--slack-latency", type=_seconds, default=0.05, help="seconds")
    parser.add_argument("--concurrency", type=_count(1), nargs="+", default=[1, 10, 50])
    parser.add_argument("--burst", type=_count(0), default=200,
                        help="submissions in the rate-limited burst (0 skips it)")
    parser.add_argument("--burst-rate", type=_count(1), default=60,
                        help="the Kore.ai rate limit during the burst, per minute")
    parser.add_argument("--thread-size", type=_count(0), default=1000,
                        help="messages in the shortcut's thread (0 skips it)")
    parser.add_argument("--samples", type=_count(1), default=1000,
                        help="figures per latency row, from waves of the row's concurrency")
    parser.add_argument("--warmup", type=_count(0), default=1,
                        help="unmeasured waves before each latency row")
    parser.add_argument("--socket-mode", action="store_true",
                        help="drive the app over Socket Mode instead of HTTP (needs websockets, "
                             "from the test extra)")
    parser.add_argument("--replicas", type=_count(1), default=1,
                        help="also run every scenario on this many app processes sharing "
                             "--database, side by side with one process on SQLite")
    parser.add_argument("--database", default=None,
                        help="a postgresql:// URL for --replicas (each run uses a schema of "
                             "its own in it, dropped afterwards)")
    parser.add_argument("--quick", action="store_true", help="seconds, not minutes (smoke run)")
    args = parser.parse_args(argv)
    if args.replicas > 1 and not (args.database or "").startswith(("postgresql://",
                                                                      "postgres://")):
        print("python -m benchmarks: --replicas needs --database postgresql://user:pass@host/db",
              file=sys.stderr)
        return 2
    if args.replicas > 1 and args.socket_mode:
        print("python -m benchmarks: --replicas runs over HTTP (a load balancer in front)",
              file=sys.stderr)
        return 2
    if args.socket_mode and importlib.util.find_spec("websockets") is None:
        print("python -m benchmarks: --socket-mode plays Slack's end of the websocket "
              "with the websockets package: pip install -e '.[test]'", file=sys.stderr)
        return 2
    if args.quick:
        args.concurrency, args.burst, args.burst_rate, args.thread_size = [1, 5], 12, 600, 300
        args.samples, args.warmup = 5, 0
        args.kore_latency, args.slack_latency = 0.05, 0.01
    results = [measure_on(1, None, args)]
    if args.replicas > 1:
        with fresh_schema(args.database) as database:
            results.append(measure_on(args.replicas, database, args))
    report(results, args)
    return 1 if any(problems for _, _, problems, _ in results) else 0


Result = tuple[str, list[tuple[str, str, str, str, str]], list[str], str]


def measure_on(replicas: int, database: str | None, args: argparse.Namespace) -> Result:
    """Every scenario on `replicas` app processes (one on SQLite when database is None)."""
    label = "1 process, SQLite" if database is None else f"{replicas} replicas, PostgreSQL"
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(args.kore_latency, args.slack_latency, 100_000, tmp,
                      socket_mode=args.socket_mode, replicas=replicas, database=database)
        try:
            measure(bench, args)
        except (Stalled, OSError, HTTPException) as exc:  # no figures to print: say why
            bench.problems.append(bench.why_stopped(exc))
        finally:
            summary = bench.log_summary()
            bench.close()
    return label, bench.rows, sorted(set(bench.problems)), summary


def waves(size: int, args: argparse.Namespace) -> int:
    """Enough waves of `size` for about `--samples` figures (at most 50 waves)."""
    return max(1, min(50, -(-args.samples // size)))


def burst(bench: Bench, args: argparse.Namespace) -> None:
    """The burst against the rate limit, on an app restarted with that limit."""
    bench.stop_app()
    bench.fake.views.clear()
    bench.start_app(rate=args.burst_rate)
    _, _, took = bench.submissions(args.burst, min(args.burst, 50),
                                   timeout=args.burst * 60 / args.burst_rate + 120)
    minimum = max(0.0, (args.burst - args.burst_rate) * 60 / args.burst_rate) \
        + args.kore_latency
    bench.rows.append((f"burst of {args.burst} at {args.burst_rate}/min: all confirmed",
                       f"{took:.1f} s", "", f"{minimum:.1f} s",
                       f"{took / minimum:.2f}x" if minimum else "-"))


def measure(bench: Bench, args: argparse.Namespace) -> None:
    run_cpu = cpu_times()
    ready = bench.start_app()
    bench.rows.append(("start-up to ready", f"{ready * 1000:.0f} ms", "", "", ""))
    slack, kore = args.slack_latency, args.kore_latency
    if not bench.socket_mode:
        n = args.concurrency[-1]
        bench.row(f"floor: GET /healthz, {n} concurrent (no Bolt)",
                  bench.ack_waves(partial(bench.healthz, n), waves(n, args), args.warmup), None)
    for n in args.concurrency:
        bench.row(f"/case ack, {n} concurrent",
                  bench.ack_waves(partial(bench.commands, n, n), waves(n, args), args.warmup),
                  None)
    t0 = time.monotonic()
    bench.commands(1, 1)
    opened = [c for c in bench.fake.calls_to("views.open") if c.at >= t0]
    if opened:
        bench.row("command -> views.open sent", [opened[0].at - t0], slack)
    # createCase + chat.postMessage: the requester's profile (users.info) was read when the
    # form opened, so it is not on a submission's path.
    ideal = kore + slack
    cpu_per_case, steal_last = 0.0, "n/a"
    for n in args.concurrency:
        cpu, count, machine = bench.app_cpu(), waves(n, args), cpu_times()
        acks, confirmations = bench.submission_waves(n, count, args.warmup)
        if n == args.concurrency[-1]:  # the rows report the last concurrency only
            steal_last = stolen(machine, cpu_times())
            time.sleep(1.0)  # the last wave's modal updates, after its confirmations
            cpu_per_case = (bench.app_cpu() - cpu) / (n * (count + args.warmup))
        bench.row(f"submission ack, {n} concurrent", acks, None)
        if confirmations:
            bench.row(f"submission -> confirmation, {n} concurrent", confirmations, ideal)
    if args.thread_size:
        opened_at, filled_at = bench.thread_shortcut(args.thread_size)
        bench.row(f"shortcut on {args.thread_size}-message thread: modal open", [opened_at],
                  slack)
        bench.row(f"shortcut on {args.thread_size}-message thread: transcript filled",
                  [filled_at], slack * (2 + args.thread_size // 200))
    rss = bench.peak_rss_mb()
    if args.burst:
        burst(bench, args)
        rss = max(rss, bench.peak_rss_mb())  # the burst's app process, restarted for it
    bench.rows.append(("peak resident memory (app process)", f"{rss:.0f} MB", "", "", ""))
    bench.rows.append((f"app CPU per case at {args.concurrency[-1]} concurrent (/case to "
                       "announced)", f"{cpu_per_case * 1000:.1f} ms", "", "", ""))
    bench.rows.append(("CPU stolen by the VM's host (steal), whole run",
                       stolen(run_cpu, cpu_times()), "", "", ""))
    bench.rows.append((f"CPU stolen, during the submissions at {args.concurrency[-1]} concurrent",
                       steal_last, "", "", ""))
    if bench.replicas > 1:
        failover(bench, min(20, args.concurrency[-1]), LEASE_SECONDS)
def report(results: list[Result], args: argparse.Namespace) -> None:
    transport = "Socket Mode" if args.socket_mode else "HTTP"
    print(f"slackcase benchmark over {transport}: Kore.ai latency {args.kore_latency * 1000:.0f} "
          f"ms, Slack latency {args.slack_latency * 1000:.0f} ms, {os.cpu_count()} CPU(s), "
          f"Python {sys.version.split()[0]}")
    names = list(dict.fromkeys(name for _, rows, _, _ in results for name, *_ in rows))
    by_name = [{name: rest for name, *rest in rows} for _, rows, _, _ in results]
    head = f"{'scenario':<56}"
    for label, *_ in results:
        head += f" | {label:^38}"
    print(head)
    print(f"{'':<56}" + f" | {'median':>9} {'p99':>9} {'ideal':>8} {'p99/ideal':>9}" *
          len(results))
    for name in names:
        line = f"{name:<56}"
        for rows in by_name:
            med, p99, ideal, ratio = rows.get(name, ("", "", "", ""))
            line += f" | {med:>9} {p99:>9} {ideal:>8} {ratio:>9}"
        print(line)
    for label, _, problems, summary in results:
        print(f"{label}: {summary}")
        if problems:
            print("PROBLEMS:\n  " + "\n  ".join(problems))
    if not any(problems for _, _, problems, _ in results):
        print("nothing lost, nothing duplicated")
