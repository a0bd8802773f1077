"""The collaborators listeners need, built once by the composition root (app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from slackcase.config import Settings
from slackcase.core.cases import CaseService
from slackcase.core.edits import EditService
from slackcase.core.jobs import AfterAck, Jobs
from slackcase.core.ports import Store
from slackcase.slack.access import Access
from slackcase.slack.announce import SlackAnnouncer
from slackcase.slack.people import SlackDirectory
from slackcase.slack.threads import ThreadReader


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
    access: Access
    after_ack: AfterAck
    edits: EditService
