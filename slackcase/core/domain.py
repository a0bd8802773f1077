"""Plain types shared by the core, the store and the Slack side. No I/O, no Slack SDK."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from slackcase.kore.models import Case, CreateCaseRequest, UserInfo


class State(StrEnum):
    ACCEPTED = "accepted"  # recorded; Kore.ai not (knowingly) called yet
    SENT = "sent"  # a createCase is in flight: its outcome is unknown until answered
    CREATED = "created"  # Kore.ai has the case; Slack not yet told everything
    ANNOUNCED = "announced"  # done
    FAILED = "failed"  # given up; reason kept, retryable by the user or an operator


UNFINISHED = (State.ACCEPTED, State.SENT, State.CREATED)


def new_submission_id() -> str:
    return "sc-" + secrets.token_hex(5)


class Person(BaseModel):
    """Someone in the workspace, as far as a case needs to know them."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    locale: str | None = None
    is_guest: bool = False
    is_bot: bool = False
    # Who they belong to: a Slack Connect user's team (and Grid organisation) is not ours.
    team_id: str | None = None
    enterprise_id: str | None = None
    is_stranger: bool = False
    deleted: bool = False

    @property
    def language(self) -> str:
        return (self.locale or "en").split("-")[0].lower() or "en"


class CaseDraft(BaseModel):
    """What the person asked for: the modal's values, validated."""

    template_id: str
    title: str = Field(min_length=1, max_length=250)
    description: str = Field(min_length=1, max_length=10000)
    due: datetime
    requester_id: str
    contact_email: str | None = None
    contact_phone: str | None = None


class Origin(BaseModel):
    """Where the request came from and where answers go (ids only)."""

    source: str  # "command", "shortcut" or "home"
    user_id: str  # who filed it
    team_id: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None  # root of the thread the case belongs to
    message_ts: str | None = None
    response_url: str | None = None
    view_id: str | None = None
    permalink: str | None = None
    direct: bool = False  # a DM or group DM: no /invite advice there

    @property
    def thread_key(self) -> str | None:
        if self.channel_id and self.thread_ts:
            return f"{self.channel_id}:{self.thread_ts}"
        return None


class Submission(BaseModel):
    """One press of Submit, as the store keeps it."""

    id: str
    state: State
    draft: CaseDraft
    origin: Origin
    request: dict[str, Any] | None = None
    case: Case | None = None
    uncertain: bool = False
    attempts: int = 0
    error: str | None = None
    error_kind: str | None = None
    steps: dict[str, Any] = Field(default_factory=dict)  # announcement step -> its result
    outbox: list[dict[str, Any]] = Field(default_factory=list)  # notices owed: id, kind, ...
    created_at: float
    updated_at: float
    sent_at: float | None = None
    allow_another: bool = False
    snapshot: dict[str, Any] | None = None
    due_at: float | None = None  # when the next attempt is due (None: now)
    faults: int = 0  # attempts that ended in an error outside Kore.ai's

    @property
    def card_link(self) -> str | None:
        """The permalink of the confirmation card, once known."""
        card = self.steps.get("card")
        legacy = card.get("permalink") if isinstance(card, dict) else None  # before "link"
        return self.steps.get("link") or legacy

    @property
    def done(self) -> bool:
        return self.state is State.ANNOUNCED


class EditState(StrEnum):
    ACCEPTED = "accepted"  # recorded; updateCase not (knowingly) sent yet
    SENT = "sent"  # an updateCase is in flight: its outcome is unknown until answered
    APPLIED = "applied"  # Kore.ai has the change; Slack not yet told
    DONE = "done"
    FAILED = "failed"  # Kore.ai refused it, or it could not be confirmed; the person is told


class CaseEdit(BaseModel):
    """A change to a filed case asked for in Slack: a submitted Edit form ("edit": a new
    `name` and/or `desc`) or a later message added to it ("add": text to `append` to the
    description). Recorded before updateCase is sent, as a submission is."""

    id: str
    idem_key: str  # one per view submission, or per case and message added
    kind: str
    submission_id: str
    case_id: str  # the case's _id, ci-…: updateCase's path parameter
    ref_id: str
    user_id: str  # who asked
    changes: dict[str, str]
    tell: dict[str, Any] = Field(default_factory=dict)  # where the outcome goes (ids only)
    state: EditState = EditState.ACCEPTED
    attempts: int = 0
    uncertain: bool = False  # an updateCase may have reached Kore.ai: look before resending
    error: str | None = None
    sent_at: float | None = None  # when the last updateCase was sent
    created_at: float = 0.0
    updated_at: float = 0.0


EDIT_UNFINISHED = (EditState.ACCEPTED, EditState.SENT, EditState.APPLIED)


def new_edit_id() -> str:
    return "ed-" + secrets.token_hex(5)


def snapshot_of(case: Case) -> dict[str, Any]:
    """The parts of a case whose change people hear about."""
    return {
        "status": case.status.name,
        "closed": case.status.is_closed,
        "assignee": case.assignee_name,
        "assignee_id": (case.currAssignee.aId or case.currAssignee.agentId)
        if case.currAssignee else None,
        "priority": case.priority.name,
    }


def phone_digits(phone: str) -> str:
    keep = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return keep or phone


class MissingContact(Exception):
    """Kore.ai needs an email or phone and the requester has neither."""


def case_request(draft: CaseDraft, person: Person, source: str) -> CreateCaseRequest:
    """The createCase body for a draft: the requester's real name, and a way to reach them
    (the form's contact first, then their Slack profile's)."""
    email = draft.contact_email or person.email
    phone = draft.contact_phone or (person.phone if not email else None)
    if not email and not phone:
        raise MissingContact
    return CreateCaseRequest(
        caseTmp=draft.template_id,
        name=draft.title,
        desc=draft.description,
        userInfo=UserInfo(name=person.name),
        emailId=email,
        phoneNumber=phone_digits(phone) if phone else None,
        source=source,
        dueDate=draft.due,
    )
