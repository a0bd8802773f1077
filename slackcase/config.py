"""Settings: every variable of the contract, validated once, secrets kept secret.

Built from a plain mapping (the CLI passes the environment merged with `.env`), so
tests build settings without touching the process environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.functional_serializers import field_serializer

from slackcase import setting_values
from slackcase.dburl import postgres_url
from slackcase.logs import mask_url
from slackcase.setting_names import misspelt_name
from slackcase.setting_values import id_set, is_loopback_host, number, pairs, visible

SANDBOX = "sandbox"

_STREAM_ID = re.compile(r"^st-[A-Za-z0-9][A-Za-z0-9-]*$")
_TEMPLATE_ID = re.compile(r"^ctm-[A-Za-z0-9][A-Za-z0-9-]*$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_AGENT_ID = re.compile(r"^[ua]-[A-Za-z0-9][A-Za-z0-9-]*$")
_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
MAX_TEMPLATES = 100  # options of a static select: Slack refuses the whole form beyond it


class ConfigError(Exception):
    """A bad or missing setting; str() is the one line shown to the operator."""


@dataclass(frozen=True)
class CaseTemplate:
    id: str
    name: str


class Settings(BaseModel):
    """Validated configuration. Field aliases are the environment variable names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")

    kore_host: str | None = Field(None, alias="KORE_HOST")
    kore_stream_id: str | None = Field(None, alias="KORE_STREAM_ID")
    kore_client_id: str | None = Field(None, alias="KORE_CLIENT_ID")
    kore_client_secret: SecretStr | None = Field(None, alias="KORE_CLIENT_SECRET")
    kore_account_id: str | None = Field(None, alias="KORE_ACCOUNT_ID")
    kore_case_templates: tuple[CaseTemplate, ...] = Field((), alias="KORE_CASE_TEMPLATES")
    kore_case_source: str = Field("rtm", alias="KORE_CASE_SOURCE")
    kore_rate_limit_per_minute: int = Field(60, alias="KORE_RATE_LIMIT_PER_MINUTE")
    kore_timeout_seconds: float = Field(10.0, alias="KORE_TIMEOUT_SECONDS")

    database: str = Field("slackcase.db", alias="SLACKCASE_DATABASE")
    notify_channels: tuple[tuple[str, str], ...] = Field((), alias="SLACKCASE_NOTIFY_CHANNELS")
    agents: tuple[tuple[str, str], ...] = Field((), alias="SLACKCASE_AGENTS")
    allowed_channels: frozenset[str] | None = Field(None, alias="SLACKCASE_ALLOWED_CHANNELS")
    allowed_usergroups: frozenset[str] | None = Field(None, alias="SLACKCASE_ALLOWED_USERGROUPS")
    allow_guests: bool = Field(False, alias="SLACKCASE_ALLOW_GUESTS")
    allow_external: bool = Field(False, alias="SLACKCASE_ALLOW_EXTERNAL")
    poll_seconds: float = Field(60.0, alias="SLACKCASE_POLL_SECONDS")
    reaction: str | None = Field(None, alias="SLACKCASE_REACTION")
    # After kore_case_templates, which its validator checks the ids against.
    channel_templates: tuple[tuple[str, str], ...] = Field(
        (), alias="SLACKCASE_CHANNEL_TEMPLATES")
    log_level: str = Field("INFO", alias="SLACKCASE_LOG_LEVEL")

    # A PostgreSQL URL's password shows as *** wherever the settings are shown or dumped.
    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, mask_url(value) if name == "database" else value

    @field_serializer("database")
    def _database_shown(self, v: str) -> str:
        return mask_url(v)

    # ---- Slack -----------------------------------------------------------------
    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb- (OAuth & Permissions page)")
        return v

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xapp-"):
            raise ValueError(
                "must be an app-level token starting with xapp- (Basic Information page, "
                "scope connections:write)"
            )
        return v

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http(s) URL such as https://slack.com/api/, got {v!r}")
        if parts.scheme == "http" and not is_loopback_host(parts.hostname):
            raise ValueError("must use https (plain http is allowed only for loopback hosts)")
        return v if v.endswith("/") else v + "/"

    # ---- Kore.ai ---------------------------------------------------------------
    @field_validator("kore_host")
    @classmethod
    def _kore_host(cls, v: str | None) -> str | None:
        if v is None or v == SANDBOX:
            return v
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"must be a URL such as https://platform.kore.ai, or 'sandbox'; got {v!r}"
            )
        if parts.scheme == "http" and not is_loopback_host(parts.hostname):
            raise ValueError("must use https (plain http is allowed only for loopback hosts)")
        return v.rstrip("/")

    @field_validator("kore_stream_id")
    @classmethod
    def _stream_id(cls, v: str | None) -> str | None:
        if v is not None and not _STREAM_ID.match(v):
            raise ValueError(f"must look like st-… (the bot's stream id), got {v!r}")
        return v

    @field_validator("kore_account_id")
    @classmethod
    def _account_id(cls, v: str | None) -> str | None:
        if v is not None and not _ACCOUNT_ID.match(v):
            raise ValueError("must be the Kore.ai account id (letters, digits and dashes)")
        return v

    @field_validator("kore_client_id")
    @classmethod
    def _client_id(cls, v: str | None) -> str | None:
        if v is not None and (not v.strip() or any(c.isspace() for c in v)):
            raise ValueError("must be the JWT app's client id (no spaces)")
        return v

    @field_validator("kore_case_templates", mode="before")
    @classmethod
    def _templates(cls, v: Any) -> Any:
        if not isinstance(v, str):
            return v
        templates: list[CaseTemplate] = []
        for tid, name in pairs(v, "ctm-id=Display name"):
            if not _TEMPLATE_ID.match(tid):
                raise ValueError(f"template id must look like ctm-…, got {tid!r}")
            if any(t.id == tid for t in templates):
                raise ValueError(f"template {tid} is listed twice")
            name = name[:75]  # the most a select option shows
            if not any(visible(c) for c in name):
                raise ValueError(f"template {tid} needs a display name people can read")
            templates.append(CaseTemplate(tid, name))
        if not templates:
            raise ValueError("list at least one ctm-id=Display name pair")
        if len(templates) > MAX_TEMPLATES:
            raise ValueError(f"must list at most {MAX_TEMPLATES} templates (the most a Slack "
                             f"select offers in the case form), got {len(templates)}")
        return tuple(templates)

    @field_validator("kore_case_source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty (Kore.ai's documented value is rtm)")
        return v.strip()

    @field_validator("kore_rate_limit_per_minute", mode="before")
    @classmethod
    def _rate(cls, v: Any) -> Any:
        value = number(v, int)
        if value < 1:
            raise ValueError("must be a whole number of requests per minute, at least 1")
        return value

    @field_validator("kore_timeout_seconds", mode="before")
    @classmethod
    def _timeout(cls, v: Any) -> Any:
        value = number(v, float)
        if not 0 < value <= 300:
            raise ValueError("must be a number of seconds between 0 and 300")
        return value

    @field_validator("poll_seconds", mode="before")
    @classmethod
    def _poll(cls, v: Any) -> Any:
        value = number(v, float)
        if not 0.1 <= value <= 86400:
            raise ValueError("must be a number of seconds between 0.1 and 86400")
        return value

    # ---- slackcase -------------------------------------------------------------
    @field_validator("database")
    @classmethod
    def _database(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must be a file path (SQLite) or a postgresql:// URL")
        if v.startswith(("postgres://", "postgresql://")):
            return postgres_url(v)
        if "://" in v and not v.startswith("sqlite:///"):  # never echoed: it may hold a password
            raise ValueError("must be a file path (SQLite) or a postgresql:// URL, not a "
                             f"{v.split('://', 1)[0]}:// URL")
        return v.removeprefix("sqlite:///")

    @field_validator("notify_channels", mode="before")
    @classmethod
    def _notify(cls, v: Any, info: Any) -> Any:
        if not isinstance(v, str):
            return v
        known = {t.id for t in info.data.get("kore_case_templates") or ()}
        routes = []
        for key, channel in pairs(v, "ctm-id=CHANNEL_ID"):
            if key != "*" and not _TEMPLATE_ID.match(key):
                raise ValueError(f"route key must be a ctm-… template id or *, got {key!r}")
            if key != "*" and known and key not in known:  # a typo would tell nobody
                raise ValueError(f"template {key} (for {channel}) is not one of "
                                 "KORE_CASE_TEMPLATES")
            if not _CHANNEL_ID.match(channel):
                raise ValueError(f"channel must be a channel id such as C0123ABC, got {channel!r}")
            routes.append((key, channel))
        return tuple(routes)

    @field_validator("agents", mode="before")
    @classmethod
    def _agents(cls, v: Any) -> Any:
        if not isinstance(v, str):
            return v
        agents = []
        for agent, user in pairs(v, "KORE_AGENT_ID=SLACK_USER_ID"):
            if not _AGENT_ID.match(agent):
                raise ValueError(f"agent id must look like u-… or a-…, got {agent!r}")
            if not _USER_ID.match(user):
                raise ValueError(f"Slack user id must look like U0123ABC, got {user!r}")
            agents.append((agent, user))
        return tuple(agents)

    @field_validator("allowed_channels", mode="before")
    @classmethod
    def _allowed(cls, v: Any) -> Any:
        return id_set(v, _CHANNEL_ID, "channel ids such as C0123ABC")

    @field_validator("allowed_usergroups", mode="before")
    @classmethod
    def _usergroups(cls, v: Any) -> Any:
        return id_set(v, _USERGROUP_ID, "user group ids such as S0123ABC")

    @field_validator("reaction")
    @classmethod
    def _reaction(cls, v: str | None) -> str | None:
        return setting_values.emoji_name(v) if v is not None else v

    @field_validator("channel_templates", mode="before")
    @classmethod
    def _channel_templates(cls, v: Any, info: Any) -> Any:
        if not isinstance(v, str):
            return v
        known = (t.id for t in info.data.get("kore_case_templates") or ())
        return setting_values.channel_templates(v, known)

    @field_validator("allow_guests", "allow_external", mode="before")
    @classmethod
    def _guests(cls, v: Any) -> Any:
        if isinstance(v, str):
            lowered = v.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off", ""):
                return False
            raise ValueError("must be true or false")
        return v

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, v: str) -> str:
        level = v.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    # ---- derived ---------------------------------------------------------------
    @property
    def uses_sandbox(self) -> bool:
        return self.kore_host == SANDBOX

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def default_template(self) -> CaseTemplate:
        return self.kore_case_templates[0]

    def template(self, template_id: str) -> CaseTemplate | None:
        return next((t for t in self.kore_case_templates if t.id == template_id), None)

    def template_name(self, template_id: str) -> str:
        template = self.template(template_id)
        return template.name if template else template_id

    def channel_template(self, channel_id: str | None) -> str | None:
        """The template preselected for cases started in that channel, if one is set."""
        return dict(self.channel_templates).get(channel_id or "")

    def notify_channel_for(self, template_id: str) -> str | None:
        routes = dict(self.notify_channels)
        return routes.get(template_id) or routes.get("*")

    def slack_user_for_agent(self, *agent_ids: str | None) -> str | None:
        table = dict(self.agents)
        return next((table[a] for a in agent_ids if a and a in table), None)

    def require(self, *names: str) -> None:
        """Stop with one line when a variable a command needs is missing."""
        for alias in names:
            field = _FIELD_BY_ALIAS[alias]
            value = getattr(self, field)
            if value is None or value == ():
                raise ConfigError(f"{alias} is required: {_HINTS.get(alias, 'set it in .env')}")


