"""What an operator watches (GET /metrics, Prometheus text format): one registry per app,
so several apps in one process (the tests) keep their figures apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from slackcase.core.domain import State

# Kore.ai answers in tens of milliseconds to its timeout (10 s by default).
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Counts what the store (StoreEvents), the Kore.ai client and the poller report."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._ended = Counter("slackcase_submissions_ended", "Submissions that reached a "
                              "final state, by state", ["state"], registry=self.registry)
        for state in (State.ANNOUNCED, State.FAILED):
            self._ended.labels(state.value)
        self._calls = Counter("slackcase_kore_calls", "Kore.ai calls made, by endpoint and "
                              "outcome", ["endpoint", "outcome"], registry=self.registry)
        self._latency = Histogram("slackcase_kore_call_seconds", "Time a Kore.ai call took "
                                  "(after its wait for the budget)", ["endpoint"],
                                  buckets=LATENCY_BUCKETS, registry=self.registry)
        self._takeovers = Counter("slackcase_lease_takeovers", "Submissions taken over from "
                                  "a process that stopped renewing its lease",
                                  registry=self.registry)
        self._waiting = Gauge("slackcase_kore_budget_waiting", "Kore.ai calls of this process "
                              "waiting for the shared budget now", registry=self.registry)

    # StoreEvents
    def submission_ended(self, state: State) -> None:
        self._ended.labels(state.value).inc()

    def lease_taken_over(self) -> None:
        self._takeovers.inc()

    # the Kore.ai client's `observe`
    def kore_call(self, endpoint: str, outcome: str, seconds: float) -> None:
        self._calls.labels(endpoint, outcome).inc()
        self._latency.labels(endpoint).observe(seconds)

    def watch(self, *, waiting: Callable[[], int], poller_rounds: Callable[[], int]) -> None:
        """Figures read when scraped: calls waiting for the budget, rounds polled."""
        self._waiting.set_function(waiting)
        self.registry.register(_Read("slackcase_poller_rounds", "Follow-through rounds this "
                                     "process ran as the poller's leader", poller_rounds))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Read(Collector):
    """A counter kept elsewhere, read when scraped."""

    def __init__(self, name: str, documentation: str, read: Callable[[], int]) -> None:
        self._name, self._doc, self._read = name, documentation, read

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self._name, self._doc, value=self._read())
