"""Record and replay HTTP responses as an httpx transport, so replays run the very same client code.

Layout: `<root>/<month>/<platform>/<sha256(method, path, body)[:20]>.json`. Keys and stored URLs are
relative to the platform's base URL (and absolute URLs in `Link` headers are stored with a `{BASE}`
placeholder), so a month recorded against a mock server or a mirror replays against any base URL.
Secrets never reach disk: request headers are not stored, query tokens are redacted, and
Authorization / cookie / request-id headers are dropped from responses.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import httpx

from leaderboard_pipeline.collectors.errors import redact
from leaderboard_pipeline.collectors.limits import BoundedTransport, read_body
from leaderboard_pipeline.contract.errors import SourceError

MODES = ("record", "replay", "off")
_DROP_HEADERS = {
    "authorization",
    "cookie",
    "set-cookie",
    "x-request-id",
    "x-github-request-id",
    "x-amz-cf-id",
    # Bodies are stored decoded, so these would lie on replay.
    "content-encoding",
    "content-length",
    "transfer-encoding",
    "connection",
}
_BASE = "{BASE}"


class CassetteMiss(SourceError):
    """Replay asked for a request that was never recorded."""


def cassette_mode(explicit: str | None = None) -> str:
    mode = explicit or os.environ.get("LEADERBOARD_CASSETTES") or "off"
    if mode not in MODES:
        raise ValueError(f"cassette mode must be one of {MODES}, got {mode!r}")
    return mode


def _relative(url: str, base: str) -> str:
    url = redact(url)
    return url[len(base) :] if url.startswith(base) else url


def request_key(method: str, relative_url: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method.upper()} {relative_url}\n".encode() + body)
    return digest.hexdigest()[:20]


class CassetteTransport(httpx.BaseTransport):
    """Wraps a real transport (record) or replaces it (replay); `off` passes through."""

    def __init__(
        self,
        directory: Path,
        mode: str,
        base_url: str,
        inner: httpx.BaseTransport | None = None,
    ):
        self.directory, self.mode = Path(directory), cassette_mode(mode)
        self.base = base_url.rstrip("/")
        self.inner = inner or BoundedTransport()

    def _path(self, request: httpx.Request) -> tuple[Path, str]:
        rel = _relative(str(request.url), self.base)
        return self.directory / f"{request_key(request.method, rel, request.content)}.json", rel

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.mode == "off":
            return self.inner.handle_request(request)
        path, rel = self._path(request)
        if self.mode == "replay":
            if not path.exists():
                raise CassetteMiss(f"no recording for {request.method} {rel} (looked for {path})")
            entry = json.loads(path.read_text())
            res = entry["response"]
            headers = [(k, v.replace(_BASE, self.base)) for k, v in res["headers"]]
            return httpx.Response(
                res["status"], headers=headers, content=res["body"].encode(), request=request
            )
        response = self.inner.handle_request(request)
        try:
            body = read_body(response)  # inflated in bounded steps, within the request's deadline and cap
        finally:
            response.close()
        entry = {
            "request": {"method": request.method, "url": rel, "body": request.content.decode() or None},
            "response": {
                "status": response.status_code,
                "headers": [
                    (k, v.replace(self.base, _BASE))
                    for k, v in response.headers.multi_items()
                    if k.lower() not in _DROP_HEADERS
                ],
                "body": body.decode("utf-8", errors="replace"),
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(entry, ensure_ascii=False, indent=1) + "\n")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROP_HEADERS]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    def close(self) -> None:
        self.inner.close()
