"""Looking for a case whose createCase answer was lost, before anything is sent again.

Kore.ai may commit a createCase seconds after slackcase stopped waiting for its answer: a
getCases right after the timeout finds nothing, and a second createCase then makes a second
case. So a lost createCase is looked for again, with growing gaps, for a quiet period of
QUIET_TIMEOUTS times KORE_TIMEOUT_SECONDS after it was sent; only after that may it be sent
again. Looks that fail (getCases failing too) are counted by the caller, and bounded.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slackcase.config import Settings
from slackcase.core.domain import State, Submission
from slackcase.core.ports import Store
from slackcase.kore import Case, CaseQuery, KoreClient, KoreError, KoreNoAnswer

log = logging.getLogger("slackcase.core.cases")

QUIET_TIMEOUTS = 5  # x KORE_TIMEOUT_SECONDS: 50 s at the default 10 s, well past a late commit
ROUND = "_reconcile"  # the steps entry that keeps the current round of looks across restarts
DUPLICATES = "duplicates"  # the steps entry listing the refIds of cases a late commit made
UNCONFIRMED = "unconfirmed"  # error_kind: given up looking; the case may exist


@dataclass
class Round:
    """The looks made for one createCase whose outcome is unknown."""

    looks: int = 0
    failures: int = 0
    told: bool = False  # the person has been told their case is being confirmed

    @classmethod
    def of(cls, sub: Submission) -> Round:
        kept = sub.steps.get(ROUND)
        return cls(**kept) if isinstance(kept, dict) else cls()

    def dump(self) -> dict[str, Any]:
        return asdict(self)

    def gap(self, timeout: float) -> float:
        """Seconds until the next look: half a timeout, doubling at each look."""
        return timeout / 2 * 2 ** max(self.looks - 1, 0)


def quiet_until(sub: Submission, timeout: float) -> float:
    """When a createCase sent for `sub` can no longer be committed late. One that got an
    answer (a 5xx, a garbled 200) was settled when answered: one look is enough."""
    unanswered = sub.state is State.SENT or sub.error_kind == KoreNoAnswer.__name__
    return (sub.sent_at or sub.updated_at) + QUIET_TIMEOUTS * timeout if unanswered else 0.0


def find_cases(kore: KoreClient, store: Store, settings: Settings, sub: Submission,
               now: float) -> list[Case]:
    """The cases a lost createCase may have made (same title, requester, template), oldest
    first. Raises KoreError when getCases fails."""
    sent = sub.sent_at or sub.created_at
    query = CaseQuery(
        searchText=sub.draft.title[:100],
        startDate=datetime.fromtimestamp(sub.created_at, UTC) - timedelta(minutes=5),
        endDate=datetime.fromtimestamp(max(now, sent), UTC) + timedelta(minutes=5),
        limit=50,
    )
    email = (sub.request or {}).get("emailId")
    template = settings.template(sub.draft.template_id)
    found: list[Case] = []
    for page in range(5):
        result = kore.get_cases(query.model_copy(update={"skip": page * 50}))
        for case in result.results:
            if case.name != sub.draft.title:
                continue
            if email and case.userInfo and case.userInfo.emailId and \
                    case.userInfo.emailId.lower() != email.lower():
                continue
            if template and case.caseTmp not in (None, template.name, template.id):
                continue
            owner = store.by_case_id(case.id)
            if owner and owner.id != sub.id:
                continue  # that one belongs to another submission
            found.append(case)
        if not result.hasMore:
            break
    return sorted(found, key=lambda case: case.createdAt.timestamp() if case.createdAt
                  else float("inf"))


def late_duplicates(kore: KoreClient, store: Store, settings: Settings, sub: Submission,
                    case: Case, now: float) -> list[Case]:
    """Cases other than `case` that an earlier, lost createCase for `sub` made after all."""
    try:
        found = find_cases(kore, store, settings, sub, now)
    except KoreError as exc:
        log.info("submission %s: could not look for a late duplicate: %s", sub.id, exc)
        return []
    return [other for other in found if other.id != case.id]


def confirming_note(timeout: float) -> str:
    return ("Kore.ai was slow to answer, so your case is being confirmed before anything is "
            f"sent again (up to {math.ceil(QUIET_TIMEOUTS * timeout)} seconds). You can "
            "close this: you will be told the result.")


def unconfirmed_message(reason: str, sub_id: str) -> str:
    return (f"{reason} slackcase could not check whether the case was created, so it may "
            f"exist in Kore.ai already. Reference `{sub_id}`: an admin can resume it with "
            f"`slackcase retry {sub_id}` (it looks for the case again before sending "
            "anything).")
