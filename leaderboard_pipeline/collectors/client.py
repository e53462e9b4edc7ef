"""The one HTTP client every collector goes through.

Per platform: an httpx client (base URL and token from env vars, `platforms`), a token-bucket rate
limiter sized to the platform's published limit (`pacing`), bounded concurrency, retries with backoff
that honour `Retry-After` and the platforms' rate-limit headers, in-run ETag reuse, and counters the
snapshot manifest is built from. Any request that finally fails raises `CollectError`, whose message
names platform, org and request.

Responses are untrusted (`limits`): every attempt has a total deadline (and the platform's and the
month's), bodies are read in bounded steps up to a cap after decompression, JSON nesting is bounded
before it is parsed. Credentials go only to the platform's own origin (scheme, host and port of its base
URL): a URL that leaves it (a pagination link) is refused, and a redirect that leaves it is followed
without the token, the cookie or the `access_token` parameter (as httpx does for the official clients).
"""

from __future__ import annotations

import functools
import json
import logging
import random
import re
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from leaderboard_pipeline.collectors.errors import CollectError, ShapeError, redact
from leaderboard_pipeline.collectors.limits import (
    ACCEPT_ENCODING,
    Bounded,
    BoundedTransport,
    Budget,
    Cancelled,
    bounded,
    nesting_exceeds,
    read_body,
    settled,
)
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
from leaderboard_pipeline.collectors.shape import MAX_COUNT, BadShape, TooLarge
from leaderboard_pipeline.contract.errors import SourceError

log = logging.getLogger("leaderboard_pipeline.collectors")

USER_AGENT = "leaderboard-pipeline/0.1 (+osir leaderboard collectors)"
DUPLICATES_NOTE = "duplicate items dropped, the first listing kept"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms; seven clients per month (and per probe) share one context.
    return httpx.create_ssl_context()


def _env_proxy(url: str) -> str | None:
    """The proxy the environment sets for `url` (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY), as httpx reads it."""
    parsed = httpx.URL(url)
    if urllib.request.proxy_bypass_environment(parsed.host):
        return None
    proxies = urllib.request.getproxies_environment()
    return proxies.get(parsed.scheme) or proxies.get("all")


