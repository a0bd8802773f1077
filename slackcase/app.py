"""The composition root: the one place where collaborators are built and wired together."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient

from slackcase.access import Access
from slackcase.announce import SlackAnnouncer
from slackcase.cases import CaseService, RetryPolicy
from slackcase.config import CaseTemplate, Settings
from slackcase.jobs import AckGate, AfterAck, CardGate, Jobs
from slackcase.keepalive import KeepAliveWebClient
from slackcase.kore import KoreClient
from slackcase.kore.ratelimit import RateLimiter
from slackcase.listeners import register
from slackcase.people import SlackDirectory
from slackcase.poller import Poller
from slackcase.sandbox.kore_server import (
    DEV_ACCOUNT_ID,
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_STREAM_ID,
    DEV_TEMPLATES,
    KoreSandbox,
)
from slackcase.services import Services
from slackcase.slack_retries import retry_handlers
from slackcase.store import Store
from slackcase.threads import ThreadReader

log = logging.getLogger("slackcase")

SWEEP_SECONDS = 10.0


def slack_client(settings: Settings, stopping: threading.Event | None = None) -> WebClient:
    """A WebClient whose retries are slack_sdk's own (429 Retry-After, connection, 5xx;
    their waits end when `stopping` is set) and whose connections to Slack are kept alive
    between calls."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return KeepAliveWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers(stopping or threading.Event()),
    )


def with_sandbox_defaults(settings: Settings) -> Settings:
    """KORE_HOST=sandbox needs no Kore.ai credentials: fill in the development pair."""
    if not settings.uses_sandbox:
        return settings
    update: dict = {}
    if not settings.kore_stream_id:
        update["kore_stream_id"] = DEV_STREAM_ID
    if not settings.kore_client_id or not settings.kore_client_secret:
        update["kore_client_id"] = DEV_CLIENT_ID
        update["kore_client_secret"] = SecretStr(DEV_CLIENT_SECRET)
    if not settings.kore_account_id:
        update["kore_account_id"] = DEV_ACCOUNT_ID
    if not settings.kore_case_templates:
        update["kore_case_templates"] = tuple(CaseTemplate(k, v) for k, v in DEV_TEMPLATES.items())
    return settings.model_copy(update=update)


def kore_client(settings: Settings, host: str, **kwargs: object) -> KoreClient:
    assert settings.kore_stream_id and settings.kore_client_id and settings.kore_client_secret
    return KoreClient(
        host=host,
        stream_id=settings.kore_stream_id,
        client_id=settings.kore_client_id,
        client_secret=settings.kore_client_secret,
        account_id=settings.kore_account_id,
        timeout=settings.kore_timeout_seconds,
        rate_limiter=RateLimiter(settings.kore_rate_limit_per_minute),
        **kwargs,  # type: ignore[arg-type]
    )


def start_sandbox(settings: Settings) -> KoreSandbox:
    assert settings.kore_client_secret
    sandbox = KoreSandbox(
        stream_id=settings.kore_stream_id or DEV_STREAM_ID,
        client_id=settings.kore_client_id or DEV_CLIENT_ID,
        client_secret=settings.kore_client_secret.get_secret_value(),
        account_id=settings.kore_account_id,
        templates={t.id: t.name for t in settings.kore_case_templates},
    )
    sandbox.serve("127.0.0.1", 0)
    return sandbox


@dataclass
class Slackcase:
    """A built application: the Bolt app, its services and its background parts."""

    bolt: App
    services: Services
    poller: Poller
    sandbox: KoreSandbox | None = None
    sweep_seconds: float = SWEEP_SECONDS
    _started: bool = field(default=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    """Set first by stop(): the sweep ends, and Slack calls' retry waits end (slack_retries)."""

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.services.cases.resume()
        self.poller.start()
        threading.Thread(target=self._sweep, name="slackcase-sweep", daemon=True).start()

    def _sweep(self) -> None:
        while not self._stopping.wait(self.sweep_seconds):
            try:
                self.services.cases.sweep(older_than=self.sweep_seconds / 2)
            except Exception:
                log.exception("sweep failed")

    def stop(self) -> None:
        self._stopping.set()
        self.poller.stop()
        # Cases waiting for Kore.ai's rate limit would hold the stop for as long as the
        # limit makes them wait (minutes in a burst); they are made after the restart.
        self.services.cases.kore.refuse_new_calls()
        self.services.after_ack.close(wait=True)  # work after an ack finishes first
        self.services.jobs.close(wait=True)
        self.services.cases.kore.close()
        if isinstance(self.services.client, KeepAliveWebClient):
            self.services.client.close()
        if self.sandbox:
            self.sandbox.close()
        self.services.store.close()


def build_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    kore: KoreClient | None = None,
    store: Store | None = None,
    jobs: Jobs | None = None,
    retry: RetryPolicy | None = None,
    sweep_seconds: float = SWEEP_SECONDS,
) -> Slackcase:
    """`sweep_seconds`: how often unfinished submissions no job is working on are resumed."""
    settings = with_sandbox_defaults(settings)
    settings.require("KORE_CASE_TEMPLATES")
    sandbox = None
    if kore is None:
        if settings.uses_sandbox:
            sandbox = start_sandbox(settings)
            assert sandbox.url
            kore = kore_client(settings, sandbox.url)
        else:
            settings.require("KORE_HOST", "KORE_STREAM_ID", "KORE_CLIENT_ID",
                             "KORE_CLIENT_SECRET")
            assert settings.kore_host
            kore = kore_client(settings, settings.kore_host)
    stopping = threading.Event()
    client = client or slack_client(settings, stopping)
    store = store or Store(settings.database)
    acks = AckGate()
    jobs = jobs or Jobs(gate=acks)
    directory = SlackDirectory(client, store)
    announcer = SlackAnnouncer(client, settings, directory)
    cases = CaseService(settings=settings, store=store, kore=kore, directory=directory,
                        announcer=announcer, jobs=jobs, retry=retry,
                        cards=CardGate(acks=acks))
    services = Services(settings=settings, client=client, store=store, cases=cases,
                        directory=directory, announcer=announcer,
                        threads=ThreadReader(client, directory), jobs=jobs,
                        after_ack=AfterAck(gate=acks), acks=acks,
                        access=Access(client, settings, directory))
    signing = settings.slack_signing_secret.get_secret_value() \
        if settings.slack_signing_secret else ""
    bolt = App(
        client=client,
        signing_secret=signing,
        request_verification_enabled=bool(signing) or not settings.socket_mode,
        token_verification_enabled=False,
        # Listeners ack and hand the rest to services.after_ack, so the answer goes out when
        # they return; Bolt's other mode waits for an ack by polling every 10 ms.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        # Bolt copies the root level onto its loggers unless given a base logger; this one
        # carries the level setup_logging chose, so request bodies are not logged at INFO.
        logger=logging.getLogger("slack_bolt"),
    )
    register(bolt, services)
    poller = Poller(services, interval=settings.poll_seconds)
    return Slackcase(bolt=bolt, services=services, poller=poller, sandbox=sandbox,
                     sweep_seconds=sweep_seconds, _stopping=stopping)
