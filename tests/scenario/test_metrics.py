"""GET /metrics: what an operator watches, in Prometheus text format, over HTTP on the
app's own port and over Socket Mode on a port the operator chooses."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families

from slackcase.core.domain import CaseDraft, Origin, State
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.kore_server import KoreSandbox
from slackcase.sandbox.loopback import isolated_environment
from slackcase.sandbox.socket_slack import SocketSlack
from slackcase.store import open_store
from tests.harness import make_world, submit_case, wait_for


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(url, timeout=5, trust_env=False)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def test_metrics_count_submissions_kore_calls_and_poller_rounds_over_http(world):
    submit_case(world, text="printer on fire")
    world.announced(1)
    world.kore.inject(op="createCase", status=400, times=1)
    submit_case(world, text="refused by Kore.ai")
    wait_for(lambda: world.app.services.store.in_state(State.FAILED), what="the refusal")
    world.app.poller.poll_once()
    figures = scrape(world.url + "/metrics")
    assert figures[("slackcase_submissions_ended_total", (("state", "announced"),))] == 1
    assert figures[("slackcase_submissions_ended_total", (("state", "failed"),))] == 1
    calls = (("endpoint", "createCase"), ("outcome", "ok"))
    assert figures[("slackcase_kore_calls_total", calls)] == 1
    assert figures[("slackcase_kore_calls_total", (("endpoint", "createCase"),
                                                   ("outcome", "rejected")))] == 1
    assert figures[("slackcase_kore_call_seconds_count", (("endpoint", "createCase"),))] == 2
    assert figures[("slackcase_kore_calls_total", (("endpoint", "getCases"),
                                                   ("outcome", "ok")))] >= 1
    assert figures[("slackcase_kore_budget_waiting", ())] == 0
    assert figures[("slackcase_poller_rounds_total", ())] == 1
    assert figures[("slackcase_lease_takeovers_total", ())] == 0


def test_a_submission_taken_over_from_a_dead_process_is_counted(tmp_path):
    world = make_world(tmp_path, sweep_seconds=0.3)
    try:
        # Another process accepted it, took its lease and died before renewing it.
        dead = open_store(world.settings.database)
        draft = CaseDraft(template_id="ctm-general", title="orphan", description="d",
                          due=datetime(2030, 1, 1, tzinfo=UTC), requester_id="UALICE")
        dead.accept("sc-orphan", draft, Origin(source="command", user_id="UALICE",
                                               channel_id="CGENERAL"), idem_key=None)
        assert dead.claim("sc-orphan", 0.5)
        dead.close()
        world.announced(1, timeout=15)
        figures = scrape(world.url + "/metrics")
        assert figures[("slackcase_lease_takeovers_total", ())] == 1
        assert len(world.kore.cases) == 1
    finally:
        world.stop()


def test_metrics_over_socket_mode_on_the_port_the_operator_chooses(tmp_path):
    fake = FakeSlack(bot_token="xoxb-sock", app_token="xapp-1-metrics")
    fake.serve()
    sockets = SocketSlack()
    fake.socket_url = sockets.url
    kore = KoreSandbox(client_secret="metrics-kore-secret-0123456789", account_id="acct-m")
    kore.serve()
    env = isolated_environment({
        "SLACK_BOT_TOKEN": "xoxb-sock", "SLACK_APP_TOKEN": "xapp-1-metrics",
        "SLACK_API_URL": fake.api_url, "KORE_HOST": kore.url or "",
        "KORE_STREAM_ID": kore.stream_id, "KORE_CLIENT_ID": kore.client_id,
        "KORE_CLIENT_SECRET": "metrics-kore-secret-0123456789", "KORE_ACCOUNT_ID": "acct-m",
        "KORE_CASE_TEMPLATES": "ctm-general=General",
        "SLACKCASE_DATABASE": str(tmp_path / "m.db")})
    proc = subprocess.Popen([sys.executable, "-m", "slackcase", "run", "--metrics-port", "0"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        assert "metrics at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split("metrics at ")[1].split()[0]
        assert "Socket Mode connected" in proc.stdout.readline()
        figures = scrape(url)
        health = httpx.get(url.replace("/metrics", "/healthz"), timeout=5, trust_env=False)
        assert health.status_code == 200 and health.json()["ok"]
        assert figures[("slackcase_submissions_ended_total", (("state", "announced"),))] == 0
        assert ("slackcase_poller_rounds_total", ()) in figures
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0, proc.stderr.read()
        sockets.close()
        fake.close()
        kore.close()
