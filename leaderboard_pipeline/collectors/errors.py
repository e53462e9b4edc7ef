"""Errors of the collectors, naming platform, org and the (redacted) request."""

from __future__ import annotations

import re

from leaderboard_pipeline.contract.errors import SourceError

_SECRET_QUERY = re.compile(r"(access_token|private_token|token)=[^&]*", re.IGNORECASE)


class CollectError(SourceError):
    """A request that could not be completed; names platform, org and the (redacted) request."""

    def __init__(self, platform: str, org: str, request: str, reason: str):
        super().__init__(f"{platform}: org {org!r}: {request}: {reason}")
        self.platform, self.org, self.request, self.reason = platform, org, request, reason


class ShapeError(CollectError):
    """A response that answered but lacks what the collector needs (a missing or odd field)."""


def redact(url: str) -> str:
    """Query-string tokens (Gitee's access_token) must never reach logs, errors or cassettes."""
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", url)
