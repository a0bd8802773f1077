"""`slackcase check`: is the configuration right? Each problem with its fix; exit 1 if any."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackcase.app import kore_client, slack_client
from slackcase.config import Settings
from slackcase.kore import CaseQuery, KoreAuthError, KoreError, KoreRejected, KoreUnavailable
from slackcase.slack import ids


def run_checks(settings: Settings, out: Callable[[str], None] = print) -> int:
    problems = 0

    def ok(text: str) -> None:
        out(f"ok    {text}")

    def bad(text: str, fix: str) -> None:
        nonlocal problems
        problems += 1
        out(f"FAIL  {text}\n      fix: {fix}")

    with _quiet("slack_sdk"):  # each failed attempt is an ERROR line; the check says it once
        _check_slack(settings, ok, bad)
    with _quiet("slackcase.kore"):  # likewise each attempt of a call Kore.ai did not answer
        _check_kore(settings, ok, bad)
    out("All checks passed." if problems == 0 else f"{problems} problem(s) found.")
    return 0 if problems == 0 else 1


def _check_slack(settings: Settings, ok: Callable[[str], None],
                 bad: Callable[[str, str], None]) -> None:
    if not settings.slack_bot_token:
        bad("SLACK_BOT_TOKEN is not set", "copy the Bot User OAuth Token (xoxb-…) from "
            "OAuth & Permissions into .env")
        return
    client = slack_client(settings)
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        bad(f"Slack refused the bot token ({exc.response.get('error')})",
            "reinstall the app and copy the new xoxb- token into SLACK_BOT_TOKEN")
        return
    except Exception as exc:
        bad(f"Slack is not reachable at {settings.slack_api_url} ({type(exc).__name__})",
            "check SLACK_API_URL and the network/proxy")
        return
    ok(f"bot token works: workspace {response.get('team')}, bot user {response.get('user')}")
    granted = {s.strip() for s in (response.headers.get("x-oauth-scopes")
                                   or response.headers.get("X-OAuth-Scopes") or "").split(",")
               if s.strip()}
    wanted = ids.BOT_SCOPES + ((ids.USERGROUP_SCOPE,) if settings.allowed_usergroups else ())
    missing = [s for s in wanted if s not in granted]
    if missing:
        bad(f"missing bot scopes: {', '.join(missing)}",
            f"add {', '.join(missing)} in the app's OAuth & Permissions settings (or paste "
            "manifest.yml again) and reinstall the app")
    else:
        ok("all bot scopes granted: " + ", ".join(wanted))
    if settings.slack_app_token:
        _check_socket(settings, ok, bad)
    elif settings.slack_signing_secret:
        ok("HTTP mode: SLACK_SIGNING_SECRET is set (serve with `slackcase run --http`)")
    else:
        bad("neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set",
            "set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode")


def _check_socket(settings: Settings, ok: Callable[[str], None],
                  bad: Callable[[str, str], None]) -> None:
    assert settings.slack_app_token
    client = WebClient(token=settings.slack_app_token.get_secret_value(),
                       base_url=settings.slack_api_url, timeout=10)
    try:
        client.apps_connections_open()
        ok("Socket Mode: the app-level token can open a connection")
    except SlackApiError as exc:
        bad(f"Socket Mode refused the app-level token ({exc.response.get('error')})",
            "enable Socket Mode and create an xapp- token with connections:write "
            "(Basic Information > App-Level Tokens)")


def _check_kore(settings: Settings, ok: Callable[[str], None],
                bad: Callable[[str, str], None]) -> None:
    if settings.uses_sandbox:
        ok("KORE_HOST=sandbox: cases go to the built-in emulator (fine for trying out, "
           "not for production)")
        return
    missing = [name for name, value in (
        ("KORE_HOST", settings.kore_host), ("KORE_STREAM_ID", settings.kore_stream_id),
        ("KORE_CLIENT_ID", settings.kore_client_id),
        ("KORE_CLIENT_SECRET", settings.kore_client_secret),
        ("KORE_CASE_TEMPLATES", settings.kore_case_templates or None)) if value is None]
    if missing:
        bad(f"not set: {', '.join(missing)}", "see .env.example for what each one is")
        return
    if not settings.kore_account_id:
        bad("KORE_ACCOUNT_ID is not set", "Kore.ai requires the AccountId header for getCases "
            "and updateCase: set your account id")
    assert settings.kore_host
    client = kore_client(settings, settings.kore_host)
    try:
        page = client.get_cases(CaseQuery(limit=1))
        ok(f"Kore.ai answers at {settings.kore_host}: {page.totalResults or 0} case(s) visible")
    except KoreAuthError as exc:
        bad(f"Kore.ai refused the JWT ({exc})",
            "check KORE_CLIENT_ID/KORE_CLIENT_SECRET, map the JWT app to the API scope "
            "'Case Management Configuration', and publish the app")
    except KoreUnavailable as exc:
        bad(f"Kore.ai is not reachable at {settings.kore_host} ({exc})",
            "check KORE_HOST (e.g. https://platform.kore.ai) and the network")
    except KoreRejected as exc:
        bad(f"Kore.ai rejected the request ({exc})", "check KORE_STREAM_ID and KORE_ACCOUNT_ID")
    except KoreError as exc:
        bad(f"Kore.ai answered unexpectedly ({exc})", "check KORE_HOST points at Kore.ai")
    finally:
        client.close()


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
