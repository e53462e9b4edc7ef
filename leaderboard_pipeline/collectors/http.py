"""The one HTTP layer every collector goes through.

Per platform: an httpx client (base URL and token from env vars), a token-bucket rate limiter sized to
the platform's published limit, bounded concurrency, retries with backoff that honour `Retry-After` and
the platforms' rate-limit headers, in-run ETag reuse, and counters the snapshot manifest is built from.
Any request that finally fails raises `CollectError`, whose message names platform, org and request.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import os
import random
import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from leaderboard_pipeline.collectors.shape import BadShape
from leaderboard_pipeline.sources.base import SourceError

log = logging.getLogger("leaderboard_pipeline.collectors")

USER_AGENT = "leaderboard-pipeline/0.1 (+osir leaderboard collectors)"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_SECRET_QUERY = re.compile(r"(access_token|private_token|token)=[^&]*", re.IGNORECASE)
_HF_RATELIMIT = re.compile(r"r=(?P<r>\d+);\s*t=(?P<t>\d+)")


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


@dataclass(frozen=True)
class PlatformConfig:
    key: str  # short id used in paths and env vars: huggingface, modelscope, github, ...
    name: str  # display name used in messages and the org_registry table
    default_url: str
    url_env: tuple[str, ...]
    token_env: tuple[str, ...]
    auth: str = "bearer"  # "bearer" header, or "query" (Gitee's access_token parameter)
    rate: float = 1.0  # sustained requests per second the limiter allows (with a token, if it matters)
    anonymous_rate: float | None = None  # the rate without a token, where the published quota is lower
    quota: str = "none published"  # the published limits, for the up-front time estimate and the probe
    cookie_env: tuple[str, ...] = ()  # a session cookie (BAAI), sent as the Cookie header
    credentials_on_refusal: bool = False  # anonymous first; token / cookie only once access is refused
    burst: int = 1  # token-bucket capacity
    concurrency: int = 1
    max_attempts: int = 5
    connect_retries: int = 2  # a refused connection means "no network": fail fast, do not loop
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    secondary_wait: float = 60.0  # GitHub: first wait after a secondary rate limit
    max_wait: float = 300.0  # longest single wait honoured from a server header
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retry_202: bool = False  # GitHub answers 202 while it computes statistics
    etags: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def window_rate(quota: int, window_s: float, burst: int) -> float:
    """Limiter rate for a fixed-window quota: (quota - burst) / window.

    A full bucket spent right at a window's start plus the steady rate would otherwise fit quota + burst
    requests into one window and draw 429s; leaving the burst out of the rate makes that impossible.
    """
    return (quota - burst) / window_s


# Rates are the published limits (docs/data-sources.md): HF 500 requests / 5 min anonymous (1000 with a
# token), GitHub 5000 / h with a token (60 / h without), GitCode 50 / min; the rest publish none and get a
# polite 1 / s. Concurrency follows the per-host advice in platform-apis.md §2.
PLATFORMS: dict[str, PlatformConfig] = {
    c.key: c
    for c in (
        PlatformConfig(
            "huggingface",
            "HuggingFace",
            "https://huggingface.co",
            ("HF_ENDPOINT",),
            ("HF_TOKEN",),
            rate=window_rate(1000, 300, burst=4),  # free-account token: 1000 per 5-minute fixed window
            anonymous_rate=window_rate(500, 300, burst=4),  # anonymous: 500 per 5 minutes per IP
            quota="1000 / 5 min with HF_TOKEN, 500 / 5 min anonymous",
            burst=4,
            concurrency=4,
        ),
        PlatformConfig(
            "modelscope",
            "ModelScope",
            "https://modelscope.cn",
            ("MODELSCOPE_ENDPOINT",),
            ("MODELSCOPE_API_TOKEN", "MODELSCOPE_TOKEN"),
            rate=2.0,
            burst=2,
            concurrency=2,
        ),
        PlatformConfig(
            "github",
            "GitHub",
            "https://api.github.com",
            ("GITHUB_API_URL",),
            ("GITHUB_TOKEN",),
            rate=window_rate(5000, 3600, burst=2),
            anonymous_rate=window_rate(60, 3600, burst=2),  # 60 / h per IP: a month takes hours
            quota="5000 / h with GITHUB_TOKEN, 60 / h anonymous",
            # A primary limit resets within the hour: wait for it (progress lines keep coming) rather
            # than give up after a few capped waits when another client shares the IP's quota.
            max_wait=3660.0,
            burst=2,
            concurrency=2,
            retry_202=True,
            etags=True,
            headers=(("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")),
        ),
        PlatformConfig(
            "opendatalab",
            "OpenDataLab",
            "https://opendatalab.com",
            ("LEADERBOARD_OPENDATALAB_URL",),
            (),
        ),
        PlatformConfig(
            "baai",
            "BAAIData",
            "https://data.baai.ac.cn",
            ("LEADERBOARD_BAAI_URL",),
            ("BAAI_TOKEN",),
            cookie_env=("BAAI_COOKIE",),
            credentials_on_refusal=True,
        ),
        PlatformConfig(
            "gitee",
            "Gitee",
            "https://gitee.com/api/v5",
            ("LEADERBOARD_GITEE_URL",),
            ("GITEE_TOKEN", "GITEE_ACCESS_TOKEN"),  # the second is gitee_client's name
            auth="query",
        ),
        PlatformConfig(
            "gitcode",
            "GitCode",
            "https://api.gitcode.com/api/v5",
            ("LEADERBOARD_GITCODE_URL",),
            ("GITCODE_TOKEN",),
            rate=50 / 60,
            quota="50 / min, 4000 / h (third-party note)",
        ),
    )
}


def platform_config(key: str, **overrides: Any) -> PlatformConfig:
    """The platform's config with fields replaced; an overridden `rate` is the rate with or without a token
    (tests and benchmarks scale time, whatever tokens the environment holds)."""
    if "rate" in overrides:
        overrides.setdefault("anonymous_rate", overrides["rate"])
    return replace(PLATFORMS[key], **overrides)


def base_url(config: PlatformConfig) -> str:
    for var in config.url_env:
        if os.environ.get(var):
            return os.environ[var].rstrip("/")
    return config.default_url


def token(config: PlatformConfig) -> str | None:
    return next((os.environ[v] for v in config.token_env if os.environ.get(v)), None)


def cookie(config: PlatformConfig) -> str | None:
    return next((os.environ[v] for v in config.cookie_env if os.environ.get(v)), None)


def effective_rate(config: PlatformConfig, has_token: bool) -> float:
    """The limiter's rate: the anonymous quota when there is no token and the platform has one."""
    if has_token or config.anonymous_rate is None:
        return config.rate
    return config.anonymous_rate


