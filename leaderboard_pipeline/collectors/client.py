"""The one HTTP client every collector goes through.

Per platform: an httpx client (base URL and token from env vars, `platforms`), a token-bucket rate
limiter sized to the platform's published limit (`pacing`), bounded concurrency, retries with backoff
that honour `Retry-After` and the platforms' rate-limit headers, in-run ETag reuse, and counters the
snapshot manifest is built from. Any request that finally fails raises `CollectError`, whose message
names platform, org and request.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import httpx

from leaderboard_pipeline.collectors.errors import CollectError, ShapeError, redact
from leaderboard_pipeline.collectors.pacing import (
    RETRY_STATUSES,
    Counters,
    TokenBucket,
    exhausted_after,
    header_wait,
    is_rate_limited_403,
)
from leaderboard_pipeline.collectors.platforms import (
    PlatformConfig,
    auth_description,
    base_url,
    cookie,
    effective_rate,
    token,
)
from leaderboard_pipeline.collectors.shape import BadShape
from leaderboard_pipeline.contract.errors import SourceError

log = logging.getLogger("leaderboard_pipeline.collectors")

USER_AGENT = "leaderboard-pipeline/0.1 (+osir leaderboard collectors)"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms; seven clients per month (and per probe) share one context.
    return httpx.create_ssl_context()


class PlatformClient:
    """An httpx client for one platform with limiter, retries, counters and error naming."""

    def __init__(
        self,
        config: PlatformConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
    ):
        self.config = config
        # Waits are interruptible so a failed month stops every platform at once (see `cancel`).
        self._cancelled = threading.Event()
        sleep = sleep or self._cancelled.wait
        self.base_url = base_url(config)
        self._token = token(config)
        self._cookie = cookie(config)
        self.auth = auth_description(config)
        self.rate = effective_rate(config, self._token is not None)
        headers = {"User-Agent": USER_AGENT, **dict(config.headers)}
        # Credentials go out from the start, except where anonymous access is tried first (BAAI).
        self._credentials = self._credential_headers() if not config.credentials_on_refusal else {}
        headers.update(self._credentials)
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            transport=transport,
            verify=shared_ssl_context(),
            follow_redirects=True,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
        )
        self.counters = Counters()
        self._bucket = TokenBucket(self.rate, config.burst, sleep=sleep)
        self._sem = threading.BoundedSemaphore(config.concurrency)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._etags: dict[str, httpx.Response] = {}
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()
        self.answered = False  # a request succeeded: the platform is reachable and serving

    def _credential_headers(self) -> dict[str, str]:
        headers = {}
        if self._token and self.config.auth == "bearer":
            headers["Authorization"] = f"Bearer {self._token}"
        if self._cookie:
            headers["Cookie"] = self._cookie
        return headers

    def use_credentials(self) -> bool:
        """After an anonymous refusal: send the token / cookie from now on. False when there is none."""
        with self._lock:
            if self._credentials:
                return False  # already sent: the credentials themselves were refused
            self._credentials = self._credential_headers()
            self._client.headers.update(self._credentials)
            return bool(self._credentials)

    def refused(self, org: str, what: str, reason: str):
        """Access refused: say which credentials would help (or that the ones given were refused)."""
        names = " or ".join((*self.config.token_env, *self.config.cookie_env)) or "a token"
        if self._credentials:
            self.fail(org, what, f"{reason}: refused with {self.auth} (expired? log in again and renew it)")
        self.fail(org, what, f"{reason}: anonymous access refused; set {names} and run again")

    def close(self) -> None:
        self._client.close()

    def cancel(self) -> None:
        """Stop: pending waits return at once and further requests fail (the month is already lost)."""
        self._cancelled.set()

    @contextmanager
    def tally(self, *extra: Counters):
        """Also count this thread's requests into `extra` (per table, per org) while inside the block."""
        previous = getattr(self._local, "extra", ())
        self._local.extra = (*previous, *extra)
        try:
            yield
        finally:
            self._local.extra = previous

    def _count(self, **deltas: int) -> None:
        for counters in (self.counters, *getattr(self._local, "extra", ())):
            counters.add(**deltas)

    def note(self, text: str) -> None:
        """Record which variant of an API answered (the snapshot manifest's `detail`)."""
        for counters in (self.counters, *getattr(self._local, "extra", ())):
            counters.note(text)

    @contextmanager
    def checking(self, org: str, what: str):
        """Turn a `BadShape` raised inside into a ShapeError naming platform, org and request."""
        try:
            yield
        except BadShape as exc:
            self.shape_fail(org, what, str(exc))

    def shape_fail(self, org: str, what: str, reason: str):
        self._count(failures=1)
        raise ShapeError(self.config.name, org, what, reason) from None

    # -- waiting -------------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads concurrent retries instead of retrying in lockstep.
        return self._rng.uniform(
            0, min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1))
        )

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(min(seconds, self.config.max_wait))

    def _wait_turn(self) -> None:
        with self._lock:
            blocked = self._blocked_until - time.monotonic()
        self._pause(blocked)
        self._bucket.acquire()

    # -- requests ------------------------------------------------------------------------------------
    def describe(self, method: str, url: str, params: Any = None) -> str:
        full = str(self._client.build_request(method, url, params=params).url)
        return f"{method} {redact(full)}"

    def request(
        self,
        method: str,
        url: str,
        *,
        org: str,
        params: Any = None,
        json_body: Any = None,
        allow: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send with retries; returns a 2xx response, or one whose status is listed in `allow`."""
        cfg = self.config
        if self._token and cfg.auth == "query":
            params = [*_as_pairs(params), ("access_token", self._token)]
        what = self.describe(method, url, params)
        attempt = connect_failures = 0
        unsent = False  # the last attempt never reached the server: it cost no quota, so no limiter token
        while True:
            attempt += 1
            if not unsent:
                self._wait_turn()
            unsent = False
            if self._cancelled.is_set():
                raise CollectError(cfg.name, org, what, "cancelled: another request of this month failed")
            headers = {}
            cached = self._etags.get(what) if cfg.etags and method == "GET" else None
            if cached is not None and cached.headers.get("etag"):
                headers["If-None-Match"] = cached.headers["etag"]
            reason, wait = None, None
            with self._sem:
                self._count(requests=1)
                try:
                    resp = self._client.request(method, url, params=params, json=json_body, headers=headers)
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    connect_failures += 1
                    if connect_failures > cfg.connect_retries:
                        self.fail(org, what, f"cannot connect ({type(exc).__name__}: {exc})")
                    reason, wait = f"connect {type(exc).__name__}", min(0.2 * connect_failures, 1.0)
                    unsent = True
                except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                    reason, wait = f"{type(exc).__name__}", self._backoff(attempt)
                except httpx.HTTPError as exc:
                    self.fail(org, what, f"{type(exc).__name__}: {exc}")
                except SourceError as exc:  # a cassette miss in replay mode: never retried
                    self.fail(org, what, str(exc))
            if reason is None:
                status = resp.status_code
                if status == 304 and cached is not None:
                    return cached
                if status == 202 and cfg.retry_202:
                    reason, wait = "202 still computing", self._backoff(attempt)
                elif status in RETRY_STATUSES or is_rate_limited_403(resp):
                    reason = f"HTTP {status}"
                    wait = header_wait(resp)
                    if wait is None:
                        wait = self._backoff(attempt)
                        if status == 403:  # GitHub secondary limit without a hint: wait at least a minute
                            wait = max(wait, cfg.secondary_wait)
                elif status in (401, 403) and cfg.credentials_on_refusal and status not in allow:
                    if not self.use_credentials():
                        self.refused(org, what, f"HTTP {status}: {_snippet(resp)}")
                    reason, wait = f"HTTP {status}, now with {self.auth}", 0.0
                elif 200 <= status < 300 or status in allow:
                    self.answered = True
                    self._note_quota(resp)
                    if cfg.etags and status == 200 and method == "GET" and resp.headers.get("etag"):
                        self._etags[what] = resp
                    return resp
                else:
                    self.fail(org, what, f"HTTP {status}: {_snippet(resp)}")
            if attempt >= cfg.max_attempts:
                self.fail(org, what, f"gave up after {attempt} attempts (last: {reason})")
            self._count(retries=1)
            log.debug("%s org=%s retry %d after %s: %s", cfg.name, org, attempt, reason, what)
            self._pause(wait)

    def _note_quota(self, resp: httpx.Response) -> None:
        until = exhausted_after(resp)
        if until is not None:
            with self._lock:
                self._blocked_until = time.monotonic() + min(until, self.config.max_wait)

    def fail(self, org: str, what: str, reason: str):
        self._count(failures=1)
        raise CollectError(self.config.name, org, what, reason)

    def get_json(self, url: str, *, org: str, params: Any = None, allow: tuple[int, ...] = ()) -> Any:
        return self.parse_json(self.request("GET", url, org=org, params=params, allow=allow), org)

    def parse_json(self, resp: httpx.Response, org: str) -> Any:
        """Decode a body, turning HTML error pages and truncated JSON into named errors."""
        with self.checking(org, requested(resp)):
            return decode_json(resp)


def requested(resp: httpx.Response) -> str:
    """The request behind a response, as error messages name it (tokens redacted)."""
    return f"{resp.request.method} {redact(str(resp.request.url))}"


def decode_json(resp: httpx.Response) -> Any:
    """A body as JSON; an HTML page or truncated JSON is `BadShape`, never parsed into empty data."""
    text = resp.text
    if "html" in resp.headers.get("content-type", "") or text.lstrip()[:1] == "<":
        raise BadShape(f"HTML page instead of JSON (HTTP {resp.status_code}): {_snippet(resp)}")
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise BadShape(f"truncated or invalid JSON ({len(text)} bytes, {exc.msg} at {exc.pos})") from None


def _as_pairs(params: Any) -> list[tuple[str, Any]]:
    if params is None:
        return []
    if isinstance(params, dict):
        return [(k, x) for k, v in params.items() for x in (v if isinstance(v, list | tuple) else [v])]
    return list(params)


def _snippet(resp: httpx.Response) -> str:
    return " ".join(resp.text[:160].split())


def next_link(resp: httpx.Response) -> str | None:
    return resp.links.get("next", {}).get("url")


def last_page(resp: httpx.Response) -> int | None:
    """Page number in `Link: <...page=N>; rel="last"`: the count trick for per_page=1 listings."""
    url = resp.links.get("last", {}).get("url")
    if not url:
        return None
    page = httpx.URL(url).params.get("page")
    return int(page) if page and page.isdigit() else None
