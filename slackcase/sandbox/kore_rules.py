"""What the Kore.ai emulator knows: its agents, statuses and fields, and its faults."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

AGENTS = (
    {"aId": "a-1001", "agentId": "u-1001", "name": "John Carter"},
    {"aId": "a-1002", "agentId": "u-1002", "name": "Priya Nair"},
    {"aId": "a-1003", "agentId": "u-1003", "name": "Mateo Silva"},
)
STATUSES = {
    "open": {"_id": "sts-open", "name": "Open", "statusCategory": "Open"},
    "in progress": {"_id": "sts-inprogress", "name": "In Progress",
                    "statusCategory": "In Progress"},
    "on hold": {"_id": "sts-onhold", "name": "On Hold", "statusCategory": "On Hold"},
    "resolved": {"_id": "sts-resolved", "name": "Resolved", "statusCategory": "Resolved"},
    "closed": {"_id": "sts-closed", "name": "Closed", "statusCategory": "Closed"},
}
PRIORITIES = {
    name.lower(): {"_id": f"pr-{name.lower()}", "name": name, "color": color, "score": score}
    for name, color, score in (("Low", "#8BC34A", 1), ("Medium", "#FFC107", 2),
                               ("High", "#FF5722", 3), ("Critical", "#B71C1C", 4))
}
CREATE_FIELDS = {"caseTmp", "name", "desc", "userInfo", "emailId", "phoneNumber", "source",
                 "dueDate"}
QUERY_FIELDS = {"searchText", "unresolved", "unassigned", "mycase", "priority", "status",
                "channel", "queues", "startDate", "endDate", "dueDate", "sortBy", "skip",
                "limit", "page", "name"}
UPDATE_FIELDS = {"caseTmp", "name", "desc", "tags", "fields", "status", "priority",
                 "participants", "queues", "assigneeType", "currAssignee", "commentIds",
                 "resolutionCmts", "attachments", "isActive", "dueDate", "ETA"}
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
PATH = re.compile(r"^/caseManagement/api/public/analytics/(?P<stream>[^/]+)/"
                  r"(?P<op>createCase|getCases|updateCase/(?P<case>[^/]+))$")


class SandboxError(Exception):
    def __init__(self, status: int, msg: str, code: int | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.msg = msg
        self.code = code or status


@dataclass
class Fault:
    """One injected misbehaviour. `times` < 0 means for ever."""

    op: str = "*"  # createCase, getCases, updateCase or *
    status: int | None = None  # answer this status instead of the real one
    retry_after: float | None = None  # with status 429
    delay: float = 0.0  # seconds before answering
    # with delay: the work is committed when the delay ends and the answer follows it, so a
    # client that timed out meanwhile finds nothing until then ("slow, commits late")
    commit: bool = False
    malformed: bool = False  # do the work, answer 200 with broken JSON
    message: str | None = None  # with status: the error's msg instead of the usual one
    times: int = 1
    message: str | None = None  # with status: the error message Kore.ai answers

    def matches(self, op: str) -> bool:
        return self.times != 0 and self.op in ("*", op)


@dataclass
class Received:
    op: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.time)


def status_error(fault: Fault) -> SandboxError:
    status = fault.status or 500
    error = SandboxError(status, fault.message or _fault_message(status))
    error.retry_after = fault.retry_after  # type: ignore[attr-defined]
    return error


def _fault_message(status: int) -> str:
    if status == 429:
        return ("You've exceeded the per-minute rate limit. "
                "Please wait for sometime before retrying.")
    if status >= 500:
        return "Internal server error"
    return "Request failed"


def query_date(body: dict[str, Any], name: str) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not ISO_MS.match(value):
        raise SandboxError(400, f"{name} must be ISO-8601 UTC with milliseconds")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
