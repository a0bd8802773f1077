"""View state -> CaseDraft, and private_metadata <-> ModalMetadata. Pure functions."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from slackcase.config import Settings
from slackcase.core.domain import CaseDraft, Origin
from slackcase.kore.models import EMAIL, PHONE
from slackcase.slack import ids

METADATA_LIMIT = 3000
TITLE_MAX = 250
INPUT_MAX = 3000


class ModalMetadata(BaseModel):
    """Ids only (Slack caps private_metadata at 3000 chars): where the modal came from."""

    model_config = ConfigDict(extra="ignore")

    src: str = "command"  # command | shortcut | home
    user: str = ""  # who opened it
    team: str | None = None
    ch: str | None = None
    th: str | None = None  # thread root ts
    mts: str | None = None  # the message the shortcut was used on
    ru: str | None = None  # response_url
    another: bool = False  # deliberately a second case for this thread
    sid: str | None = None  # a failed submission being corrected
    contact: bool = False  # the contact email/phone inputs are shown
    filled: bool = False  # the thread transcript has been put in
    dm: bool = False  # a DM or group DM: the bot can neither read nor post there

    def dump(self) -> str:
        text = self.model_dump_json(exclude_defaults=True)
        if len(text) > METADATA_LIMIT:  # never happens with ids, but never send a bad view
            text = self.model_copy(update={"ru": None}).model_dump_json(exclude_defaults=True)
        return text

    @classmethod
    def load(cls, raw: str | None) -> ModalMetadata:
        if not raw:
            return cls()
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            return cls()

    @classmethod
    def from_origin(cls, origin: Origin, *, sid: str | None = None,
                    another: bool = False) -> ModalMetadata:
        """Metadata for reopening the form of an earlier submission (its thread is known)."""
        return cls(src=origin.source, user=origin.user_id, team=origin.team_id,
                   ch=origin.channel_id, th=origin.thread_ts, mts=origin.message_ts,
                   ru=origin.response_url, another=another, sid=sid, filled=True,
                   dm=origin.direct)

    def origin(self, view_id: str | None, permalink: str | None = None) -> Origin:
        return Origin(source=self.src, user_id=self.user, team_id=self.team, channel_id=self.ch,
                      thread_ts=self.th, message_ts=self.mts, response_url=self.ru,
                      view_id=view_id, permalink=permalink, direct=self.dm)


class EditMetadata(BaseModel):
    """The Edit form's private_metadata: the case, and digests of the title and description
    it showed, so that only what the person changed is sent (the values themselves may not
    fit in the 3000 characters)."""

    model_config = ConfigDict(extra="ignore")

    sid: str = ""  # the submission whose case is edited
    td: str = ""  # digest of the title shown
    dd: str = ""  # digest of the description shown

    def dump(self) -> str:
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> EditMetadata:
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError:
            return cls()


def digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()[:16]


def parse_edit(values: dict[str, Any], meta: EditMetadata) -> tuple[dict[str, str], dict[str, str]]:
    """The Edit form -> ({"name"?, "desc"?}: what changed, {block_id: message})."""
    title = (_value(values, ids.BLOCK_TITLE, ids.ACTION_TITLE).get("value") or "").strip()
    description = (_value(values, ids.BLOCK_DESCRIPTION, ids.ACTION_DESCRIPTION).get("value")
                   or "").strip()
    errors: dict[str, str] = {}
    if not visible(title):
        errors[ids.BLOCK_TITLE] = "Give the case a title."
    elif len(title) > TITLE_MAX:
        errors[ids.BLOCK_TITLE] = f"Keep the title under {TITLE_MAX} characters."
    if not visible(description):
        errors[ids.BLOCK_DESCRIPTION] = "Give the case a description."
    if errors:
        return {}, errors
    changes = {}
    if digest(title) != meta.td:
        changes["name"] = title
    if digest(description) != meta.dd:
        changes["desc"] = description
    return changes, {}


# Letters Unicode files as letters or symbols that draw nothing (Hangul fillers, the blank
# Braille pattern): a title of them shows as empty as one of zero-width spaces.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Separators, controls, formats (zero-width spaces and joiners, bidi marks, soft hyphen),
# combining marks with nothing to combine with, unassigned and private code points.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})


def visible(text: str) -> bool:
    """Whether anything in text would be seen once posted."""
    return any(unicodedata.category(ch) not in _INVISIBLE and ch not in _BLANK_LETTERS
               for ch in text)


def default_due(now: datetime | None = None) -> datetime:
    """Three days ahead, on the hour: far enough to be sensible, always in the future."""
    now = now or datetime.now(UTC)
    return (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)


def _value(values: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return values.get(block, {}).get(action, {}) or {}


def parse_form(
    values: dict[str, Any],
    meta: ModalMetadata,
    settings: Settings,
    *,
    requester_has_email: bool | None = None,
    now: datetime | None = None,
) -> tuple[CaseDraft | None, dict[str, str]]:
    """Validate the modal. Returns (draft, {}) or (None, {block_id: message})."""
    now = now or datetime.now(UTC)
    errors: dict[str, str] = {}

    selected = _value(values, ids.BLOCK_TEMPLATE, ids.ACTION_TEMPLATE).get("selected_option")
    template_id = (selected or {}).get("value") or settings.default_template.id
    if settings.template(template_id) is None:
        errors[ids.BLOCK_TEMPLATE] = "Pick one of the listed case types."

    title = (_value(values, ids.BLOCK_TITLE, ids.ACTION_TITLE).get("value") or "").strip()
    if not visible(title):
        errors[ids.BLOCK_TITLE] = "Give the case a title."
    elif len(title) > TITLE_MAX:
        errors[ids.BLOCK_TITLE] = f"Keep the title under {TITLE_MAX} characters."

    description_block = ids.BLOCK_DESCRIPTION_THREAD if ids.BLOCK_DESCRIPTION_THREAD in values \
        else ids.BLOCK_DESCRIPTION
    description = (_value(values, description_block, ids.ACTION_DESCRIPTION).get("value")
                   or "").strip() or title

    raw_due = _value(values, ids.BLOCK_DUE, ids.ACTION_DUE).get("selected_date_time")
    due: datetime | None = None
    if raw_due in (None, ""):
        errors[ids.BLOCK_DUE] = "Pick a due date and time."
    else:
        try:
            due = datetime.fromtimestamp(int(raw_due), UTC)
        except (TypeError, ValueError, OverflowError):
            errors[ids.BLOCK_DUE] = "That is not a date and time."
        else:
            if due <= now + timedelta(minutes=1):
                errors[ids.BLOCK_DUE] = "The due date must be in the future."
            elif due > now + timedelta(days=3650):
                errors[ids.BLOCK_DUE] = "The due date is too far away."

    requester = _value(values, ids.BLOCK_REQUESTER, ids.ACTION_REQUESTER).get("selected_user") \
        or meta.user
    if not requester:
        errors[ids.BLOCK_REQUESTER] = "Pick who the case is for."

    email = (_value(values, ids.BLOCK_EMAIL, ids.ACTION_EMAIL).get("value") or "").strip() or None
    phone = (_value(values, ids.BLOCK_PHONE, ids.ACTION_PHONE).get("value") or "").strip() or None
    if email and not EMAIL.match(email):
        errors[ids.BLOCK_EMAIL] = "That does not look like an email address."
    if phone and not PHONE.match(phone):
        errors[ids.BLOCK_PHONE] = "Use digits, spaces and an optional leading +."
    contact_shown = ids.BLOCK_EMAIL in values or meta.contact
    if contact_shown and requester_has_email is False and not (email or phone) \
            and ids.BLOCK_EMAIL not in errors:
        errors[ids.BLOCK_EMAIL] = "Their Slack profile has no email: give an email or a phone."

    if errors or due is None:
        return None, errors
    return CaseDraft(template_id=template_id, title=title, description=description[:10000],
                     due=due, requester_id=requester, contact_email=email,
                     contact_phone=phone), {}
