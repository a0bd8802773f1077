"""`slackcase check`: is the configuration right? Each problem with its fix; exit 1 if any."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackcase.app import kore_client, slack_client
from slackcase.config import Settings
from slackcase.core.ports import StoreUnavailable
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
    with _quiet("psycopg"):  # the pool's own reconnection warnings; the check says it once
        _check_database(settings, ok, bad)
    out("All checks passed." if problems == 0 else f"{problems} problem(s) found.")
    return 0 if problems == 0 else 1


def _check_slack(settings: Settings, ok: Callable[[str], None],
                 bad: Callable[[str, str], None]) -> None:
    if not _check_bot_token(settings, ok, bad):
        return
    if settings.slack_app_token:
        _check_socket(settings, ok, bad)
    elif settings.slack_signing_secret:
        ok("HTTP mode: SLACK_SIGNING_SECRET is set (serve with `slackcase run --http`)")
    else:
        bad("neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set",
            "set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode")


def _check_bot_token(settings: Settings, ok: Callable[[str], None],
                     bad: Callable[[str, str], None]) -> bool:
    """The bot token and its scopes; False when Slack cannot be reached (nothing more to ask)."""
    if not settings.slack_bot_token:
        bad("SLACK_BOT_TOKEN is not set", "copy the Bot User OAuth Token (xoxb-…) from "
            "OAuth & Permissions into .env")
        return True
    client = slack_client(settings)
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        bad(f"Slack refused the bot token ({exc.response.get('error')})",
            "reinstall the app and copy the new xoxb- token into SLACK_BOT_TOKEN")
        return True
    except Exception as exc:
        bad(f"Slack is not reachable at {settings.slack_api_url} ({type(exc).__name__})",
            "check SLACK_API_URL and the network/proxy")
        return False
    ok(f"bot token works: workspace {response.get('team')}, bot user {response.get('user')}")
    granted = {s.strip() for s in (response.headers.get("x-oauth-scopes")
                                   or response.headers.get("X-OAuth-Scopes") or "").split(",")
               if s.strip()}
    needs = scopes_needed(settings)
    missing = [scope for scope in needs if scope not in granted]
    for scope in missing:
        in_manifest = scope in ids.BOT_SCOPES
        bad(f"missing bot scope {scope}: {needs[scope]}",
            f"add {scope} under OAuth & Permissions > Bot Token Scopes"
            + (" (or paste manifest.yml again)" if in_manifest else "")
            + " and reinstall the app")
    if not missing:
        ok("all bot scopes granted: " + ", ".join(needs))
    return True


def scopes_needed(settings: Settings) -> dict[str, str]:
    """The bot scopes the enabled features need, each with the feature that needs it."""
    needs = dict(ids.BOT_SCOPE_NEEDS)
    if not settings.reaction:
        needs.pop(ids.REACTION_SCOPE)
    if settings.allowed_usergroups:
        needs[ids.USERGROUP_SCOPE] = ids.USERGROUP_SCOPE_NEED
    return needs


_TOKEN_PAGE = "Basic Information > App-Level Tokens"
# What Slack's refusal of apps.connections.open means, and what fixes it.
_SOCKET_REFUSALS = {
    "invalid_auth": ("Slack does not know this app-level token (invalid_auth)",
                     f"copy this app's xapp- token from {_TOKEN_PAGE} into SLACK_APP_TOKEN "
                     "(a revoked token needs a new one)"),
    "not_allowed_token_type": ("SLACK_APP_TOKEN is not an app-level token "
                               "(not_allowed_token_type)",
                               f"generate an app-level token with {ids.APP_TOKEN_SCOPE} under "
                               f"{_TOKEN_PAGE}"),
    "missing_scope": (f"the app-level token lacks the {ids.APP_TOKEN_SCOPE} scope",
                      f"generate an app-level token with {ids.APP_TOKEN_SCOPE} under "
                      f"{_TOKEN_PAGE} and put it in SLACK_APP_TOKEN"),
    "ratelimited": ("Slack is rate-limiting Socket Mode connections for this app (ratelimited)",
                    "wait a minute and run `slackcase check` again; a slackcase that keeps "
                    "reconnecting elsewhere with the same token would cause it"),
}
_SOCKET_REFUSALS["not_authed"] = _SOCKET_REFUSALS["invalid_auth"]
_SOCKET_OFF_FIX = ("enable Socket Mode in the app's settings (Settings > Socket Mode), or serve "
                   "HTTP instead: unset SLACK_APP_TOKEN and run `slackcase run --http`")


def _check_socket(settings: Settings, ok: Callable[[str], None],
                  bad: Callable[[str, str], None]) -> None:
    """Ask for a Socket Mode URL with the app-level token; the URL is never connected to."""
    assert settings.slack_app_token
    client = WebClient(base_url=settings.slack_api_url, timeout=10)
    try:
        client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as exc:
        error = str(exc.response.get("error"))
        text, fix = _SOCKET_REFUSALS.get(error, (
            f"Slack refused a Socket Mode connection ({error})", _SOCKET_OFF_FIX))
        bad(text, fix)
        return
    except Exception as exc:
        bad(f"Slack is not reachable at {settings.slack_api_url} ({type(exc).__name__})",
            "check SLACK_API_URL and the network/proxy")
        return
    ok("Socket Mode: the app-level token can open a connection")


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


def _check_database(settings: Settings, ok: Callable[[str], None],
                    bad: Callable[[str, str], None]) -> None:
    """Open the database as the app would (creating or migrating its schema) and use it."""
    from slackcase.store import open_store

    postgres = settings.database.startswith("postgresql://")
    fix = ("check that the PostgreSQL server runs and that SLACKCASE_DATABASE's host, port, "
           "user, password and database name are right" if postgres else
           "point SLACKCASE_DATABASE at a file in a directory slackcase can write")
    try:
        store = open_store(settings.database)
    except StoreUnavailable as exc:
        bad(str(exc), fix)
        return
    except RuntimeError as exc:  # a schema newer than this slackcase
        bad(f"the database cannot be used: {exc}", "upgrade slackcase")
        return
    try:
        problem = store.problem()
        if problem:
            bad(problem, fix)
        else:
            ok(f"database: {store.describe()}")
    finally:
        store.close()


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
