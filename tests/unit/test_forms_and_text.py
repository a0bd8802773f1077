from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from slackcase.config import load_settings
from slackcase.slack import ids
from slackcase.slack.forms import ModalMetadata, parse_form
from slackcase.slack.text import escape, title_from, unslack
from slackcase.slack.transcript import transcript

SETTINGS = load_settings({"KORE_CASE_TEMPLATES": "ctm-a=Alpha,ctm-b=Beta"})
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def values(title="Printer", due=NOW + timedelta(days=1), email=None, template="ctm-b",
           requester="U1", contact=False):
    v = {
        ids.BLOCK_TEMPLATE: {ids.ACTION_TEMPLATE: {"selected_option": {"value": template}}},
        ids.BLOCK_TITLE: {ids.ACTION_TITLE: {"value": title}},
        ids.BLOCK_DESCRIPTION: {ids.ACTION_DESCRIPTION: {"value": "desc"}},
        ids.BLOCK_DUE: {ids.ACTION_DUE: {"selected_date_time": int(due.timestamp())}},
        ids.BLOCK_REQUESTER: {ids.ACTION_REQUESTER: {"selected_user": requester}},
    }
    if contact or email is not None:
        v[ids.BLOCK_EMAIL] = {ids.ACTION_EMAIL: {"value": email}}
    return v


def test_valid_form():
    draft, errors = parse_form(values(), ModalMetadata(user="U9"), SETTINGS, now=NOW)
    assert errors == {}
    assert draft.template_id == "ctm-b" and draft.title == "Printer"
    assert draft.requester_id == "U1"


def test_inline_errors():
    _, errors = parse_form(values(title="  ", due=NOW - timedelta(hours=1), email="nope",
                                  template="ctm-x"), ModalMetadata(user="U9"), SETTINGS,
                           now=NOW)
    assert set(errors) == {ids.BLOCK_TITLE, ids.BLOCK_DUE, ids.BLOCK_EMAIL, ids.BLOCK_TEMPLATE}


def test_contact_required_when_profile_has_no_email():
    _, errors = parse_form(values(contact=True), ModalMetadata(user="U9", contact=True),
                           SETTINGS, requester_has_email=False, now=NOW)
    assert ids.BLOCK_EMAIL in errors
    draft, errors = parse_form(values(email="x@example.com"), ModalMetadata(contact=True),
                               SETTINGS, requester_has_email=False, now=NOW)
    assert not errors and draft.contact_email == "x@example.com"


def test_empty_description_defaults_to_title():
    v = values()
    v[ids.BLOCK_DESCRIPTION][ids.ACTION_DESCRIPTION]["value"] = None
    draft, _ = parse_form(v, ModalMetadata(), SETTINGS, now=NOW)
    assert draft.description == "Printer"


def test_metadata_round_trip_and_bounded():
    meta = ModalMetadata(src="shortcut", user="U1", ch="C1", th="1.2", ru="https://x/" + "a" * 80)
    assert ModalMetadata.load(meta.dump()) == meta
    assert len(meta.dump()) <= 3000
    assert ModalMetadata.load("garbage") == ModalMetadata()


@given(st.text())
def test_escape_never_leaves_markup(text):
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(st.text(max_size=2000))
def test_title_is_bounded_single_line(text):
    title = title_from(text)
    assert len(title) <= 120 and "\n" not in title


def test_title_cut_at_word_boundary():
    title = title_from("word " * 60)
    assert title.endswith("…") and not title[:-1].endswith(" ")


def test_unslack():
    assert unslack("hi <@U1|alice> see <https://x.y|docs> <!here>") == "hi @alice see docs @here"


@given(st.lists(st.text(min_size=0, max_size=400), min_size=1, max_size=60))
def test_transcript_fits_and_keeps_root(texts):
    messages = [{"user": "U1", "ts": f"{1700000000 + i}.000100", "text": t}
                for i, t in enumerate(texts)]
    out = transcript(messages, lambda u: "Alice", permalink="https://p")
    assert len(out) <= 3000
    assert out.startswith("From Slack: https://p")


def test_transcript_keeps_start_and_newest():
    messages = [{"user": "U1", "ts": f"{1700000000 + i}.0", "text": f"message number {i} " * 5}
                for i in range(200)]
    out = transcript(messages, lambda u: "Al")
    assert "message number 0 " in out and "message number 199 " in out
    assert "left out" in out and "message number 50 " not in out
