"""Fill the Kore.ai sandbox with other people's cases, as a busy account holds them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from slackcase.kore.models import iso_ms
from slackcase.sandbox.kore_server import AGENTS, PRIORITIES, STATUSES, KoreSandbox


def seed_cases(sandbox: KoreSandbox, count: int, *, start: datetime, end: datetime,
               status: str = "open", template: str = "ctm-general") -> list[str]:
    """Insert `count` cases with createdAt spread evenly from `start` to `end` (as
    createCase would have stored them); returns their ids."""
    step = (end - start) / max(count - 1, 1)
    ids = []
    with sandbox._lock:
        for index in range(count):
            created = start + step * index
            ref = f"CS{next(sandbox._ref):06d}"
            agent = AGENTS[index % len(AGENTS)]
            due = created + timedelta(days=3)
            case = {
                "_id": "ci-" + uuid.uuid4().hex, "refId": ref,
                "accountId": sandbox.account_id, "iId": sandbox.stream_id,
                "orgId": "o-sandbox", "caseTmp": sandbox.templates.get(template, "General"),
                "caseTmpId": template, "name": f"Other case {index}",
                "lname": f"other case {index}", "desc": "seeded", "tags": [],
                "userInfo": {"_id": f"u-seed-{index}", "name": "Someone", "emailId": None},
                "participants": [dict(agent, pStatus="active", assignedAt=iso_ms(created))],
                "assigneeType": "agent", "currAssignee": dict(agent),
                "status": dict(STATUSES[status.lower()]),
                "priority": dict(PRIORITIES["medium"]), "source": "email", "language": "en",
                "conversationType": "CASE", "isActive": True, "createdAt": iso_ms(created),
                "updatedAt": iso_ms(created), "dueDate": iso_ms(due), "ETA": iso_ms(due),
            }
            sandbox.cases[case["_id"]] = case
            ids.append(case["_id"])
    return ids
