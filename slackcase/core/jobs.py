"""Work after the ack.

`AfterAck` takes what a listener does once it has acknowledged (open a form, answer in the
channel), so Bolt sends the HTTP answer the moment the listener returns. `Jobs` is a thread
pool plus a timer heap for durable case work and delayed retries; each job is keyed, so the
same submission never runs twice at once in this process.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("slackcase.core.jobs")


class AfterAck:
    """Runs a listener's post-ack work on its own pool, never queued behind Kore.ai jobs.

    Bolt is run with process_before_response=True, so its answer to Slack goes out as soon
    as the listener returns. Listeners ack, hand the rest here and return: no thread waits
    (or polls) for an ack made on another thread.
    """

    def __init__(self, workers: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-ack")

    def __call__(self, fn: Callable[[], None]) -> None:
        context = contextvars.copy_context()  # keeps the correlation id for the logs
        try:
            self._pool.submit(self._guarded, context, fn)
        except RuntimeError:  # shutting down: the request came in as the app stopped
            log.warning("work after an ack dropped: the app is stopping")

    def _guarded(self, context: contextvars.Context, fn: Callable[[], None]) -> None:
        try:
            context.run(fn)
        except Exception as exc:
            log.error("listener failed after its ack: %s: %s", type(exc).__name__, exc,
                      exc_info=exc)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


JOB_WORKERS = 64  # Kore.ai calls in flight at most; kore.client.MAX_CONNECTIONS matches


class Jobs:
    def __init__(self, workers: int = JOB_WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slackcase-job")
        self._heap: list[tuple[float, int, str, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._running: set[str] = set()
        self._rerun: set[str] = set()
        self._cond = threading.Condition()
        self._closed = False
        self._timer = threading.Thread(target=self._tick, name="slackcase-timer", daemon=True)
        self._timer.start()

    def run(self, key: str, fn: Callable[[], None], *, delay: float = 0.0) -> None:
        """Run fn under key after delay; if key is running now, run it once more after."""
        if delay > 0:
            with self._cond:
                heapq.heappush(self._heap, (time.monotonic() + delay, next(self._counter),
                                            key, fn))
                self._cond.notify()
            return
        with self._cond:
            if self._closed:
                return
            if key in self._running:
                self._rerun.add(key)
                return
            self._running.add(key)
        self._pool.submit(self._guarded, key, fn)

    def _guarded(self, key: str, fn: Callable[[], None]) -> None:
        while True:
            try:
                fn()
            except Exception:
                log.exception("job %s failed", key)
            with self._cond:
                if key in self._rerun and not self._closed:
                    self._rerun.discard(key)
                    continue
                self._running.discard(key)
                return

    def _tick(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or
                                            self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if self._closed:
                    return
                _, _, key, fn = heapq.heappop(self._heap)
            self.run(key, fn)

    def close(self, wait: bool = False) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._pool.shutdown(wait=wait, cancel_futures=True)
