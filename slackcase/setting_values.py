"""Parsing of the list-shaped settings: comma-separated pairs, and what they may hold."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

TEMPLATE_ID = re.compile(r"^ctm-[A-Za-z0-9][A-Za-z0-9-]*$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_EMOJI = re.compile(r"^[a-z0-9_+\-']{1,100}$")  # Slack's emoji names, without the colons


def pairs(raw: str, what: str) -> list[tuple[str, str]]:
    found = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"expected comma-separated {what} pairs, got {item!r}")
        found.append((key.strip(), value.strip()))
    return found


def emoji_name(raw: str) -> str:
    """`ticket` or `:ticket:` -> `ticket`, as reaction events name it."""
    name = raw.strip().strip(":").lower()
    if not _EMOJI.match(name):
        raise ValueError(f"must be an emoji name such as ticket, got {raw!r}")
    return name


def channel_templates(raw: str, known: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """CHANNEL_ID=ctm-id pairs; every template must be one of KORE_CASE_TEMPLATES (`known`;
    empty when that is unset, as with the sandbox's defaults: nothing to check then)."""
    templates = set(known)
    found = []
    for channel, template in pairs(raw, "CHANNEL_ID=ctm-id"):
        if not CHANNEL_ID.match(channel):
            raise ValueError(f"channel must be a channel id such as C0123ABC, got {channel!r}")
        if not TEMPLATE_ID.match(template):
            raise ValueError(f"template id must look like ctm-…, got {template!r}")
        if templates and template not in templates:
            raise ValueError(f"template {template} (for {channel}) is not one of "
                             "KORE_CASE_TEMPLATES")
        found.append((channel, template))
    return tuple(found)


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def visible(char: str) -> bool:
    """Whether a character shows: not a space, a control or a format character (such as a
    zero-width space), which a name pasted from elsewhere may be made of alone."""
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")


def id_set(v: Any, pattern: re.Pattern[str], what: str) -> Any:
    """A comma-separated list of Slack ids -> frozenset (None when empty)."""
    if not isinstance(v, str):
        return v
    ids = [i.strip() for i in v.split(",") if i.strip()]
    for one in ids:
        if not pattern.match(one):
            raise ValueError(f"must list {what}, got {one!r}")
    return frozenset(ids) if ids else None


def number(v: Any, kind: type) -> Any:
    if isinstance(v, str):
        try:
            return kind(v.strip())
        except ValueError:
            noun = "whole number" if kind is int else "number"
            raise ValueError(f"must be a {noun}, got {v!r}") from None
    return v
