import json
import threading
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from pydantic import SecretStr, ValidationError

from slackcase.kore import (
    CaseQuery,
    CreateCaseRequest,
    KoreAuthError,
    KoreBadResponse,
    KoreClient,
    KoreRateLimited,
    KoreRejected,
    KoreStopped,
    KoreUnavailable,
    UserInfo,
)
from slackcase.kore.models import Case
from slackcase.kore.ratelimit import RateLimiter

SECRET = "client-secret-for-tests-0123456789abcdef"
CASE = {"_id": "ci-1", "refId": "CS000101", "name": "t", "status": {"name": "Open"},
        "priority": {"name": "Medium"}, "currAssignee": {"aId": "a-1", "name": "John"},
        "dueDate": 1748491380000, "ETA": "2026-09-04T14:15:00.000Z", "unknownField": 1}


def client(handler, **kwargs):
    return KoreClient(host="https://kore.example.com", stream_id="st-1", client_id="cs-1",
                      client_secret=SecretStr(SECRET), account_id="acc-1",
                      transport=httpx.MockTransport(handler), sleep=lambda s: None, **kwargs)


def request():
    return CreateCaseRequest(caseTmp="ctm-1", name="Printer", desc="d",
                             userInfo=UserInfo(name="Al"), emailId="al@example.com",
                             source="rtm", dueDate=datetime(2026, 9, 4, 14, 15, tzinfo=UTC))


def test_create_case_sends_documented_headers_and_body():
    seen = {}

    def handler(req: httpx.Request):
        seen["req"] = req
        return httpx.Response(200, json=CASE)

    case = client(handler).create_case(request(), language="de")
    req = seen["req"]
    assert req.url.path == "/caseManagement/api/public/analytics/st-1/createCase"
    assert req.method == "POST"
    claims = jwt.decode(req.headers["auth"], SECRET, algorithms=["HS256"])
    assert claims["appId"] == "cs-1" and claims["jti"]
    assert 0 < claims["exp"] - claims["iat"] <= 3600
    assert req.headers["AccountId"] == "acc-1" and req.headers["Iid"] == "st-1"
    assert req.headers["bot-language"] == "de" and req.headers["app-language"] == "de"
    assert req.headers["User-Agent"].startswith("slackcase ")
    assert req.headers["Content-Length"] == str(len(req.content))
    body = json.loads(req.content)
    assert body["dueDate"] == "2026-09-04T14:15:00.000Z"
    assert body["userInfo"] == {"name": "Al"} and body["emailId"] == "al@example.com"
    assert "phoneNumber" not in body
    assert case.refId == "CS000101" and case.assignee_name == "John"
    assert case.due.year == 2025  # epoch milliseconds are read


def test_each_request_has_a_fresh_jti():
    tokens = []

    def handler(req):
        tokens.append(jwt.decode(req.headers["auth"], SECRET, algorithms=["HS256"])["jti"])
        return httpx.Response(200, json={"results": []})

    c = client(handler)
    c.get_cases(CaseQuery())
    c.get_cases(CaseQuery())
    assert len(set(tokens)) == 2


def test_request_model_needs_a_way_to_reach_the_requester():
    with pytest.raises(ValidationError):
        CreateCaseRequest(caseTmp="ctm-1", name="n", desc="d", userInfo=UserInfo(name="x"),
                          source="rtm", dueDate=datetime.now(UTC))
    ok = CreateCaseRequest(caseTmp="ctm-1", name="n", desc="d",
                           userInfo=UserInfo(_id="u-1"), source="rtm",
                           dueDate=datetime.now(UTC))
    assert ok.to_body()["userInfo"] == {"_id": "u-1"}


@pytest.mark.parametrize("status,body,error,unknown", [
    (401, {"errors": [{"msg": "Invalid SDK credentials", "code": 4002}]}, KoreAuthError, False),
    (400, {"errors": [{"msg": "caseTmp is required", "code": 400}]}, KoreRejected, False),
    (503, {"errors": [{"msg": "down"}]}, KoreUnavailable, True),
    (500, "oops", KoreUnavailable, True),
])
def test_errors_by_meaning(status, body, error, unknown):
    def handler(req):
        return httpx.Response(status, json=body) if isinstance(body, dict) else \
            httpx.Response(status, text=body)

    with pytest.raises(error) as exc:
        client(handler).create_case(request())
    assert exc.value.outcome_unknown is unknown
    if error is KoreRejected:
        assert exc.value.messages == ["caseTmp is required"]


