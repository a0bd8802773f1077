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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

log = logging.getLogger("slackcase.jobs")


ACKS_FIRST_MAX_WAIT = 0.15  # seconds work after an ack may be held back for other acks
ACKS_FIRST_QUIET = 0.01  # ...until no request has been answered for this long
CARDS_FIRST_MAX_WAIT = 0.5  # seconds the rest of a case's announcements may wait for cards
CARDS_FIRST_QUIET = 0.01  # ...until no card has been waiting to be posted for this long


class AckGate:
    """Acks go first: work after an ack waits, briefly, while other requests are answered.

    Python runs one thread at a time, so when fifty requests land together their acks
    share the interpreter with the forms and cases the first acks set going, and the last
    ack waits for all of it. Holding that work back until requests have stopped coming for
    `quiet` seconds (at most `max_wait`) answers every request first; the work itself is
    not slower, it starts a few milliseconds later. One watcher thread decides when it is
    calm, so waiting work is woken once, not at every request. The transports say what is
    being answered (server.py from the moment a request is read, socket_mode.py while an
    envelope is handled), each until its answer has been sent.
    """

    def __init__(self, max_wait: float = ACKS_FIRST_MAX_WAIT,
                 quiet: float = ACKS_FIRST_QUIET) -> None:
        self._max_wait = max_wait
        self._quiet = quiet
        self._answering = 0
        self._last = 0.0
        self._changed = threading.Condition()
        self._calm = threading.Event()
        self._calm.set()
        if max_wait > 0:
            threading.Thread(target=self._watch, name="slackcase-ack-gate", daemon=True).start()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around the handling of one request from Slack."""
        self.begin()
        try:
            yield
        finally:
            self.end()

    def begin(self) -> None:
        """A request from Slack is being answered (each begin() is followed by one end())."""
        with self._changed:
            self._answering += 1
            if self._calm.is_set():
                self._calm.clear()
                self._changed.notify()

    def end(self) -> None:
        with self._changed:
            self._answering -= 1
            self._last = time.monotonic()
            if not self._answering:
                self._changed.notify()

    def wait_turn(self) -> None:
        if self._max_wait > 0:
            self._calm.wait(self._max_wait)

    def _watch(self) -> None:
        with self._changed:
            while True:
                if self._answering:
                    self._changed.wait()
                    continue
                calm_in = self._last + self._quiet - time.monotonic()
                if calm_in > 0:
                    self._changed.wait(calm_in)
                    continue
                self._calm.set()
                while self._calm.is_set():  # until a request comes in
                    self._changed.wait()


class CardGate(AckGate):
    """Cards first: the same gate, for the confirmation cards of cases Kore.ai has created.

    When many cases are created together (a burst, fifty people at once), each case's card
    shares the interpreter with the other cases' later announcements (the modal's result,
    the card's permalink, the team notice). Those wait, briefly, while any card is still to
    be posted, so the card that the conversation is waiting for goes out first. They also
    wait for `acks` (requests from Slack being answered), which come before either.
    """

    def __init__(self, max_wait: float = CARDS_FIRST_MAX_WAIT,
                 quiet: float = CARDS_FIRST_QUIET, *, acks: AckGate | None = None) -> None:
        super().__init__(max_wait=max_wait, quiet=quiet)
        self._acks = acks

    def wait_turn(self) -> None:
        super().wait_turn()
        if self._acks is not None:
            self._acks.wait_turn()


class AfterAck:
    """Runs a listener's post-ack work on its own pool, never queued behind Kore.ai jobs.

    Bolt is run with process_before_response=True, so its answer to Slack goes out as soon
    as the listener returns. Listeners ack, hand the rest here and return: no thread waits
    (or polls) for an ack made on another thread.
    """

    def __init__(self, workers: int = 64, gate: AckGate | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-ack")
        self._gate = gate or AckGate(max_wait=0, quiet=0)

    def __call__(self, fn: Callable[[], None]) -> None:
        context = contextvars.copy_context()  # keeps the correlation id for the logs
        try:
            self._pool.submit(self._guarded, context, fn)
        except RuntimeError:  # shutting down: the request came in as the app stopped
            log.warning("work after an ack dropped: the app is stopping")

    def _guarded(self, context: contextvars.Context, fn: Callable[[], None]) -> None:
        try:
            self._gate.wait_turn()
            context.run(fn)
        except Exception as exc:
            log.error("listener failed after its ack: %s: %s", type(exc).__name__, exc,
                      exc_info=exc)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


JOB_WORKERS = 64  # Kore.ai calls in flight at most; kore.client.MAX_CONNECTIONS matches


class Jobs:
    def __init__(self, workers: int = JOB_WORKERS, gate: AckGate | None = None) -> None:
        self._gate = gate or AckGate(max_wait=0, quiet=0)
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

    def busy(self, key: str) -> bool:
        """Whether work under key is running, queued or waiting for its delay here."""
        with self._cond:
            return key in self._running or any(entry[2] == key for entry in self._heap)

    def _guarded(self, key: str, fn: Callable[[], None]) -> None:
        self._gate.wait_turn()
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