def default_transport(url: str) -> httpx.BaseTransport:
    """The network for a platform at `url`: httpx's transport with every socket operation bounded."""
    return BoundedTransport(verify=shared_ssl_context(), proxy=_env_proxy(url))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port): what must match the base URL for credentials to be sent."""
    return (url.scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme, 0))


class PlatformClient:
    """An httpx client for one platform with limiter, retries, counters and error naming."""

    def __init__(
        self,
        config: PlatformConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        month_deadline: float | None = None,
    ):
        """`month_deadline`: time.monotonic() by which the whole month must be collected (LiveSource)."""
        self.config = config
        # Waits are interruptible so a failed month stops every platform at once (see `cancel`).
        self._cancelled = threading.Event()
        sleep = sleep or self._cancelled.wait
        self.base_url = base_url(config)
        self.origin = origin(httpx.URL(self.base_url))
        started = time.monotonic()
        # (end, name): passing the platform's or the month's deadline ends the platform at once
        self._deadlines = [
            (
                started + config.platform_deadline,
                f"{config.name} deadline of {_span(config.platform_deadline)}",
            )
        ]
        if month_deadline is not None:
            self._deadlines.append((month_deadline, "month's deadline"))
        self._token = token(config)
        self._cookie = cookie(config)
        self.auth = auth_description(config)
        self.rate = effective_rate(config, self._token is not None)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, **dict(config.headers)}
        # Credentials go out from the start, except where anonymous access is tried first (BAAI).
        self._credentials = self._credential_headers() if not config.credentials_on_refusal else {}
        headers.update(self._credentials)
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            transport=transport or default_transport(self.base_url),
            # Redirects are followed by `_send`, which reads their bodies bounded and strips credentials
            # off-origin; proxies from the environment are in `default_transport`.
            follow_redirects=False,
            trust_env=False,
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

    def duplicate(self, org: str, what: str, key: str, kept: dict, dropped: dict, fields=()) -> None:
        """An item listed twice: the first listing is kept (deterministic: the platform's own order);
        say so with both values, and count it in the manifest's detail."""
        values = "; ".join(f"{f} {kept.get(f)!r} kept, {dropped.get(f)!r} dropped" for f in fields)
        log.warning(
            "%s: org %r: %s: %r listed twice, the first kept (%s)", self.config.name, org, what, key, values
        )
        self.note(DUPLICATES_NOTE)

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
        left = min(end for end, _ in self._deadlines) - time.monotonic()
        if seconds > 0:
            self._sleep(max(0.0, min(seconds, self.config.max_wait, left)))

    def _check_alive(self, org: str, what: str) -> None:
        """Fail at once when cancelled or past the platform's or the month's deadline (no retry helps)."""
        if self._cancelled.is_set():
            raise CollectError(self.config.name, org, what, "cancelled: another request of this month failed")
        now = time.monotonic()
        for end, name in self._deadlines:
            if now >= end:
                self.fail(org, what, f"stopped: the {name} passed")

    def _budget(self) -> Budget:
        cfg = self.config
        own = (
            time.monotonic() + cfg.request_deadline,
            f"request deadline of {_span(cfg.request_deadline)}",
            False,
        )
        return Budget(
            [own, *((end, name, True) for end, name in self._deadlines)],
            max_body=cfg.max_body,
            cancelled=self._cancelled,
        )

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
        self._refuse_foreign(method, url, org)
        if self._token and cfg.auth == "query":
            params = [*_as_pairs(params), ("access_token", self._token)]
        what = self.describe(method, url, params)
        attempt = connect_failures = 0
        unsent = False  # the last attempt never reached the server: it cost no quota, so no limiter token
        while True:
            attempt += 1
            self._check_alive(org, what)
            if not unsent:
                self._wait_turn()
            unsent = False
            headers = {}
            cached = self._etags.get(what) if cfg.etags and method == "GET" else None
            if cached is not None and cached.headers.get("etag"):
                headers["If-None-Match"] = cached.headers["etag"]
            reason, wait = None, None
            with self._sem:
                self._check_alive(org, what)
                self._count(requests=1)
                try:
                    resp = self._send(method, url, params, json_body, headers)
                except Cancelled:
                    self._check_alive(org, what)
                    raise
                except Bounded as exc:
                    if exc.final:
                        self.fail(org, what, f"stopped: {exc.reason}")
                    reason, wait = exc.reason, self._backoff(attempt)
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

    def resolve(self, url: str) -> httpx.URL:
        """`url` as a request would send it (relative to the base URL); an invalid URL stays text."""
        try:
            return self._client.build_request("GET", url).url
        except httpx.InvalidURL:
            return httpx.URL("invalid:")

    def _refuse_foreign(self, method: str, url: str, org: str) -> None:
        """A URL off the platform's origin (a pagination link to another host) is never requested: the
        platform's credentials would go with it, and its data would not be the platform's."""
        try:
            target = self._client.build_request(method, url).url
        except httpx.InvalidURL as exc:
            self.fail(org, f"{method} {redact(url)[:200]!r}", f"not a valid URL ({exc})")
        if origin(target) != self.origin:
            where = f"{target.scheme}://{target.netloc.decode('ascii', 'replace')}"
            self.fail(
                org,
                f"{method} {redact(str(target))}",
                f"refused: {where} is not {self.config.name}'s base URL {self.base_url} (its credentials "
                f"go only there; if the platform moved, set {' or '.join(self.config.url_env) or 'its URL'})",
            )

    def _send(self, method: str, url: str, params: Any, json_body: Any, headers: dict) -> httpx.Response:
        """One attempt, its redirects followed here: every body read bounded (`limits`), credentials
        kept only on the platform's origin, JSON nesting checked before anyone parses it."""
        cfg = self.config
        request = self._client.build_request(method, url, params=params, json=json_body, headers=headers)
        with bounded(self._budget()) as budget:
            for hop in range(cfg.max_redirects + 1):
                if hop:
                    self._count(requests=1)
                resp = self._client.send(request, stream=True)
                try:
                    if not resp.has_redirect_location:
                        body = read_body(resp, budget)
                        if nesting_exceeds(body, cfg.max_depth):
                            raise Bounded(f"JSON nested deeper than {cfg.max_depth} levels")
                        return settled(resp, body)
                finally:
                    resp.close()
                request = self._redirected(request, resp)
        raise Bounded(f"more than {cfg.max_redirects} redirects")

    def _redirected(self, request: httpx.Request, resp: httpx.Response) -> httpx.Request:
        """The next hop of a redirect, with the platform's credentials only if it stays on its origin."""
        try:
            target = request.url.join(resp.headers["location"])
        except httpx.InvalidURL as exc:
            raise Bounded(f"HTTP {resp.status_code} redirect to an invalid URL ({exc})") from None
        method = request.method
        if (resp.status_code == 303 and method != "HEAD") or (
            resp.status_code in (301, 302) and method == "POST"
        ):
            method = "GET"
        body = request.content if method == request.method else b""
        keep = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "if-none-match")}
        if not body:
            keep.pop("content-type", None)
        foreign = origin(target) != self.origin
        if foreign:
            target = target.copy_remove_param("access_token")
        nxt = self._client.build_request(method, target, headers=keep, content=body or None)
        if foreign:
            for name in ("authorization", "cookie"):
                nxt.headers.pop(name, None)
            log.warning(
                "%s: redirect off %s followed without credentials: %s",
                self.config.name,
                self.base_url,
                redact(str(target)),
            )
        return nxt

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
    """A body as JSON; an HTML page or truncated JSON is `BadShape`, never parsed into empty data.

    NaN and Infinity parse to floats and integers of any size to ints, as Python's json module does:
    the record checks (`shape.counter`) reject them naming the field. Integers beyond Python's
    conversion limit (4300 digits) become `TooLarge`, which the checks reject the same way."""
    text = resp.text
    if "html" in resp.headers.get("content-type", "") or text.lstrip()[:1] == "<":
        raise BadShape(f"HTML page instead of JSON (HTTP {resp.status_code}): {_snippet(resp)}")
    if not text.strip():
        return None
    try:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer longer than Python converts: keep it as text, flagged
            return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise BadShape(f"truncated or invalid JSON ({len(text)} bytes, {exc.msg} at {exc.pos})") from None
    except RecursionError:
        raise BadShape("JSON nested too deep to parse") from None