def test_rate_limited_honours_retry_after_and_pauses_the_limiter():
    limiter = RateLimiter(60)
    c = client(lambda req: httpx.Response(429, headers={"Retry-After": "7"}, text="slow"),
               rate_limiter=limiter)
    with pytest.raises(KoreRateLimited) as exc:
        c.create_case(request())
    assert exc.value.retry_after == 7.0 and not exc.value.outcome_unknown
    assert limiter.estimated_wait() > 6


def test_timeout_means_outcome_unknown_and_refused_means_not_sent():
    def timeout(req):
        raise httpx.ReadTimeout("slow", request=req)

    def refused(req):
        raise httpx.ConnectError("refused", request=req)

    with pytest.raises(KoreUnavailable) as exc:
        client(timeout).create_case(request())
    assert exc.value.outcome_unknown
    with pytest.raises(KoreUnavailable) as exc:
        client(refused).create_case(request())
    assert not exc.value.outcome_unknown


def test_an_unexpected_failure_while_sending_counts_as_maybe_sent():
    """Whatever breaks once a request may be on the wire (here a RuntimeError from the
    transport) must lead to a reconcile, never to a second createCase."""
    def handler(req: httpx.Request) -> httpx.Response:
        raise RuntimeError("broken in the middle")

    with pytest.raises(KoreUnavailable) as caught:
        client(handler).create_case(request())
    assert caught.value.outcome_unknown


def test_malformed_json_is_a_bad_response():
    with pytest.raises(KoreBadResponse):
        client(lambda req: httpx.Response(200, text="{not json")).create_case(request())
    with pytest.raises(KoreBadResponse):
        client(lambda req: httpx.Response(200, json={"no": "id"})).create_case(request())


def test_get_cases_retries_reads_after_429_and_5xx():
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"}),
                    httpx.Response(503), httpx.Response(200, json={"results": [CASE],
                                                                   "hasMore": False})])
    page = client(lambda req: next(answers)).get_cases(CaseQuery(searchText="x"))
    assert page.results[0].id == "ci-1"


def test_no_httpx_exception_leaks():
    def boom(req):
        raise httpx.RemoteProtocolError("bad", request=req)

    with pytest.raises(KoreUnavailable):
        client(boom).update_case("ci-1", {"status": {"name": "Resolved"}})


def test_case_model_accepts_documented_variants():
    case = Case.model_validate({"_id": "ci-2", "refId": "CS2", "status": "Resolved",
                                "priority": None, "currAssignee": None,
                                "dueDate": "2026-01-01T00:00:00.000Z"})
    assert case.status.is_closed and case.assignee_name is None and case.due.year == 2026


def test_refused_new_calls_are_not_sent_and_end_a_retry_after_wait():
    sent: list[str] = []

    def handler(req: httpx.Request):
        sent.append(req.url.path)
        return httpx.Response(429, headers={"Retry-After": "60"}, text="slow")

    kore = KoreClient(host="https://kore.example.com", stream_id="st-1", client_id="cs-1",
                      client_secret=SecretStr(SECRET), transport=httpx.MockTransport(handler),
                      rate_limiter=RateLimiter(1_000))  # the real sleep, ended by the stop
    outcome: list[Exception] = []

    def read() -> None:
        try:
            kore.get_cases(CaseQuery())
        except Exception as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    while not sent:
        threading.Event().wait(0.01)
    kore.refuse_new_calls()  # the reader is waiting out Retry-After: 60
    reader.join(timeout=5)
    assert not reader.is_alive()
    assert isinstance(outcome[0], KoreStopped) and not outcome[0].outcome_unknown
    with pytest.raises(KoreStopped):
        kore.create_case(request())
    assert len(sent) == 1  # neither the retry nor the createCase went out
