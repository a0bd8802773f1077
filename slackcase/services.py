"""The collaborators listeners need, built once by the composition root (app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from slackcase.announce import SlackAnnouncer
from slackcase.cases import CaseService
from slackcase.config import Settings
from slackcase.jobs import Jobs
from slackcase.people import SlackDirectory
from slackcase.store import Store
from slackcase.threads import ThreadReader


@dataclass
class Services:
    settings: Settings
    client: WebClient
    store: Store
    cases: CaseService
    directory: SlackDirectory
    announcer: SlackAnnouncer
    threads: ThreadReader
    jobs: Jobs

    def allowed_here(self, channel_id: str | None) -> bool:
        allowed = self.settings.allowed_channels
        return allowed is None or (channel_id is not None and channel_id in allowed)
