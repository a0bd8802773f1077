"""Replicas on one PostgreSQL database: a schema of their own for a run, and failover.

`--replicas N --database postgresql://…` runs every scenario twice in one run, first on
one process with SQLite and then on N replicas sharing the database (requests spread over
them, as a load balancer would), and adds the failover: submissions in flight on one
replica when it is SIGKILLed, confirmed by another.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from benchmarks.rig import Bench, Stalled


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """`url` with a schema of its own as its search path, dropped afterwards, so a run
    starts from an empty database and leaves nothing behind."""
    import psycopg  # the app's own dependency

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"-csearch_path={schema}"
    try:
        yield urlunsplit(parts._replace(query=urlencode(query)))
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def failover(bench: Bench, count: int, lease: float) -> None:
    """`count` submissions sent to the first replica, which is SIGKILLed as soon as they
    are acknowledged (their createCase calls in flight); the row is the time from the kill
    to the last of them confirmed by the other replicas. Each must exist once."""
    assert bench.proc and bench.driver and len(bench.urls) > 1
    urls, bench.urls = bench.urls, bench.urls[:1]  # everything through the first replica
    try:
        bench.fake.views.clear()
        bench.commands(count, count)
        forms = bench.open_forms()[:count]
        titles = [f"failover {time.time_ns()} [{i}]" for i in range(len(forms))]
        posted_before = bench.fake.count("chat.postMessage")
        answers = bench.fire([bench.submission_request(form, title, f"U{i % 60:04d}")
                              for i, (form, title) in enumerate(zip(forms, titles,
                                                                    strict=True))], count)
    finally:
        bench.urls = urls[1:]  # the first replica is about to die
    bench.proc.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    bench.proc.wait()
    bench.proc, bench.others = bench.others[0], bench.others[1:]  # the survivors
    if any(a.status != 200 for a in answers):
        bench.problems.append("a failover submission was not acknowledged")

    def confirmed() -> list[str]:
        calls = bench.fake.calls_to("chat.postMessage", since=posted_before)
        return [t for t in titles if any(t in str(c.args.get("blocks")) for c in calls)]

    if not bench.wait(lambda: len(confirmed()) == len(titles), 120):
        raise Stalled(f"after a replica was killed, only {len(confirmed())}/{len(titles)} "
                      "of its cases were confirmed within 120 s")
    took = time.monotonic() - killed
    created = [c["name"] for c in bench.kore.cases() if c["name"] in titles]
    if sorted(created) != sorted(titles):
        bench.problems.append("after failover a case was lost or created twice")
    calls = bench.fake.calls_to("chat.postMessage", since=posted_before)
    if any(sum(t in str(c.args.get("blocks")) for c in calls) != 1 for t in titles):
        bench.problems.append("after failover a confirmation was posted twice")
    ideal = lease + bench.kore_latency + bench.slack_latency
    bench.rows.append((f"failover: SIGKILL with {count} in flight -> all confirmed",
                       f"{took:.1f} s", "", f"{ideal:.1f} s", f"{took / ideal:.2f}x"))
