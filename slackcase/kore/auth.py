"""JWTs for Kore.ai public APIs: HS256, claim appId, a fresh jti per request."""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Callable

import jwt

TOKEN_TTL_SECONDS = 300  # Kore.ai refuses exp beyond 1 hour when a jti is present.

# PyJWT (2.10 and later) prints a Python warning, with its source line, to stderr when an
# HMAC key is shorter than 32 bytes. Kore.ai issues the client secret; its length is not
# the operator's to choose, and a secret copied wrong is told by Kore.ai refusing the JWT
# (`slackcase check` says so in one line).
_SHORT_KEY = getattr(jwt, "InsecureKeyLengthWarning", None)
if _SHORT_KEY is not None:
    warnings.filterwarnings("ignore", category=_SHORT_KEY)


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
