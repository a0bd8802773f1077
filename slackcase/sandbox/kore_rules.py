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


CASE_ID = re.compile(r"^ci-[A-Za-z0-9-]+$")
# updateCase's documented fields and the JSON type each must have (dueDate is epoch ms).
UPDATE_TYPES: dict[str, type | tuple[type, ...]] = {
    "caseTmp": str, "name": str, "desc": str, "tags": list, "fields": list,
    "status": (dict, str), "priority": (dict, str), "participants": list, "queues": list,
    "assigneeType": str, "currAssignee": (dict, type(None)), "commentIds": list,
    "resolutionCmts": list, "attachments": list, "isActive": bool, "dueDate": int,
    "ETA": str,
}


def checked_update(case_id: str, body: dict[str, Any]) -> str:
    """An updateCase request as strictly as Kore.ai's documentation reads: the path holds
    the case's _id (ci-…, not its refId), fields are the documented ones, each of its type,
    and a name or desc is not blank. Returns the case id."""
    if not CASE_ID.match(case_id):
        raise SandboxError(400, f"caseId must be the case's _id (ci-…), got {case_id!r}")
    if not body:
        raise SandboxError(400, "nothing to update")
    unknown = set(body) - UPDATE_FIELDS
    if unknown:
        raise SandboxError(400, f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in body.items():
        kind = UPDATE_TYPES[name]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise SandboxError(400, f"{name} has the wrong type")
    for name, limit in (("name", 250), ("desc", 10000)):
        if name in body and not (body[name].strip() and len(body[name]) <= limit):
            raise SandboxError(400, f"{name} must be 1 to {limit} characters")
    if "ETA" in body and not ISO_MS.match(body["ETA"]):
        raise SandboxError(400, "ETA must be ISO-8601 UTC with milliseconds")
    return case_id
