"""Typed shapes of Kore.ai's case API: strict for what we send, lenient for what we read."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{5,24}$")


def iso_ms(value: datetime) -> str:
    """Kore.ai's date format: ISO-8601 UTC with milliseconds, e.g. 2026-09-04T14:15:00.000Z."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_when(value: Any) -> datetime | None:
    """Read a Kore.ai time: ISO string or epoch milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"not a time: {value!r}")


# ---- what we send -------------------------------------------------------------------
class UserInfo(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, alias="_id")
    name: str | None = None


class CreateCaseRequest(BaseModel):
    """Body of POST createCase. emailId/phoneNumber are needed only without userInfo._id."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    caseTmp: str = Field(pattern=r"^ctm-[A-Za-z0-9][A-Za-z0-9-]*$")
    name: str = Field(min_length=1, max_length=250)
    desc: str = Field(min_length=1, max_length=10000)
    userInfo: UserInfo
    emailId: str | None = None
    phoneNumber: str | None = None
    source: str = Field(min_length=1)
    dueDate: datetime

    @field_validator("emailId")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not EMAIL.match(v):
            raise ValueError("emailId is not an email address")
        return v

    @field_validator("phoneNumber")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is not None and not PHONE.match(v):
            raise ValueError("phoneNumber is not a phone number")
        return v

    @model_validator(mode="after")
    def _someone_to_reach(self) -> CreateCaseRequest:
        if not self.userInfo.id and not (self.emailId or self.phoneNumber):
            raise ValueError("emailId or phoneNumber is required when userInfo._id is absent")
        return self

    @field_serializer("dueDate")
    def _due(self, value: datetime) -> str:
        return iso_ms(value)

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class CaseQuery(BaseModel):
    """Body of POST getCases. Only documented filters; paging as getTasks does it."""

    searchText: str | None = None
    unresolved: bool | None = None
    startDate: datetime | None = None
    endDate: datetime | None = None
    skip: int = 0
    limit: int = 50

    @field_serializer("startDate", "endDate")
    def _dates(self, value: datetime | None) -> str | None:
        return iso_ms(value) if value else None

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, mode="json")


# ---- what we read --------------------------------------------------------------------
class _Lenient(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class Status(_Lenient):
    id: str | None = Field(None, alias="_id")
    name: str = "Open"
    statusCategory: str | None = None

    @property
    def is_closed(self) -> bool:
        words = {self.name.lower(), (self.statusCategory or "").lower()}
        return bool(words & {"resolved", "closed"})


class Priority(_Lenient):
    id: str | None = Field(None, alias="_id")
    name: str = "Medium"


class Assignee(_Lenient):
    aId: str | None = None
    agentId: str | None = None
    name: str | None = None
    # Not in the documented shape; used to find the agent in Slack when Kore.ai sends it.
    emailId: str | None = Field(None, validation_alias=AliasChoices("emailId", "email"))


class CaseUser(_Lenient):
    id: str | None = Field(None, alias="_id")
    name: str | None = None
    emailId: str | None = None


def _named(value: Any, cls: type[BaseModel]) -> Any:
    if isinstance(value, str):
        return {"name": value}
    return value


class Case(_Lenient):
    id: str = Field(alias="_id")
    refId: str
    name: str = ""
    desc: str | None = None
    caseTmp: str | None = None
    status: Status = Field(default_factory=Status)
    priority: Priority = Field(default_factory=Priority)
    currAssignee: Assignee | None = None
    assigneeType: str | None = None
    userInfo: CaseUser | None = None
    dueDate: datetime | None = None
    ETA: datetime | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return Status() if v is None else _named(v, Status)

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, v: Any) -> Any:
        return Priority() if v is None else _named(v, Priority)

    @field_validator("currAssignee", mode="before")
    @classmethod
    def _assignee(cls, v: Any) -> Any:
        if isinstance(v, str):
            return {"name": v}
        return v or None

    @field_validator("dueDate", "ETA", "createdAt", "updatedAt", mode="before")
    @classmethod
    def _when(cls, v: Any) -> Any:
        return parse_when(v)

    @property
    def assignee_name(self) -> str | None:
        return self.currAssignee.name if self.currAssignee and self.currAssignee.name else None

    @property
    def due(self) -> datetime | None:
        return self.dueDate or self.ETA


class CasePage(_Lenient):
    results: list[Case] = Field(default_factory=list)
    page: int | None = None
    limit: int | None = None
    hasMore: bool = False
    totalPages: int | None = None
    totalResults: int | None = None
