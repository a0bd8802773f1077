"""The composition root: the one place where collaborators are built and wired together."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient

from slackcase.config import CaseTemplate, Settings
from slackcase.core.cases import LEASE_SECONDS, CaseService, RetryPolicy
from slackcase.core.edits import EditService
from slackcase.core.jobs import AfterAck, Jobs
from slackcase.core.ports import Store
from slackcase.core.reconcile import QUIET_TIMEOUTS
from slackcase.kore import KoreClient
from slackcase.kore.ratelimit import Bucket, RateLimiter
from slackcase.metrics import Metrics
from slackcase.slack.access import Access
from slackcase.slack.announce import SlackAnnouncer
from slackcase.slack.edit_announce import SlackEditAnnouncer
from slackcase.slack.listeners import register
from slackcase.slack.people import SlackDirectory
from slackcase.slack.poller import Poller
from slackcase.slack.retries import retry_handlers
from slackcase.slack.server import http_server
from slackcase.slack.services import Services
from slackcase.slack.threads import ThreadReader
from slackcase.store import open_store
from slackcase.store.budget import StoreBucket

if TYPE_CHECKING:  # the emulator is imported only where KORE_HOST=sandbox asks for it
    from slackcase.sandbox.kore_server import KoreSandbox

log = logging.getLogger("slackcase")

SWEEP_SECONDS = 3.0  # leases renewed, and due submissions picked up, this often


def slack_client(settings: Settings, stopping: threading.Event | None = None) -> WebClient:
    """A WebClient whose retries are slack_sdk's own (429 Retry-After, connection, 5xx;
    their waits end when `stopping` is set)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers(stopping or threading.Event()),
    )


def with_sandbox_defaults(settings: Settings) -> Settings:
    """KORE_HOST=sandbox needs no Kore.ai credentials: fill in the development pair."""
    if not settings.uses_sandbox:
        return settings
    from slackcase.sandbox import kore_server as dev

    update: dict = {}
    if not settings.kore_stream_id:
        update["kore_stream_id"] = dev.DEV_STREAM_ID
    if not settings.kore_client_id or not settings.kore_client_secret:
        update["kore_client_id"] = dev.DEV_CLIENT_ID
        update["kore_client_secret"] = SecretStr(dev.DEV_CLIENT_SECRET)
    if not settings.kore_account_id:
        update["kore_account_id"] = dev.DEV_ACCOUNT_ID
    if not settings.kore_case_templates:
        update["kore_case_templates"] = tuple(CaseTemplate(k, v)
                                              for k, v in dev.DEV_TEMPLATES.items())
    return settings.model_copy(update=update)


def kore_client(settings: Settings, host: str, *, bucket: Bucket | None = None,
                **kwargs: object) -> KoreClient:
    """`bucket`: where the budget is kept; the app's is the database's, shared by every
    replica (the default, in memory, is this process's alone)."""
    assert settings.kore_stream_id and settings.kore_client_id and settings.kore_client_secret
    return KoreClient(
        host=host,
        stream_id=settings.kore_stream_id,
        client_id=settings.kore_client_id,
        client_secret=settings.kore_client_secret,
        account_id=settings.kore_account_id,
        timeout=settings.kore_timeout_seconds,
        rate_limiter=RateLimiter(settings.kore_rate_limit_per_minute, bucket=bucket),
        **kwargs,  # type: ignore[arg-type]
    )


def start_sandbox(settings: Settings) -> KoreSandbox:
    from slackcase.sandbox import kore_server as dev

    assert settings.kore_client_secret
    sandbox = dev.KoreSandbox(
        stream_id=settings.kore_stream_id or dev.DEV_STREAM_ID,
        client_id=settings.kore_client_id or dev.DEV_CLIENT_ID,
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
    metrics: Metrics = field(default_factory=Metrics)
    sandbox: KoreSandbox | None = None
    sweep_seconds: float = SWEEP_SECONDS
    _started: bool = field(default=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    """Set first by stop(): the sweep ends, and Slack calls' retry waits end (slack_retries)."""

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        resumed = self.services.cases.sweep() + self.services.edits.sweep()
        if resumed:
            log.info("resuming %d unfinished submission(s)", resumed)
        self.poller.start()
        threading.Thread(target=self._sweep, name="slackcase-sweep", daemon=True).start()

    def http_server(self, host: str, port: int) -> Any:
        """The waitress server for `slackcase run --http` (not started)."""
        secret = self.services.settings.slack_signing_secret
        return http_server(self.bolt, self.health, host, port,
                           signing_secret=secret.get_secret_value() if secret else "",
                           metrics=self.metrics.render)

    def health(self) -> str | None:
        """Why the app cannot serve right now (for /healthz), or None when it can."""
        return self.services.store.problem()

    def _sweep(self) -> None:
        """Keep this process's leases alive, and take up what is due and free."""
        while not self._stopping.wait(self.sweep_seconds):
            try:
                self.services.store.renew_leases(LEASE_SECONDS)
                self.services.store.renew_edit_leases(LEASE_SECONDS)
                self.services.cases.sweep()
                self.services.edits.sweep()
            except Exception as exc:  # the database is away: try again next round
                log.warning("sweep: %s: %s", type(exc).__name__, exc)

    def stop(self) -> None:
        self._stopping.set()
        self.poller.stop()
        # Cases waiting for Kore.ai's rate limit would hold the stop for as long as the
        # limit makes them wait (minutes in a burst); they are made after the restart.
        self.services.cases.kore.refuse_new_calls()
        self.services.after_ack.close(wait=True)  # work after an ack finishes first
        self.services.jobs.close(wait=True)
        self.services.cases.kore.close()
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
    if kore is None and not settings.uses_sandbox:
        settings.require("KORE_HOST", "KORE_STREAM_ID", "KORE_CLIENT_ID",
                         "KORE_CLIENT_SECRET", "KORE_ACCOUNT_ID")
    store = store or open_store(settings.database, exclusive=True)
    metrics = Metrics()
    store.events = metrics
    sandbox = None
    if kore is None:
        # One budget for the deployment: every replica draws from the database's bucket.
        shared = {"bucket": StoreBucket(store), "observe": metrics.kore_call}
        if settings.uses_sandbox:
            sandbox = start_sandbox(settings)
            assert sandbox.url
            kore = kore_client(settings, sandbox.url, **shared)
        else:
            assert settings.kore_host
            kore = kore_client(settings, settings.kore_host, **shared)
    stopping = threading.Event()
    client = client or slack_client(settings, stopping)
    jobs = jobs or Jobs()
    directory = SlackDirectory(client, store)
    announcer = SlackAnnouncer(client, settings, directory)
    cases = CaseService(settings=settings, store=store, kore=kore, directory=directory,
                        announcer=announcer, jobs=jobs, retry=retry)
    services = Services(settings=settings, client=client, store=store, cases=cases,
                        directory=directory, announcer=announcer,
                        threads=ThreadReader(client, directory), jobs=jobs,
                        after_ack=AfterAck(),
                        access=Access(client, settings, directory),
                        edits=EditService(store=store, kore=kore, jobs=jobs, retry=retry,
                                          quiet_seconds=QUIET_TIMEOUTS
                                          * settings.kore_timeout_seconds,
                                          announcer=SlackEditAnnouncer(client, announcer)))
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
    limiter = kore.limiter
    metrics.watch(waiting=lambda: limiter.waiting, poller_rounds=lambda: poller.rounds)
    return Slackcase(bolt=bolt, services=services, poller=poller, metrics=metrics,
                     sandbox=sandbox, sweep_seconds=sweep_seconds, _stopping=stopping)
