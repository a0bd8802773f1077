import logging

import pytest

from slackcase.config import ConfigError, load_settings

BASE = {
    "SLACK_BOT_TOKEN": "xoxb-secret-bot-value",
    "SLACK_SIGNING_SECRET": "signing-secret-value",
    "KORE_HOST": "https://platform.kore.ai",
    "KORE_STREAM_ID": "st-1234-abcd",
    "KORE_CLIENT_ID": "cs-client",
    "KORE_CLIENT_SECRET": "kore-secret-value",
    "KORE_CASE_TEMPLATES": "ctm-a=Alpha,ctm-b=Beta Team",
}


def load(**overrides):
    return load_settings({**BASE, **overrides})


def test_valid_settings_are_typed():
    s = load(SLACKCASE_NOTIFY_CHANNELS="ctm-a=C111,*=C999", SLACKCASE_AGENTS="a-1=U123",
             SLACKCASE_ALLOWED_CHANNELS="C111, C222", KORE_RATE_LIMIT_PER_MINUTE="30",
             SLACKCASE_ALLOWED_USERGROUPS="S0HELP")
    assert s.default_template.id == "ctm-a"
    assert s.template("ctm-b").name == "Beta Team"
    assert s.notify_channel_for("ctm-a") == "C111"
    assert s.notify_channel_for("ctm-b") == "C999"
    assert s.slack_user_for_agent(None, "a-1") == "U123"
    assert s.allowed_channels == frozenset({"C111", "C222"})
    assert s.kore_rate_limit_per_minute == 30
    assert s.allowed_usergroups == frozenset({"S0HELP"})
    assert s.slack_api_url == "https://slack.com/api/"
    assert not s.socket_mode


def test_listed_template_goes_only_to_its_channel():
    s = load(SLACKCASE_NOTIFY_CHANNELS="ctm-a=C111")
    assert s.notify_channel_for("ctm-a") == "C111"
    assert s.notify_channel_for("ctm-b") is None


@pytest.mark.parametrize("name,value", [
    ("SLACK_BOT_TOKEN", "xoxp-user-token"),
    ("SLACK_APP_TOKEN", "xoxb-not-app"),
    ("KORE_HOST", "http://kore.example.com"),
    ("KORE_HOST", "ftp://x"),
    ("KORE_STREAM_ID", "bot-123"),
    ("KORE_CASE_TEMPLATES", "General"),
    ("KORE_CASE_TEMPLATES", "tmpl-1=General"),
    ("KORE_CASE_TEMPLATES", "ctm-a=General,ctm-b="),
    ("KORE_CASE_TEMPLATES", "ctm-a=\u200b\u200b"),  # zero-width spaces only: shows nothing
    pytest.param("KORE_CASE_TEMPLATES", "ctm-a=" + "\u200b" * 75 + "General",
                 id="template-name-invisible-once-clipped"),
    pytest.param("KORE_CASE_TEMPLATES", ",".join(f"ctm-{i}=Team {i}" for i in range(101)),
                 id="101-templates"),
    ("KORE_RATE_LIMIT_PER_MINUTE", "lots"),
    ("KORE_RATE_LIMIT_PER_MINUTE", "0"),
    ("KORE_TIMEOUT_SECONDS", "-1"),
    ("SLACKCASE_NOTIFY_CHANNELS", "ctm-a=general"),
    ("SLACKCASE_AGENTS", "john=U123"),
    ("SLACKCASE_ALLOWED_CHANNELS", "#general"),
    ("SLACKCASE_ALLOWED_USERGROUPS", "helpdesk"),
    ("SLACKCASE_POLL_SECONDS", "never"),
    ("SLACKCASE_ALLOW_EXTERNAL", "maybe"),
    ("SLACK_API_URL", "http://slack.example.com/api/"),
])
def test_bad_value_gives_one_line_naming_the_variable(name, value):
    with pytest.raises(ConfigError) as err:
        load(**{name: value})
    message = str(err.value)
    assert message.startswith(name)
    assert "\n" not in message


def test_as_many_templates_as_a_slack_select_offers_are_accepted():
    s = load(KORE_CASE_TEMPLATES=",".join(f"ctm-{i}=Team {i}" for i in range(100)))
    assert len(s.kore_case_templates) == 100


def test_too_many_templates_says_how_many_and_the_limit():
    with pytest.raises(ConfigError) as err:
        load(KORE_CASE_TEMPLATES=",".join(f"ctm-{i}=Team {i}" for i in range(101)))
    assert str(err.value) == ("KORE_CASE_TEMPLATES must list at most 100 templates (the most a "
                              "Slack select offers in the case form), got 101")


def test_a_real_kore_host_needs_the_account_id_to_start():
    from slackcase.app import build_app

    with pytest.raises(ConfigError) as err:
        build_app(load())  # BASE has a real KORE_HOST and no KORE_ACCOUNT_ID
    assert str(err.value).startswith("KORE_ACCOUNT_ID is required: Kore.ai needs the account id")
    assert "\n" not in str(err.value)


def test_malformed_secret_is_not_echoed():
    with pytest.raises(ConfigError) as err:
        load(SLACK_BOT_TOKEN="xoxp-very-secret-user-token")
    assert "very-secret" not in str(err.value)


def test_loopback_http_is_allowed_for_kore_and_slack():
    s = load(KORE_HOST="http://127.0.0.1:8765/", SLACK_API_URL="http://localhost:9/api")
    assert s.kore_host == "http://127.0.0.1:8765"
    assert s.slack_api_url == "http://localhost:9/api/"


