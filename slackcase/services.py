"""The collaborators listeners need, built once by the composition root (app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from slackcase.access import Access
from slackcase.announce import SlackAnnouncer
from slackcase.cases import CaseService
from slackcase.config import Settings
from slackcase.jobs import AckGate, AfterAck, Jobs
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
    access: Access
    after_ack: AfterAck
    acks: AckGate
