"""The embedded Kore.ai case-API emulator: same paths, strict JWT and body checks, faults.

It serves `slackcase sandbox`, `KORE_HOST=sandbox`, the demo, the tests and the
benchmark. Admin endpoints under `/_sandbox/` let another process inject faults,
change cases and read what was received.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt

from slackcase.kore.models import EMAIL, PHONE, iso_ms
from slackcase.sandbox.kore_rules import (
    AGENTS,
    CREATE_FIELDS,
    ISO_MS,
    PATH,
    PRIORITIES,
    QUERY_FIELDS,
    STATUSES,
    UPDATE_FIELDS,
    Fault,
    Received,
    SandboxError,
    checked_update,
    query_date,
    status_error,
)
from slackcase.sandbox.loopback import (
    LoopbackServer,
    serve_in_thread,
    server_url,
)

log = logging.getLogger("slackcase.sandbox")

DEV_STREAM_ID = "st-sandbox-0001"
DEV_CLIENT_ID = "cs-sandbox-client"
DEV_CLIENT_SECRET = "sandbox-secret-for-local-development-only"
DEV_ACCOUNT_ID = "5f0c0ffee0ddba11c0ffee00"
DEV_TEMPLATES = {"ctm-general": "General", "ctm-it": "IT Support"}

class KoreSandbox:
    """State and rules of the emulator; `serve()` puts it on a loopback port."""

    def __init__(
        self,
        *,
        stream_id: str = DEV_STREAM_ID,
        client_id: str = DEV_CLIENT_ID,
        client_secret: str = DEV_CLIENT_SECRET,
        account_id: str | None = None,
        templates: dict[str, str] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.stream_id = stream_id
        self.client_id = client_id
        self._secret = client_secret
        self.account_id = account_id
        self.templates = dict(templates or DEV_TEMPLATES)
        self.latency = latency
        self.cases: dict[str, dict[str, Any]] = {}
        self.received: list[Received] = []
        self.faults: list[Fault] = []
        self._seen_jti: dict[str, float] = {}
        self._ref = itertools.count(101)
        self._lock = threading.RLock()
        self._server: LoopbackServer | None = None

    def __repr__(self) -> str:
        return f"KoreSandbox(stream_id={self.stream_id!r}, url={self.url!r})"

    # ---- lifecycle ------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        from slackcase.sandbox.kore_http import handler_for

        self._server = serve_in_thread(handler_for(self), host, port, "kore-sandbox")
        return self.url

    @property
    def url(self) -> str | None:
        return server_url(self._server) if self._server else None

    def close(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- test and benchmark controls ---------------------------------------------------------
    def inject(self, **kwargs: Any) -> Fault:
        fault = Fault(**kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def requests(self, op: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if op is None or r.op == op]

    def set_status(self, case_id: str, status: str) -> dict[str, Any]:
        return self._update(case_id, {"status": {"name": status}})

    def assign(self, case_id: str, agent_index: int) -> dict[str, Any]:
        return self.set_assignee(case_id, AGENTS[agent_index % len(AGENTS)])

    def set_assignee(self, case_id: str, assignee: dict[str, Any]) -> dict[str, Any]:
        return self._update(case_id, {"currAssignee": dict(assignee)})

    # ---- request handling -----------------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes]:
        match = PATH.match(path.split("?")[0])
        if not match:
            raise SandboxError(404, f"no such API: {path}")
        if match["stream"] != self.stream_id:
            raise SandboxError(404, f"unknown streamId {match['stream']}")
        op = match["op"].split("/")[0]
        self._verify_jwt(headers.get("auth"))
        if headers.get("iid") not in (None, self.stream_id):
            raise SandboxError(400, "Iid header does not match the streamId")
        # Kore.ai documents AccountId as required on getCases and updateCase; the emulator
        # without an account of its own (the development pair) lets getCases pass without.
        if not headers.get("accountid") and (op == "updateCase" or
                                             (op == "getCases" and self.account_id)):
            raise SandboxError(400, "AccountId header is required")
        if self.account_id and headers.get("accountid") not in (None, self.account_id):
            raise SandboxError(401, "AccountId does not match the app's account", 4002)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise SandboxError(400, "body is not valid JSON") from None
        with self._lock:
            safe = {k: v for k, v in headers.items() if k != "auth"}
            self.received.append(Received(op, safe, body))
            fault = next((f for f in self.faults if f.matches(op)), None)
            if fault:
                fault.times -= 1
        if self.latency:
            time.sleep(self.latency)
        if fault and fault.status and not fault.commit:
            if fault.delay:
                time.sleep(fault.delay)
            raise status_error(fault)
        if fault and fault.delay:
            time.sleep(fault.delay)
        result = self._dispatch(op, match["case"], body)
        if fault and fault.commit and fault.status:
            raise status_error(fault)
        if fault and fault.malformed:
            return 200, b'{"_id": "ci-'
        return 200, json.dumps(result).encode()

    def _dispatch(self, op: str, case_id: str | None, body: Any) -> Any:
        if not isinstance(body, dict):
            raise SandboxError(400, "body must be a JSON object")
        if op == "createCase":
            return self._create(body)
        if op == "getCases":
            return self._query(body)
        return self._update(checked_update(case_id or "", body), body)

    def _verify_jwt(self, token: str | None) -> None:
        if not token:
            raise SandboxError(401, "error verifying the jwt: missing auth header")
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"],
                                options={"require": ["appId"], "verify_aud": False})
        except jwt.PyJWTError as exc:
            raise SandboxError(401, f"error verifying the jwt: {exc}") from None
        if claims.get("appId") != self.client_id:
            raise SandboxError(401, "Invalid SDK credentials", 4002)
        jti = claims.get("jti")
        if jti:
            if "exp" not in claims or claims["exp"] - claims.get("iat", time.time()) > 3600:
                raise SandboxError(401, 'error verifying the jwt: if "jti" claim "exp" must be '
                                        "<= 1 hour(s)")
            with self._lock:
                now = time.time()
                if jti in self._seen_jti:
                    raise SandboxError(401, "error verifying the jwt: possibly a replay")
                self._seen_jti[jti] = claims["exp"]
                if len(self._seen_jti) > 50000:
                    self._seen_jti = {k: v for k, v in self._seen_jti.items() if v > now}

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - CREATE_FIELDS
        if unknown:
            raise SandboxError(400, f"unknown fields: {', '.join(sorted(unknown))}")
        for name in ("caseTmp", "name", "desc", "source", "dueDate"):
            if not isinstance(body.get(name), str) or not body[name].strip():
                raise SandboxError(400, f"{name} is required")
        if not re.match(r"^ctm-[A-Za-z0-9-]+$", body["caseTmp"]):
            raise SandboxError(400, "caseTmp must be a case template id ctm-…")
        if self.templates and body["caseTmp"] not in self.templates:
            raise SandboxError(400, f"case template {body['caseTmp']} not found")
        if not ISO_MS.match(body["dueDate"]):
            raise SandboxError(400, "dueDate must be ISO-8601 UTC with milliseconds")
        user = body.get("userInfo")
        if not isinstance(user, dict) or set(user) - {"_id", "name"}:
            raise SandboxError(400, "userInfo must be an object with optional _id and name")
        email, phone = body.get("emailId"), body.get("phoneNumber")
        if not user.get("_id") and not (email or phone):
            raise SandboxError(400, "emailId or phoneNumber is required without userInfo._id")
        if email is not None and not (isinstance(email, str) and EMAIL.match(email)):
            raise SandboxError(400, "emailId is invalid")
        if phone is not None and not (isinstance(phone, str) and PHONE.match(phone)):
            raise SandboxError(400, "phoneNumber is invalid")
        now = datetime.now(UTC)
        due = datetime.fromisoformat(body["dueDate"].replace("Z", "+00:00"))
        template = body["caseTmp"]
        agent = AGENTS[sum(template.encode()) % len(AGENTS)]
        user_id = user.get("_id") or "u-" + uuid.uuid5(uuid.NAMESPACE_URL,
                                                      str(email or phone)).hex[:12]
        with self._lock:
            ref = f"CS{next(self._ref):06d}"
        case = {
            "_id": "ci-" + uuid.uuid4().hex, "refId": ref, "accountId": self.account_id,
            "iId": self.stream_id, "orgId": "o-sandbox",
            "caseTmp": self.templates.get(template, "General"), "caseTmpId": template,
            "name": body["name"], "lname": body["name"].lower(), "desc": body["desc"],
            "tags": [], "userInfo": {"_id": user_id, "name": user.get("name"), "emailId": email},
            "participants": [dict(agent, pStatus="active", assignedAt=iso_ms(now))],
            "assigneeType": "agent", "currAssignee": dict(agent),
            "status": dict(STATUSES["open"]), "priority": dict(PRIORITIES["medium"]),
            "source": body["source"], "language": "en", "conversationType": "CASE",
            "isActive": True, "createdAt": iso_ms(now), "updatedAt": iso_ms(now),
            "dueDate": iso_ms(due), "ETA": iso_ms(due),
        }
        with self._lock:
            self.cases[case["_id"]] = case
        return case

    def _query(self, body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - QUERY_FIELDS
        if unknown:
            raise SandboxError(400, f"unknown filters: {', '.join(sorted(unknown))}")
        skip, limit = int(body.get("skip", 0)), int(body.get("limit", 50))
        if skip < 0 or not 1 <= limit <= 100:
            raise SandboxError(400, "skip must be >= 0 and limit between 1 and 100")
        start, end = query_date(body, "startDate"), query_date(body, "endDate")
        text = (body.get("searchText") or "").lower()
        with self._lock:
            cases = [dict(c) for c in self.cases.values()]
        hits = []
        for case in cases:
            created = datetime.fromisoformat(case["createdAt"].replace("Z", "+00:00"))
            if text and text not in case["name"].lower() and text != case["refId"].lower():
                continue
            if body.get("unresolved") and case["status"]["name"] in ("Resolved", "Closed"):
                continue
            if (start and created < start) or (end and created > end):
                continue
            hits.append(case)
        hits.sort(key=lambda c: c["createdAt"], reverse=True)
        page = hits[skip:skip + limit]
        for case in page:  # getCases returns dueDate as epoch milliseconds
            due = datetime.fromisoformat(case["dueDate"].replace("Z", "+00:00"))
            case["dueDate"] = int(due.timestamp() * 1000)
        return {"results": page, "page": skip // limit + 1, "limit": limit,
                "hasMore": skip + limit < len(hits), "totalPages": -(-len(hits) // limit),
                "totalResults": len(hits)}

    def _update(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - UPDATE_FIELDS
        if unknown:
            raise SandboxError(400, f"unknown fields: {', '.join(sorted(unknown))}")
        with self._lock:
            case = self.cases.get(case_id)
            if case is None:
                raise SandboxError(404, f"case {case_id} not found")
            for key, value in body.items():
                if key == "status":
                    name = (value.get("name") or value.get("_id", "")).lower() \
                        if isinstance(value, dict) else str(value).lower()
                    status = STATUSES.get(name) or next(
                        (s for s in STATUSES.values() if s["_id"] == name), None)
                    if status is None:
                        raise SandboxError(400, f"unknown status {value!r}")
                    case["status"] = dict(status)
                elif key == "priority":
                    name = value.get("name", "") if isinstance(value, dict) else str(value)
                    if name.lower() not in PRIORITIES:
                        raise SandboxError(400, f"unknown priority {value!r}")
                    case["priority"] = dict(PRIORITIES[name.lower()])
                elif key == "currAssignee":
                    case["currAssignee"] = value
                    case["assigneeType"] = "agent" if value else "unassigned"
                elif key == "dueDate" and isinstance(value, int):  # epoch ms here
                    case["dueDate"] = iso_ms(datetime.fromtimestamp(value / 1000, UTC))
                elif key == "name":
                    case["name"], case["lname"] = value, value.lower()
                else:
                    case[key] = value
            case["updatedAt"] = iso_ms(datetime.now(UTC))
            return {k: case[k] for k in ("_id", "caseTmp", "name", "userInfo", "status",
                                         "priority", "refId", "assigneeType", "currAssignee",
                                         "createdAt", "updatedAt", "ETA", "dueDate")}

    # ---- admin over HTTP -----------------------------------------------------------------
    def admin(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        body = json.loads(raw) if raw else {}
        if path == "/_sandbox/faults" and method == "POST":
            self.inject(**body)
            return 200, {"ok": True}
        if path == "/_sandbox/faults" and method == "DELETE":
            self.clear_faults()
            return 200, {"ok": True}
        if path == "/_sandbox/latency" and method == "POST":
            self.latency = float(body["seconds"])
            return 200, {"ok": True}
        if path == "/_sandbox/cases" and method == "GET":
            with self._lock:
                return 200, {"cases": list(self.cases.values())}
        if path.startswith("/_sandbox/cases/") and method == "POST":
            return 200, self._update(path.rsplit("/", 1)[1], body)
        if path == "/_sandbox/requests" and method == "GET":
            return 200, {"requests": [{"op": r.op, "body": r.body, "headers": r.headers}
                                      for r in self.requests()]}
        return 404, {"errors": [{"msg": f"no admin route {method} {path}", "code": 404}]}