def _bounded_int(digits: str) -> int | TooLarge:
    return int(digits) if len(digits) <= len(str(MAX_COUNT)) + 1 else TooLarge(digits)


def _as_pairs(params: Any) -> list[tuple[str, Any]]:
    if params is None:
        return []
    if isinstance(params, dict):
        return [(k, x) for k, v in params.items() for x in (v if isinstance(v, list | tuple) else [v])]
    return list(params)


def _snippet(resp: httpx.Response) -> str:
    return " ".join(resp.text[:160].split())


def _span(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds:g} s"


def next_link(resp: httpx.Response) -> str | None:
    """The `Link: rel="next"` URL, resolved against the response's URL as RFC 8288 says (a relative link
    must not be appended to the base URL's path); `PlatformClient.request` refuses it off the origin."""
    url = resp.links.get("next", {}).get("url")
    if not url:
        return None
    try:
        return str(resp.request.url.join(url))
    except httpx.InvalidURL:
        return url  # the request names it as served and fails on it


def json_pages(
    client: PlatformClient,
    url: str,
    params: Any,
    org: str,
    *,
    max_pages: int | None = None,
    most: int | None = None,
) -> Iterator[tuple[httpx.Response, list]]:
    """Each page of a JSON-array listing paged by `Link: rel="next"` (the Hub's): the response and its
    items (read them inside ``client.checking(org, requested(resp))``, so a `BadShape` names the request).
    ``max_pages`` stops early (a probe's small request). A next link back to a page already read, or past
    ``most`` pages, is an error, not requests forever; `request` refuses one off the origin."""
    visited: set[str] = set()
    pages = 0
    while url and (max_pages is None or pages < max_pages):
        resp = client.request("GET", url, org=org, params=params)
        pages += 1
        visited.add(str(resp.request.url))
        page = client.parse_json(resp, org)
        with client.checking(org, requested(resp)):
            if not isinstance(page, list):
                raise BadShape(f"expected a JSON array, got {type(page).__name__}: {str(page)[:120]}")
        yield resp, page
        with client.checking(org, requested(resp)):
            url, params = next_link(resp), None  # the next link carries every parameter
            if url is not None and str(client.resolve(url)) in visited:
                raise BadShape(f"the listing does not end: its next page link repeats a page ({url[:120]})")
            if url is not None and most is not None and pages >= most:
                raise BadShape(f"the listing does not end: more than {most} pages")


def last_page(resp: httpx.Response) -> int | None:
    """Page number in `Link: <...page=N>; rel="last"`: the count trick for per_page=1 listings.

    A page number that is not plain ASCII digits within a count's range is `BadShape`, not a count."""
    url = resp.links.get("last", {}).get("url")
    if not url:
        return None
    try:
        page = httpx.URL(url).params.get("page")
    except httpx.InvalidURL:
        raise BadShape(f'Link rel="last" is not a URL: {url[:120]!r}') from None
    if page is None:
        return None
    if not re.fullmatch(r"[0-9]{1,16}", page) or int(page) > MAX_COUNT:
        raise BadShape(f'Link rel="last" page {page[:40]!r} is not a count')
    return int(page)
