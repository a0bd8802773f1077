"""The emulator's updateCase is as strict as Kore.ai's documentation: AccountId, the ci- id,
documented fields of the right type, 404 for an unknown case."""

import json

import pytest

from slackcase.kore.auth import mint_token
from slackcase.sandbox.kore_rules import SandboxError
from slackcase.sandbox.kore_server import KoreSandbox

BASE = "/caseManagement/api/public/analytics/st-u1"


@pytest.fixture
def kore():
    return KoreSandbox(stream_id="st-u1", client_id="cs-u1", client_secret="s" * 40,
                       templates={"ctm-a": "A"})


def call(kore, path, body, *, account="acct"):
    headers = {"auth": mint_token("cs-u1", "s" * 40), "iid": "st-u1"}
    if account:
        headers["accountid"] = account
    status, raw = kore.handle(BASE + path, headers, json.dumps(body).encode())
    return status, json.loads(raw)


def a_case(kore):
    _, case = call(kore, "/createCase", {
        "caseTmp": "ctm-a", "name": "jam", "desc": "paper jam", "userInfo": {"name": "A"},
        "emailId": "a@example.com", "source": "rtm", "dueDate": "2030-01-01T00:00:00.000Z"})
    return case


def refused(kore, path, body, **kwargs):
    with pytest.raises(SandboxError) as caught:
        call(kore, path, body, **kwargs)
    return caught.value.status, caught.value.msg


def test_update_changes_name_and_desc_of_the_case(kore):
    case = a_case(kore)
    status, answer = call(kore, f"/updateCase/{case['_id']}", {"name": "fire", "desc": "smoke"})
    assert status == 200 and answer["name"] == "fire" and answer["refId"] == case["refId"]
    assert kore.cases[case["_id"]]["desc"] == "smoke"


@pytest.mark.parametrize("body,said", [
    ({"name": 5}, "name has the wrong type"),
    ({"desc": ["x"]}, "desc has the wrong type"),
    ({"name": "   "}, "name must be 1 to 250"),
    ({"dueDate": "2030-01-01T00:00:00.000Z"}, "dueDate has the wrong type"),  # epoch ms
    ({"isActive": 1}, "isActive has the wrong type"),
    ({"summary": "x"}, "unknown fields: summary"),
    ({}, "nothing to update"),
])
def test_update_refuses_bodies_kore_would_refuse(kore, body, said):
    case = a_case(kore)
    status, msg = refused(kore, f"/updateCase/{case['_id']}", body)
    assert status == 400 and said in msg


def test_update_needs_the_account_id_and_the_case_id_not_its_ref(kore):
    case = a_case(kore)
    assert refused(kore, f"/updateCase/{case['_id']}", {"name": "x"}, account=None)[0] == 400
    status, msg = refused(kore, f"/updateCase/{case['refId']}", {"name": "x"})
    assert status == 400 and "ci-" in msg
    assert refused(kore, "/updateCase/ci-unknown", {"name": "x"})[0] == 404
    assert kore.cases[case["_id"]]["name"] == "jam"
