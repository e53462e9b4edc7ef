"""Progress of a live collection: one line per platform (org i/n, requests, retries, ETA), for the terminal
(logger `leaderboard_pipeline.sources.live`) and the Dagster run log (`LiveSource(progress=...)`).

Before any request each platform states its plan: how many listings, at least how many requests, which
credentials, the limiter's pace and the time that takes at least — so a GitHub month without a token
says "hours" up front instead of failing late. Where per-item requests follow the listings (the Hub's
discussions counts, model trees and dataset usage), a second line says how many once the listings are
in, and the time they take. While it runs, a line comes when an org is done and, for
slow platforms, every `heartbeat` seconds; the ETA is the larger of the time per listing so far times the
listings left, and the requests still needed at the limiter's pace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from leaderboard_pipeline.collectors.client import PlatformClient


@dataclass(frozen=True)
class ProgressEvent:
    platform: str  # display name: "GitHub"
    # "plan" | "items" (the per-item requests, once the listings are in) | "org" | "progress" | "done" |
    # "missing" | "failed"
    kind: str
    message: str  # the line, e.g. "GitHub: org BAAI done (3/12 orgs), 47 requests, 2 retries, ETA 4 min"
    org: str | None = None
    orgs_done: int = 0
    orgs_total: int = 0
    requests: int = 0
    retries: int = 0
    eta_seconds: float | None = None
    warning: bool = False  # worth a reader's attention (an anonymous crawl of hours, a missing platform)

    def __str__(self) -> str:
        return self.message


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {round(seconds % 3600 / 60):02d} min"


@dataclass
class _Platform:
    client: PlatformClient
    jobs: int = 0
    min_requests: int = 0
    orgs: set = field(default_factory=set)
    jobs_done: int = 0
    requests_done_min: int = 0  # the planned minimum of the listings done
    orgs_done: int = 0
    followups: bool = False  # per-item jobs come once the listings are in (Hugging Face)
    stopped: bool = False  # missing or failed: no more lines about its work
    started: float = field(default_factory=time.monotonic)
    last_event: float = field(default_factory=time.monotonic)


class Progress:
    """Counts listings per platform and org, and turns them into ProgressEvents."""

    def __init__(self, clients: dict[str, PlatformClient], emit: Callable[[ProgressEvent], None]):
        self._platforms = {k: _Platform(c) for k, c in clients.items()}
        self._pending: dict[tuple[str, str], int] = {}
        self._emit = emit
        self._lock = threading.Lock()

    def add(self, platform: str, org: str, min_requests: int, *, followups: bool = False) -> None:
        """A job of `platform` for `org`; `followups`: its per-item jobs are added once it is done."""
        p = self._platforms[platform]
        p.followups = p.followups or followups
        p.jobs += 1
        p.min_requests += min_requests
        p.orgs.add(org)
        self._pending[platform, org] = self._pending.get((platform, org), 0) + 1

    def plan(self) -> None:
        """One line per platform with work: listings, requests at least, credentials, pace, time."""
        now = time.monotonic()
        for p in self._platforms.values():
            p.started = p.last_event = now
            if not p.jobs:
                continue
            cfg, rate = p.client.config, p.client.rate
            unpaced = rate == float("inf")  # replay: nothing to be polite to
            at_least = 0.0 if unpaced else p.min_requests / rate
            pace = "unpaced" if unpaced else f"paced at {rate * 3600:.0f} / h ({cfg.quota})"
            line = (
                f"{cfg.name}: {p.jobs} listings for {len(p.orgs)} orgs, at least {p.min_requests} requests; "
                f"{p.client.auth}, {pace}: at least {duration(at_least)}"
            )
            if p.followups:
                line += "; then per-item requests, counted once the listings are in"
            slower = cfg.anonymous_rate is not None and rate < cfg.rate
            if slower:
                line += (
                    f"; set {' or '.join(cfg.token_env)} for {cfg.rate * 3600:.0f} / h "
                    f"(at least {duration(p.min_requests / cfg.rate)})"
                )
            self._emit(
                ProgressEvent(
                    cfg.name,
                    "plan",
                    line,
                    orgs_total=len(p.orgs),
                    eta_seconds=at_least,
                    warning=slower and at_least > 600,
                )
            )

    def followups(self, platform: str, per_item: dict[str, list[int]]) -> None:
        """A platform's listings are in: the per-item requests that follow and the time they take at the
        limiter's pace. `per_item`: what -> [items, requests]."""
        p = self._platforms[platform]
        cfg, rate = p.client.config, p.client.rate
        total = sum(requests for _, requests in per_item.values())
        unpaced = rate == float("inf")
        seconds = 0.0 if unpaced else total / rate
        parts = "; ".join(
            f"{what}: {items} ({requests} requests)" for what, (items, requests) in per_item.items()
        )
        pace = "unpaced" if unpaced else f"at {rate * 3600:.0f} / h"
        line = (
            f"{cfg.name}: listings done; per-item requests: {parts or 'none'}; "
            f"{total} more requests {pace}: about {duration(seconds)}"
        )
        slower = cfg.anonymous_rate is not None and rate < cfg.rate
        if slower and total:
            line += f" ({duration(total / cfg.rate)} with {' or '.join(cfg.token_env)})"
        self._emit(
            ProgressEvent(
                cfg.name,
                "items",
                line,
                orgs_total=len(p.orgs),
                requests=total,
                eta_seconds=seconds,
                warning=slower and seconds > 600,
            )
        )

    def _eta(self, p: _Platform) -> float | None:
        left_min = p.min_requests - p.requests_done_min
        pace = left_min / p.client.rate if p.client.rate != float("inf") else 0.0
        if not p.jobs_done:
            return pace
        elapsed = time.monotonic() - p.started
        return max(pace, elapsed / p.jobs_done * (p.jobs - p.jobs_done))

    def _event(self, platform: str, kind: str, head: str, org: str | None = None) -> ProgressEvent:
        p = self._platforms[platform]
        c = p.client.counters.snapshot()
        eta = self._eta(p) if kind != "done" else 0.0
        tail = f", ETA {duration(eta)}" if kind != "done" else f" in {duration(time.monotonic() - p.started)}"
        message = (
            f"{p.client.config.name}: {head} ({p.orgs_done}/{len(p.orgs)} orgs), "
            f"{c['requests']} requests, {c['retries']} retries{tail}"
        )
        p.last_event = time.monotonic()
        return ProgressEvent(
            p.client.config.name,
            kind,
            message,
            org=org,
            orgs_done=p.orgs_done,
            orgs_total=len(p.orgs),
            requests=c["requests"],
            retries=c["retries"],
            eta_seconds=eta,
        )

    def job_done(self, platform: str, org: str, min_requests: int) -> None:
        with self._lock:
            p = self._platforms[platform]
            p.jobs_done += 1
            p.requests_done_min += min_requests
            self._pending[platform, org] -= 1
            if self._pending[platform, org]:
                return
            p.orgs_done += 1
            events = [self._event(platform, "org", f"org {org} done", org)]
            if p.jobs_done == p.jobs:
                events.append(self._event(platform, "done", "done"))
        for event in events:
            self._emit(event)

    def heartbeat(self, every: float) -> None:
        """A line for each platform still working that has been quiet for `every` seconds."""
        now = time.monotonic()
        with self._lock:
            events = [
                self._event(k, "progress", "working")
                for k, p in self._platforms.items()
                if p.jobs_done < p.jobs and not p.stopped and now - p.last_event >= every
            ]
        for event in events:
            self._emit(event)

    def missing(self, platform: str, reason: str) -> None:
        """The platform is left out of the month (allowed): said once, and no "working" line after it."""
        self._stop(platform, "missing", f"missing this month (allowed by --allow-missing): {reason}")

    def failed(self, platform: str, reason: str) -> None:
        """The platform failed (the month will fail): said as it happens, and no "working" line after it."""
        self._stop(platform, "failed", f"failed: {reason}")

    def _stop(self, platform: str, kind: str, text: str) -> None:
        with self._lock:
            p = self._platforms[platform]
            p.stopped = True
        name = p.client.config.name
        text = text.replace(f": {name}: ", ": ", 1)  # the error names the platform too: once is enough
        self._emit(ProgressEvent(name, kind, f"{name}: {text}", warning=True))
