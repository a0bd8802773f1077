"""The C-decoded interaction payload must read exactly as Bolt's own decoding would."""

import json
from urllib.parse import quote, quote_plus, urlencode

from hypothesis import given
from hypothesis import strategies as st
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import parse_body

from slackcase.payloads import SlackHttpRequest, decode_payload
from slackcase.sandbox.slack_driver import sign

FORM = "application/x-www-form-urlencoded"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
payloads = st.dictionaries(st.text(), json_values, max_size=6)


def bolt(body: str) -> dict:
    return parse_body(body, FORM)


@given(payloads, st.booleans(), st.booleans())
def test_any_payload_decodes_as_bolt_decodes_it(payload, ascii_json, lower_hex):
    encoded = quote_plus(json.dumps(payload, ensure_ascii=ascii_json))
    if lower_hex:  # other encoders write %e2 where Python writes %E2
        encoded = "%".join([encoded.split("%")[0]] + [
            part[:2].lower() + part[2:] for part in encoded.split("%")[1:]])
    body = f"payload={encoded}"
    assert decode_payload(body) == bolt(body) == payload


@given(payloads)
def test_spaces_as_percent_twenty_and_unescaped_sub_delims_decode_too(payload):
    body = "payload=" + quote(json.dumps(payload, ensure_ascii=False), safe="*()!'~")
    assert decode_payload(body) == bolt(body)


@given(st.text(alphabet="%=+&25aFz{}\"é\n ", max_size=30))
def test_whatever_it_accepts_it_reads_as_bolt_does(value):
    body = 'payload={"k":"' + value + '"}'
    decoded = decode_payload(body)
    if decoded is not None:
        assert decoded == bolt(body)


def test_what_a2b_qp_would_read_differently_is_left_to_bolt():
    assert decode_payload('payload={"a":"%zz"}') is None  # a lone percent
    assert decode_payload('payload={"a":"1=2"}') is None  # a literal equals sign
    assert decode_payload('payload={"a":"é"}') is None  # not ASCII
    assert decode_payload("payload=%7B%22a%22%3A%22%FF%22%7D") is None  # not UTF-8
    assert decode_payload('payload=%7B%7D&other=1') is None  # another field
    assert decode_payload("token=x&command=%2Fcase") is None  # a slash command
    assert decode_payload("payload=%5B1%5D") is None  # JSON, but not an object
    assert decode_payload("payload=%7Bnot+json") is None


def test_the_request_keeps_its_raw_body_for_the_signature_check():
    payload = {"type": "view_submission", "user": {"id": "U1"}, "team": {"id": "T1"},
               "view": {"id": "V1", "callback_id": "case_form", "title": "“Printer” & co"}}
    body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
    headers = {"content-type": FORM, **sign("secret", body.encode())}
    fast = SlackHttpRequest(body=body, query="", headers=headers)
    plain = BoltRequest(body=body, query="", headers=headers)
    assert fast.mode == "http" and fast.raw_body == body
    assert fast.body == plain.body == payload
    assert fast.context == plain.context and fast.context.user_id == "U1"
    assert fast.headers == plain.headers and fast.content_type == plain.content_type


def test_other_bodies_are_bolts_to_decode():
    body = urlencode({"command": "/case", "text": "a=b & c", "user_id": "U1"})
    request = SlackHttpRequest(body=body, query="", headers={"content-type": FORM})
    assert request.body == BoltRequest(body=body, headers={"content-type": FORM}).body
    assert request.raw_body == body and request.mode == "http"
