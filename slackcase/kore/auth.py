"""JWTs for Kore.ai public APIs: HS256, claim appId, a fresh jti per request."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import jwt

TOKEN_TTL_SECONDS = 300  # Kore.ai refuses exp beyond 1 hour when a jti is present.


def mint_token(
    client_id: str,
    client_secret: str,
    *,
    now: Callable[[], float] = time.time,
    ttl: int = TOKEN_TTL_SECONDS,
) -> str:
    issued = int(now())
    claims = {
        "appId": client_id,
        "sub": "slackcase",
        "iat": issued,
        "exp": issued + min(ttl, 3600),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, client_secret, algorithm="HS256")
