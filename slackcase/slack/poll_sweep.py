"""Where the poller looks in Kore.ai: date slices around the tracked cases, walked in pages.

Kore.ai has no get-by-id, so open cases are found by listing. Listing the whole window
from the oldest tracked case would, on a busy account, bury an old case under thousands
of newer ones. Instead each tracked case gets a short window around its own creation
time (neighbours merged into one slice), only unresolved cases are asked for, and the
pages of every slice are walked in order, resuming next round where the budget ran out.
A tracked case that a finished slice did not list has left the unresolved list (or was
skipped by a shifting page): the poller then looks for it by its refId.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slackcase.kore import Case, CaseQuery

PAGE_SIZE = 50
# Kore.ai's clock and ours may differ, and a case's createdAt is Kore.ai's: a slice reaches
# this far either side of the creation times it covers.
SLICE_MARGIN = timedelta(minutes=10)


@dataclass
class Slice:
    start: datetime
    end: datetime
    case_ids: set[str]
    skip: int = 0
    seen: set[str] = field(default_factory=set)


def slices_for(created: Iterable[tuple[str, datetime]]) -> list[Slice]:
    """One window per run of tracked cases created within 2 × SLICE_MARGIN of each other."""
    slices: list[Slice] = []
    for case_id, at in sorted(created, key=lambda pair: pair[1]):
        if slices and at - SLICE_MARGIN <= slices[-1].end:
            slices[-1].end = at + SLICE_MARGIN
            slices[-1].case_ids.add(case_id)
        else:
            slices.append(Slice(at - SLICE_MARGIN, at + SLICE_MARGIN, {case_id}))
    return slices


class Sweep:
    """One pass over every slice with `unresolved: true`, resumable across rounds."""

    def __init__(self, slices: Iterable[Slice]) -> None:
        self._slices = deque(slices)

    @property
    def done(self) -> bool:
        return not self._slices

    def next_query(self) -> CaseQuery:
        current = self._slices[0]
        return CaseQuery(unresolved=True, startDate=current.start, endDate=current.end,
                         skip=current.skip, limit=PAGE_SIZE)

    def take(self, results: list[Case], has_more: bool) -> tuple[list[Case], set[str]]:
        """The tracked cases on this page, and (when the slice is finished) the tracked
        cases the slice never listed."""
        current = self._slices[0]
        mine = [case for case in results if case.id in current.case_ids]
        current.seen.update(case.id for case in mine)
        current.skip += PAGE_SIZE
        if has_more and current.seen != current.case_ids:
            return mine, set()
        self._slices.popleft()
        return mine, current.case_ids - current.seen


def search_for(case: Case, created: datetime) -> CaseQuery:
    """A case that left the unresolved list, looked up by its refId near its creation."""
    return CaseQuery(searchText=case.refId, startDate=created - SLICE_MARGIN,
                     endDate=created + SLICE_MARGIN, limit=PAGE_SIZE)
