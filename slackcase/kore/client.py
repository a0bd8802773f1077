"""One client for Kore.ai's Case Management API, one request path."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from slackcase.kore.auth import mint_token
from slackcase.kore.errors import (
    KoreAuthError,
    KoreBadResponse,
    KoreError,
    KoreNoAnswer,
    KoreRateLimited,
    KoreRejected,
    KoreStopped,
    KoreUnavailable,
)
from slackcase.kore.models import Case, CasePage, CaseQuery, CreateCaseRequest
from slackcase.kore.ratelimit import LimiterClosed, RateLimiter

log = logging.getLogger("slackcase.kore")

BASE_PATH = "/caseManagement/api/public/analytics/{stream_id}"
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 300.0
SAFE_READ_ATTEMPTS = 3
MAX_CONNECTIONS = 64  # = the job pool (jobs.JOB_WORKERS)
USER_AGENT = f"slackcase httpx/{httpx.__version__}"
# A call's outcome as metrics name it, by the error it ended in (most specific first).
OUTCOMES = ((KoreRateLimited, "rate_limited"), (KoreAuthError, "auth"),
            (KoreRejected, "rejected"), (KoreNoAnswer, "no_answer"),
            (KoreUnavailable, "unavailable"), (KoreBadResponse, "bad_response"))
Observe = Callable[[str, str, float], None]  # (endpoint, outcome, seconds) of each call


class KoreClient:
    """Typed methods over a single `_request` that owns auth, headers, limits and errors.

    createCase and updateCase are sent once; the caller decides about retries
    (a createCase whose outcome is unknown must be reconciled first). getCases
    is a read and is retried here, honouring Retry-After.
    """

    def __init__(
        self,
        *,
        host: str,
        stream_id: str,
        client_id: str,
        client_secret: SecretStr,
        account_id: str | None = None,
        timeout: float = 10.0,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], object] | None = None,
        observe: Observe | None = None,
    ) -> None:
        self.stream_id = stream_id
        self._observe = observe or (lambda endpoint, outcome, seconds: None)
        self._client_id = client_id
        self._secret = client_secret
        self._account_id = account_id
        self.limiter = rate_limiter or RateLimiter(60)
        self._sleep = sleep or self.limiter.sleep  # so refuse_new_calls() ends it too
        self._base_url = host.rstrip("/") + BASE_PATH.format(stream_id=stream_id)
        # One client, its pool as large as the job pool can have calls in flight, so a
        # burst never queues behind requests waiting on Kore.ai.
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS,
                                max_keepalive_connections=MAX_CONNECTIONS),
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"KoreClient(base_url={self._base_url!r})"

    def refuse_new_calls(self) -> None:
        """The process is stopping: calls in flight finish; calls not yet begun, and those
        waiting for the rate limit or a Retry-After, raise KoreStopped at once."""
        self.limiter.close()

    def close(self) -> None:
        self.limiter.close()
        self._http.close()

    # ---- typed API -----------------------------------------------------------------
    def create_case(self, request: CreateCaseRequest, *, language: str = "en") -> Case:
        data = self._request("/createCase", request.to_body(), language=language)
        return _parse(Case, data)

    def get_cases(self, query: CaseQuery) -> CasePage:
        for attempt in range(1, SAFE_READ_ATTEMPTS + 1):
            try:
                return _parse(CasePage, self._request("/getCases", query.to_body()))
            except KoreRateLimited as exc:
                if attempt == SAFE_READ_ATTEMPTS:
                    raise
                self._sleep(min(exc.retry_after, 30.0))
            except (KoreUnavailable, KoreBadResponse):
                if attempt == SAFE_READ_ATTEMPTS:
                    raise
                self._sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    def update_case(self, case_id: str, changes: dict[str, Any]) -> Case:
        return _parse(Case, self._request(f"/updateCase/{case_id}", changes))

    # ---- the one request path -----------------------------------------------------------
    def _headers(self, language: str) -> dict[str, str]:
        headers = {
            "auth": mint_token(self._client_id, self._secret.get_secret_value()),
            "Iid": self.stream_id,
            "Content-Type": "application/json;charset=UTF-8",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "bot-language": language,
            "app-language": language,
        }
        if self._account_id:
            headers["AccountId"] = self._account_id
        return headers

    def _request(self, path: str, body: dict[str, Any], *, language: str = "en") -> Any:
        try:
            waited = self.limiter.acquire()
        except LimiterClosed:
            raise KoreStopped from None
        started = time.monotonic()
        outcome = "error"
        try:
            result = self._send(path, body, language, waited, started)
            outcome = "ok"
            return result
        except KoreError as exc:
            outcome = next((name for kind, name in OUTCOMES if isinstance(exc, kind)), "error")
            raise
        finally:
            self._observe(path.split("/")[1], outcome, time.monotonic() - started)

    def _send(self, path: str, body: dict[str, Any], language: str, waited: float,
              started: float) -> Any:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                             allow_nan=False).encode()
        try:
            response = self._http.post(self._base_url + path, headers=self._headers(language),
                                       content=content)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            log.warning("kore %s not reached: %s", path, type(exc).__name__)
            raise KoreUnavailable(f"could not connect to Kore.ai ({type(exc).__name__})",
                                  sent=False) from None
        except httpx.TimeoutException:
            log.warning("kore %s timed out", path)
            raise KoreNoAnswer("Kore.ai did not answer in time") from None
        except Exception as exc:  # anything else may have reached Kore.ai: reconcile it
            log.warning("kore %s failed: %s", path, type(exc).__name__)
            raise KoreNoAnswer(f"connection to Kore.ai failed ({type(exc).__name__})") from None
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info("kore %s -> %s in %.0f ms (queued %.0f ms)", path, response.status_code,
                 elapsed_ms, waited * 1000)
        return self._interpret(response)

    def _interpret(self, response: httpx.Response) -> Any:
        status = response.status_code
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            self.limiter.pause(retry_after)
            raise KoreRateLimited(_messages(response)[0] if _messages(response) else
                                  "Kore.ai rate limit reached", retry_after=retry_after)
        if status in (401, 403):
            raise KoreAuthError("; ".join(_messages(response)) or "unauthorised", status=status)
        if 400 <= status < 500:
            raise KoreRejected(_messages(response) or [f"HTTP {status}"], status=status)
        if status >= 500:
            raise KoreUnavailable(f"Kore.ai answered HTTP {status}", status=status, sent=True)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise KoreBadResponse("Kore.ai answered with malformed JSON", status=status) from None


def _parse(model: type[Any], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KoreBadResponse(f"unexpected {model.__name__} shape: "
                              f"{exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from None


def _messages(response: httpx.Response) -> list[str]:
    with contextlib.suppress(ValueError):
        data = response.json()
        if isinstance(data, dict) and isinstance(data.get("errors"), list):
            return [str(e.get("msg", e)) if isinstance(e, dict) else str(e)
                    for e in data["errors"]]
    text = response.text.strip()
    return [text[:300]] if text else []


def _retry_after(raw: str | None) -> float:
    if not raw:
        return DEFAULT_RETRY_AFTER
    try:
        return max(0.0, min(float(raw), MAX_RETRY_AFTER))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(raw).timestamp()
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER
        return max(0.0, min(when - time.time(), MAX_RETRY_AFTER))


__all__ = ["KoreClient", "KoreError"]