def auth_description(config: PlatformConfig) -> str:
    """Which credentials a client of this platform uses (the env var's name, never its value)."""
    names = [v for v in (*config.token_env, *config.cookie_env) if os.environ.get(v)]
    if not names:
        return "anonymous"
    when = " if refused" if config.credentials_on_refusal else ""
    return f"{' + '.join(names)}{when}"


class TokenBucket:
    """Client-side limiter: `rate` tokens per second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: int, clock=time.monotonic, sleep=time.sleep):
        self.rate, self.capacity = rate, max(1, capacity)
        self._tokens = float(self.capacity)
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate == float("inf"):
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:  # the debt is already booked, so concurrent callers queue up behind us
            self._sleep(wait)


@dataclass
class Counters:
    requests: int = 0
    retries: int = 0
    failures: int = 0
    started: str | None = None
    finished: str | None = None
    notes: Counter = field(default_factory=Counter)  # which API variant answered, per listing
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **deltas: int) -> None:
        with self._lock:
            for k, v in deltas.items():
                setattr(self, k, getattr(self, k) + v)

    def note(self, text: str) -> None:
        with self._lock:
            self.notes[text] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {"requests": self.requests, "retries": self.retries, "failures": self.failures}


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def header_wait(resp: httpx.Response) -> float | None:
    """How long the server asks us to wait, from the headers in order of authority."""
    wait = _retry_after(resp)
    if wait is not None:
        return wait
    if resp.headers.get("x-ratelimit-remaining") == "0" and resp.headers.get("x-ratelimit-reset"):
        return max(0.0, float(resp.headers["x-ratelimit-reset"]) - time.time()) + 1
    m = _HF_RATELIMIT.search(resp.headers.get("ratelimit", ""))
    if m and resp.status_code == 429:
        return float(m["t"]) + 1
    return None


def _exhausted_after(resp: httpx.Response) -> float | None:
    """After a success: seconds until the window resets if the server says the quota is used up."""
    if resp.headers.get("x-ratelimit-remaining") == "0" and resp.headers.get("x-ratelimit-reset"):
        return max(0.0, float(resp.headers["x-ratelimit-reset"]) - time.time()) + 1
    m = _HF_RATELIMIT.search(resp.headers.get("ratelimit", ""))
    if m and m["r"] == "0":
        return float(m["t"]) + 1
    return None


def _is_rate_limited_403(resp: httpx.Response) -> bool:
    return resp.status_code == 403 and (
        resp.headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in resp.headers
        or "secondary rate limit" in resp.text.lower()
    )


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
        while True:
            attempt += 1
            self._wait_turn()
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
                elif status in RETRY_STATUSES or _is_rate_limited_403(resp):
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
        until = _exhausted_after(resp)
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