def test_sandbox_keyword():
    assert load(KORE_HOST="sandbox").uses_sandbox


def test_secrets_never_in_repr_or_logs(caplog):
    s = load(SLACK_APP_TOKEN="xapp-app-secret-value")
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("settings: %r %s", s, s)
    text = repr(s) + str(s) + caplog.text + s.model_dump_json()
    for secret in ("xoxb-secret-bot-value", "signing-secret-value", "kore-secret-value",
                   "xapp-app-secret-value"):
        assert secret not in text


@pytest.mark.parametrize("url", ["postgresql://app:Db-Secret-77@db.internal:5432/slackcase",
                                 "postgres://app:Db-Secret-77@db.internal/slackcase"])
def test_a_postgresql_url_is_accepted_and_its_password_never_shown(url, caplog):
    s = load(SLACKCASE_DATABASE=url)
    assert s.database.startswith("postgresql://app:Db-Secret-77@db.internal")
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("settings: %r %s", s, s)
    text = repr(s) + str(s) + caplog.text + s.model_dump_json()
    assert "Db-Secret-77" not in text and "postgresql://app:***@db.internal" in text


@pytest.mark.parametrize("url", ["postgresql://app:Db-Secret-77@/slackcase",
                                 "postgresql://app:Db-Secret-77@db.internal:5432",
                                 "postgresql://app:Db-Secret-77@db.internal:port/slackcase"])
def test_a_malformed_postgresql_url_is_refused_without_its_password(url):
    with pytest.raises(ConfigError) as err:
        load(SLACKCASE_DATABASE=url)
    message = str(err.value)
    assert message.startswith("SLACKCASE_DATABASE must be a URL of the form postgresql://")
    assert "Db-Secret-77" not in message and "\n" not in message


def test_a_path_stays_sqlite():
    assert load(SLACKCASE_DATABASE="/var/lib/slackcase/state.db").database == \
        "/var/lib/slackcase/state.db"


def test_require_names_the_missing_variable():
    s = load_settings({})
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN is required"):
        s.require("SLACK_BOT_TOKEN")


def test_empty_variable_counts_as_unset():
    assert load(SLACK_APP_TOKEN="").slack_app_token is None


def test_cli_prints_one_line_and_exits_2(capsys):
    from slackcase.cli import main

    code = main(["check"], env={**BASE, "KORE_STREAM_ID": "nope"})
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0 and "KORE_STREAM_ID" in err
    code = main(["run", "--http"], env={k: v for k, v in BASE.items()
                                        if k != "SLACK_SIGNING_SECRET"})
    err = capsys.readouterr().err
    assert code == 2 and "SLACK_SIGNING_SECRET is required" in err


def test_every_setting_is_in_the_readme_table_and_the_env_example():
    from pathlib import Path

    from slackcase.config import Settings

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    example = (root / ".env.example").read_text()
    for field in Settings.model_fields.values():
        assert f"| `{field.alias}`" in readme or f"`, `{field.alias}` |" in readme, field.alias
        assert f"{field.alias}=" in example, field.alias


def test_unknown_slackcase_names_stop_and_near_misses_name_the_setting():
    with pytest.raises(ConfigError, match=r"^SLACKCASE_ALOW_GUESTS is not a setting: did you "
                                          r"mean SLACKCASE_ALLOW_GUESTS\?$"):
        load(SLACKCASE_ALOW_GUESTS="true")
    with pytest.raises(ConfigError, match=r"^SLACKCASE_WHATEVER is not a setting"):
        load(SLACKCASE_WHATEVER="1")
    with pytest.raises(ConfigError, match="did you mean SLACK_BOT_TOKEN"):
        load(SLACK_BOT_TOKN="xoxb-typo")


def test_other_tools_names_in_the_shared_prefixes_are_left_alone():
    # SLACK_ and KORE_ are not ours alone: only a near miss of one of our names stops.
    s = load(SLACK_CLIENT_ID="123.456", SLACK_CLIENT_SECRET="x", SLACK_API_TOKEN="xoxp-1",
             SLACK_TOKEN="xoxb-other", SLACK_WEBHOOK_URL="https://hooks.slack.com/x",
             KORE_API_KEY="k", HOME="/root")
    assert s.slack_bot_token.get_secret_value() == "xoxb-secret-bot-value"


def test_reaction_and_channel_templates_are_typed():
    s = load(SLACKCASE_REACTION=":ticket:", SLACKCASE_CHANNEL_TEMPLATES="C111=ctm-b, C222=ctm-a")
    assert s.reaction == "ticket"
    assert s.channel_template("C111") == "ctm-b"
    assert s.channel_template("C999") is None
    assert load().reaction is None


@pytest.mark.parametrize("value,said", [
    ("C111=ctm-zz", "template ctm-zz (for C111) is not one of KORE_CASE_TEMPLATES"),
    ("#support=ctm-a", "channel must be a channel id"),
    ("C111=General", "template id must look like ctm-"),
])
def test_channel_templates_name_the_variable_in_one_line(value, said):
    with pytest.raises(ConfigError) as caught:
        load(SLACKCASE_CHANNEL_TEMPLATES=value)
    assert str(caught.value).startswith("SLACKCASE_CHANNEL_TEMPLATES")
    assert said in str(caught.value) and "\n" not in str(caught.value)


def test_a_reaction_must_be_an_emoji_name():
    with pytest.raises(ConfigError, match=r"^SLACKCASE_REACTION must be an emoji name"):
        load(SLACKCASE_REACTION="🎫 ticket")
