"""The /case happy path over Socket Mode, against a loopback websocket fake of Slack."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from slackcase.app import build_app
from slackcase.config import load_settings
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.kore_server import KoreSandbox
from slackcase.sandbox.slack_driver import SlackDriver
from slackcase.sandbox.socket_slack import SocketSlack
from slackcase.slack.socket_mode import SlackSocketHandler, SteadySocketModeClient
from tests.harness import FAST_RETRY, wait_for

APP_TOKEN = "xapp-1-test-app-token"


@contextlib.contextmanager
def socket_app(tmp_path) -> Iterator[tuple[FakeSlack, SocketSlack, KoreSandbox]]:
    """The app over Socket Mode against the fake Slack, its websocket end and the sandbox."""
    fake = FakeSlack(bot_token="xoxb-sock", app_token=APP_TOKEN)
    fake.serve()
    fake.add_user("UALICE", "Alice Example", email="alice@example.com")
    fake.add_channel("CGENERAL", "general")
    sockets = SocketSlack()
    fake.socket_url = sockets.url
    kore = KoreSandbox(client_secret="socket-mode-kore-secret-0123456789",
                       account_id="acct-sock")
    kore.serve()
    settings = load_settings({
        "SLACK_BOT_TOKEN": "xoxb-sock", "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url, "KORE_HOST": kore.url, "KORE_STREAM_ID": kore.stream_id,
        "KORE_CLIENT_ID": kore.client_id, "KORE_ACCOUNT_ID": "acct-sock",
        "KORE_CLIENT_SECRET": "socket-mode-kore-secret-0123456789",
        "KORE_CASE_TEMPLATES": "ctm-general=General",
        "SLACKCASE_DATABASE": str(tmp_path / "s.db"),
    })
    app = build_app(settings, retry=FAST_RETRY)
    app.start()
    handler = SlackSocketHandler(app.bolt, APP_TOKEN, client=app.services.client)
    handler.connect()
    try:
        wait_for(lambda: sockets.connections, what="socket connection")
        yield fake, sockets, kore
    finally:
        handler.close()
        app.stop()
        sockets.close()
        fake.close()
        kore.close()


def case_form_opened(fake: FakeSlack, sockets: SocketSlack, text: str,
                     ack_within: float = 5.0) -> dict:
    """Send /case as an envelope; the form the app opens for it."""
    before = set(fake.views)
    ack = sockets.send("slash_commands", {
        "command": "/case", "text": text, "user_id": "UALICE",
        "channel_id": "CGENERAL", "team_id": "T0FAKE", "trigger_id": fake.new_trigger(),
        "response_url": fake.new_response_url()}, timeout=ack_within)
    assert ack["envelope_id"]
    return wait_for(lambda: next((v for key, v in fake.views.items() if key not in before
                                  and v.get("callback_id") == "case_form"), None),
                    what="form")


def test_case_over_socket_mode(tmp_path):
    with socket_app(tmp_path) as (fake, sockets, kore):
        driver = SlackDriver("http://unused", "unused", fake)
        form = case_form_opened(fake, sockets, "socket printer")
        payload = {"type": "view_submission", "team": {"id": "T0FAKE"},
                   "user": {"id": "UALICE"}, "trigger_id": fake.new_trigger(),
                   "view": {**form, "state": driver.state_for(form, {})}}
        ack = sockets.send("interactive", payload)
        assert ack["payload"]["response_action"] == "update"
        wait_for(lambda: kore.cases, what="case")
        post = wait_for(lambda: fake.posts("CGENERAL"), what="confirmation")[0]
        assert "CS000101" in post["text"]


def test_a_disconnect_from_slack_reconnects_and_envelopes_keep_coming(tmp_path):
    """Slack sends `disconnect` (refresh_requested) every few hours: the app opens a new
    connection and acks what arrives on it at once (slack_sdk took up to 3 s, reading
    nothing from the new connection until a read on the old one had timed out)."""
    with socket_app(tmp_path) as (fake, sockets, _kore):
        case_form_opened(fake, sockets, "before the refresh")
        sockets.disconnect()
        wait_for(lambda: sockets.connections >= 2, what="a new connection")
        form = case_form_opened(fake, sockets, "after the refresh", ack_within=1.0)
        assert form["callback_id"] == "case_form"
        assert fake.count("apps.connections.open") >= 2


def nagle_off(handler: SlackSocketHandler) -> bool:
    sock = handler.client.current_session.sock
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_acks_leave_at_once_on_every_connection():
    """Nagle's algorithm is off on the websocket, after a reconnect too, so a small ack is
    not held back until Slack acknowledges the previous one."""
    fake = FakeSlack(bot_token="xoxb-sock", app_token=APP_TOKEN)
    fake.serve()
    sockets = SocketSlack()
    fake.socket_url = sockets.url
    bolt = App(client=WebClient(token="xoxb-sock", base_url=fake.api_url), signing_secret="",
               request_verification_enabled=False, token_verification_enabled=False)
    handler = SlackSocketHandler(bolt, APP_TOKEN, client=bolt.client)
    handler.connect()
    try:
        wait_for(lambda: sockets.connections, what="socket connection")
        assert nagle_off(handler)
        handler.client.connect()  # what a reconnect does: a new session
        wait_for(lambda: sockets.connections >= 2, what="second connection")
        assert nagle_off(handler)
    finally:
        handler.close()
        sockets.close()
        fake.close()



class RacingClient(SteadySocketModeClient):
    """Holds its receiving thread at slack_sdk's race point, once: the session found
    active, its run not yet begun, until close() has marked the state terminated and
    closed the socket. Then it does what slack_sdk's next lines do: mark the state live
    and run on the session."""

    def __init__(self, **kwargs: Any) -> None:
        self.hold_next_run = threading.Event()
        self.holding = threading.Event()
        super().__init__(**kwargs)

    def _run_current_session(self) -> None:
        session = self.current_session
        if self.hold_next_run.is_set() and session is not None and session.is_active():
            self.hold_next_run.clear()
            self.holding.set()
            while not self.closed:
                time.sleep(0.001)
            time.sleep(0.05)  # close() has marked the state terminated and disconnected
            self.current_session_state.terminated = False
            session.run_until_completion(self.current_session_state)
            return
        super()._run_current_session()


def test_close_ends_even_when_the_receiving_thread_revives_the_session():
    """slack_sdk's close() marks the session terminated and waits for the receiving thread;
    a thread just starting a run marks it live again and loops on the closed socket, and
    slack_sdk's close() waited forever (it held CI until its time limit)."""
    fake = FakeSlack(bot_token="xoxb-sock", app_token=APP_TOKEN)
    fake.serve()
    sockets = SocketSlack()
    fake.socket_url = sockets.url
    client = RacingClient(app_token=APP_TOKEN,
                          web_client=WebClient(token="xoxb-sock", base_url=fake.api_url))
    client.connect()
    try:
        wait_for(lambda: sockets.connections, what="socket connection")
        client.hold_next_run.set()
        client.current_session_state.terminated = True  # ends this run; the next is held
        assert client.holding.wait(timeout=5), "the receiving thread never started a new run"
        closer = threading.Thread(target=client.close, daemon=True)
        closer.start()
        closer.join(timeout=4)
        assert not closer.is_alive(), "close() still waiting after 4 s"
        assert not client.current_session_runner.is_alive()
    finally:
        sockets.close()
        fake.close()