_HINTS = {
    "SLACK_BOT_TOKEN": "the bot token xoxb-… from the app's OAuth & Permissions page",
    "SLACK_APP_TOKEN": "an app-level token xapp-… with connections:write (Basic Information)",
    "SLACK_SIGNING_SECRET": "the Signing Secret from the app's Basic Information page",
    "KORE_HOST": "e.g. https://platform.kore.ai, or 'sandbox' for the built-in emulator",
    "KORE_STREAM_ID": "the bot's stream id st-… (General Settings)",
    "KORE_CLIENT_ID": "the JWT app's client id (Dev Tools > Web/Mobile SDK)",
    "KORE_CLIENT_SECRET": "the JWT app's client secret (Dev Tools > Web/Mobile SDK)",
    "KORE_ACCOUNT_ID": "Kore.ai needs the account id (AccountId header) for getCases, which "
                       "reconciles unknown outcomes and follows cases; optional only with "
                       "KORE_HOST=sandbox",
    "KORE_CASE_TEMPLATES": "comma-separated ctm-id=Display name pairs, the first is the default",
}

_FIELD_BY_ALIAS = {f.alias: name for name, f in Settings.model_fields.items()}
_SECRET_ALIASES = {
    "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "KORE_CLIENT_SECRET",
}


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Validate a mapping of environment variables; raise ConfigError with one line."""
    misspelt = misspelt_name(environ, _FIELD_BY_ALIAS)
    if misspelt:
        raise ConfigError(misspelt)
    known = {alias: value for alias, value in environ.items() if alias in _FIELD_BY_ALIAS}
    # An empty variable means "not set", as with most twelve-factor apps.
    known = {k: v for k, v in known.items() if v.strip() != ""}
    try:
        return Settings.model_validate(known)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors(include_input=False, include_url=False)[0]
    alias = str(error["loc"][0]) if error["loc"] else "configuration"
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    if alias in _SECRET_ALIASES:
        # Never echo what was typed for a secret, even if it is malformed.
        message = re.sub(r"got '.*'", "got a value of the wrong shape", message)
    return f"{alias} {message}" if message.startswith("must") else f"{alias}: {message}"
