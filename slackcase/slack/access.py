"""Who may create cases, and where: allowed channels, guests, other organisations
(Slack Connect), Slack user groups."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackcase.config import Settings
from slackcase.core.domain import Person
from slackcase.slack import messages
from slackcase.slack.people import SlackDirectory

log = logging.getLogger("slackcase.slack.access")

GROUP_TTL_SECONDS = 300.0


class Access:
    def __init__(self, client: WebClient, settings: Settings, directory: SlackDirectory,
                 ttl: float = GROUP_TTL_SECONDS) -> None:
        self._client = client
        self._settings = settings
        self._directory = directory
        self._ttl = ttl
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._home_ids: tuple[str | None, str | None] | None = None
        self._lock = threading.Lock()

    def channel_refusal(self, channel_id: str | None) -> messages.Message | None:
        """No I/O: fast enough to answer inside the ack itself."""
        allowed = self._settings.allowed_channels
        if allowed is None or (channel_id is not None and channel_id in allowed):
            return None
        return messages.not_allowed(allowed)

    def person_refusal(self, user_id: str) -> messages.Message | None:
        """Guests and user groups; may call Slack (cached), so call it after the ack."""
        person = self._directory.person(user_id)
        if not self._settings.allow_guests and person.is_guest:
            return messages.notice("Guests cannot create cases here. Ask a member of the "
                                   "workspace to file it for you.")
        if not self._settings.allow_external and self._is_external(person):
            return messages.notice("People from other organisations cannot create cases "
                                   "here. Ask someone in this workspace to file it for you.")
        groups = self._settings.allowed_usergroups
        if groups is None:
            return None
        try:
            if any(user_id in self._group(g) for g in sorted(groups)):
                return None
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.error("cannot read user groups (%s): add the usergroups:read scope", error)
            return messages.notice("slackcase cannot check who may create cases: an admin "
                                   "needs to add the usergroups:read scope and reinstall the app.")
        return messages.groups_only(groups)

    def _is_external(self, person: Person) -> bool:
        """From another organisation (Slack Connect): not of this workspace nor of its
        Enterprise Grid organisation (a sibling workspace's member is a colleague)."""
        if person.is_stranger:
            return True
        if not person.team_id:
            return False
        team, enterprise = self._home()
        if team is None or person.team_id == team:
            return False
        return not (enterprise and person.enterprise_id == enterprise)

    def _home(self) -> tuple[str | None, str | None]:
        """This workspace's team and Grid organisation, asked of Slack once."""
        with self._lock:
            if self._home_ids is not None:
                return self._home_ids
        try:
            answer = self._client.auth_test()
        except SlackApiError as exc:
            # Unknown for now: only users Slack marks as strangers are refused meanwhile.
            log.warning("auth.test failed (%s): cannot tell external users yet",
                        exc.response.get("error"))
            return None, None
        ids = (answer.get("team_id"), answer.get("enterprise_id") or None)
        with self._lock:
            self._home_ids = ids
        return ids

    def _group(self, group_id: str) -> frozenset[str]:
        with self._lock:
            hit = self._members.get(group_id)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        try:
            users = frozenset(self._client.usergroups_users_list(usergroup=group_id)["users"])
        except SlackApiError as exc:
            if exc.response.get("error") not in ("no_such_subteam", "subteam_not_found"):
                raise
            log.warning("user group %s does not exist (SLACKCASE_ALLOWED_USERGROUPS)", group_id)
            users = frozenset()
        with self._lock:
            self._members[group_id] = (time.monotonic(), users)
        return users
