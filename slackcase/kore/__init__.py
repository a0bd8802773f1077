"""The only code that knows Kore.ai's Case Management HTTP API."""

from slackcase.kore.client import KoreClient
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
from slackcase.kore.models import Case, CasePage, CaseQuery, CreateCaseRequest, UserInfo

__all__ = [
    "Case",
    "CasePage",
    "CaseQuery",
    "CreateCaseRequest",
    "KoreAuthError",
    "KoreBadResponse",
    "KoreClient",
    "KoreError",
    "KoreNoAnswer",
    "KoreRateLimited",
    "KoreRejected",
    "KoreStopped",
    "KoreUnavailable",
    "UserInfo",
]
