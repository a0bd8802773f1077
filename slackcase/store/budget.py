"""The Kore.ai budget of the whole deployment: a bucket every replica draws from."""

from __future__ import annotations

from slackcase.core.ports import Store

KORE_BUDGET = "kore"


class StoreBucket:
    """kore.ratelimit's Bucket, kept as a row of the database (store/shared.py)."""

    def __init__(self, store: Store, name: str = KORE_BUDGET) -> None:
        self._store = store
        self._name = name

    def take(self, capacity: float, rate: float) -> float:
        return self._store.take_budget(self._name, capacity, rate)

    def estimate(self, capacity: float, rate: float) -> float:
        return self._store.budget_wait(self._name, capacity, rate)

    def give_back(self, capacity: float, rate: float) -> None:
        self._store.give_back_budget(self._name, capacity, rate)

    def pause(self, seconds: float, capacity: float) -> None:
        self._store.pause_budget(self._name, seconds, capacity)
