"""Staying within a platform's quota: the client-side token bucket, the servers' wait headers, counters."""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_HF_RATELIMIT = re.compile(r"r=(?P<r>\d+);\s*t=(?P<t>\d+)")


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
    seconds = value.strip()
    if seconds.isascii() and seconds.isdigit():
        return float(seconds[:12])  # max_wait caps it anyway; no 4300-digit conversion
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _reset_in(resp: httpx.Response) -> float | None:
    """Seconds until `x-ratelimit-reset` (Unix time) when the quota is used up; None if not said (or
    not a number: a header is served data too)."""
    if resp.headers.get("x-ratelimit-remaining") != "0":
        return None
    try:
        reset = float(resp.headers.get("x-ratelimit-reset", ""))
    except ValueError:
        return None
    return max(0.0, reset - time.time()) + 1 if reset == reset else None


def header_wait(resp: httpx.Response) -> float | None:
    """How long the server asks us to wait, from the headers in order of authority."""
    wait = _retry_after(resp)
    if wait is not None:
        return wait
    if (reset := _reset_in(resp)) is not None:
        return reset
    m = _HF_RATELIMIT.search(resp.headers.get("ratelimit", ""))
    if m and resp.status_code == 429:
        return float(m["t"]) + 1
    return None


def exhausted_after(resp: httpx.Response) -> float | None:
    """After a success: seconds until the window resets if the server says the quota is used up."""
    if (reset := _reset_in(resp)) is not None:
        return reset
    m = _HF_RATELIMIT.search(resp.headers.get("ratelimit", ""))
    if m and m["r"] == "0":
        return float(m["t"]) + 1
    return None


def is_rate_limited_403(resp: httpx.Response) -> bool:
    return resp.status_code == 403 and (
        resp.headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in resp.headers
        or "secondary rate limit" in resp.text.lower()
    )
