"""Slack users -> Person (name, email, phone, locale), cached in memory and in the store."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackcase.core.domain import Person
from slackcase.core.ports import Store, StoreUnavailable

log = logging.getLogger("slackcase.slack.people")

TTL_SECONDS = 3600.0
PREFETCH_CONCURRENCY = 8  # users.info is Tier 4 (100+ a minute); retries honour 429s


class SlackDirectory:
    def __init__(self, client: WebClient, store: Store, ttl: float = TTL_SECONDS) -> None:
        self._client = client
        self._store = store
        self._ttl = ttl
        self._memory: dict[str, tuple[float, Person]] = {}
        self._emails: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def cached(self, user_id: str) -> Person | None:
        """What is known without calling Slack (fast enough for a 3-second window)."""
        with self._lock:
            hit = self._memory.get(user_id)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        try:
            data = self._store.cached_person(user_id, self._ttl)
        except StoreUnavailable:  # a cache: Slack knows the person too
            data = None
        if data:
            person = Person.model_validate(data)
            with self._lock:
                self._memory[user_id] = (time.monotonic(), person)
            return person
        return None

    def person(self, user_id: str) -> Person:
        known = self.cached(user_id)
        if known:
            return known
        try:
            response = self._client.users_info(user=user_id, include_locale=True)
            person = person_from(response["user"])
        except SlackApiError as exc:
            log.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
            return Person(id=user_id, name=user_id)
        try:
            self._store.cache_person(user_id, person.model_dump())
        except StoreUnavailable as exc:
            log.warning("person %s not cached: %s", user_id, exc)
        with self._lock:
            self._memory[user_id] = (time.monotonic(), person)
        return person

    def by_email(self, email: str) -> str | None:
        """The Slack user with this email (users.lookupByEmail), misses cached too."""
        key = email.lower()
        with self._lock:
            hit = self._emails.get(key)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        try:
            user_id: str | None = self._client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") != "users_not_found":
                log.warning("users.lookupByEmail failed: %s", exc.response.get("error"))
            user_id = None
        with self._lock:
            self._emails[key] = (time.monotonic(), user_id)
        return user_id

    def name(self, user_id: str) -> str:
        return self.person(user_id).name

    def prefetch(self, user_ids: Iterable[str]) -> None:
        """Look up the people not cached yet, a few at a time rather than one by one
        (a long thread has dozens of authors; in turn, 50 ms each adds up to seconds)."""
        missing = sorted({u for u in user_ids if u and self.cached(u) is None})
        if len(missing) < 2:
            return
        with ThreadPoolExecutor(min(PREFETCH_CONCURRENCY, len(missing)),
                                thread_name_prefix="slackcase-people") as pool:
            list(pool.map(self.person, missing))


def person_from(user: dict[str, Any]) -> Person:
    profile = user.get("profile") or {}
    # The name Kore.ai files the case under: the person's real name, as their colleagues
    # would search for it, before the display name (often a nickname) and the handle.
    candidates = (user.get("real_name"), profile.get("real_name"), profile.get("display_name"),
                  user.get("name"), user.get("id"))
    name = next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), "someone")
    return Person(
        id=user["id"],
        name=name,
        email=profile.get("email") or None,
        phone=(profile.get("phone") or "").strip() or None,
        locale=user.get("locale"),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
        team_id=user.get("team_id"),
        enterprise_id=(user.get("enterprise_user") or {}).get("enterprise_id"),
        is_stranger=bool(user.get("is_stranger")),
    )
