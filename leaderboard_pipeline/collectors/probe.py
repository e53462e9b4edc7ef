"""The probe: one small request per platform and endpoint, checked by the collectors' own code.

The first thing to run on a new deployment (docs/data-sources.md): for each platform it asks each
endpoint a live month uses for one or two items, through the very functions a live run calls (same
request, same envelope and field checks, same owner checks), and prints one row per endpoint:
platform, endpoint, HTTP status, latency, the credentials used, the rate-limit headers seen, and
"ok" or the first missing or odd field. `--save DIR` stores every response as a cassette
(`DIR/<platform>/<hash>.json`, the layout of `data/cassettes/<month>/`) to turn into test fixtures.
Platforms are probed in parallel with short timeouts and no retry waits: offline, each fails within
seconds ("cannot connect"), and its remaining endpoints are skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from leaderboard_pipeline.collectors.client import PlatformClient
    from leaderboard_pipeline.config.registry import Registry

# A probe is a handful of requests: polite but quick, one retry at most, never a long wait.
PROBE_SETTINGS = {
    "rate": 2.0,
    "burst": 4,
    "max_attempts": 2,
    "connect_retries": 0,
    "backoff_base": 0.5,
    "backoff_cap": 2.0,
    "secondary_wait": 2.0,
    "max_wait": 5.0,
}


@dataclass
class Row:
    platform: str
    endpoint: str
    status: str = "-"
    latency_ms: float | None = None
    auth: str = "-"
    rate_limit: str = "-"
    shape: str = "-"
    ok: bool = False


class _Watch:
    """An httpx transport that sees every response (status, latency, headers) on its way to the collector."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner, self.seen = inner, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        self.seen.append((response, (time.perf_counter() - started) * 1000))
        return response

    def close(self) -> None:
        self.inner.close()


def rate_limit_seen(headers: httpx.Headers) -> str:
    """The rate-limit headers of a response, compactly: GitHub-style counts, the Hub's `RateLimit`."""
    parts = []
    if "x-ratelimit-remaining" in headers:
        left = f"{headers['x-ratelimit-remaining']}/{headers.get('x-ratelimit-limit', '?')} left"
        resource = headers.get("x-ratelimit-resource")
        parts.append(f"{left} ({resource})" if resource else left)
    for name in ("ratelimit", "ratelimit-policy", "retry-after"):
        if name in headers:
            parts.append(f"{name}: {headers[name]}")
    return "; ".join(parts) or "-"


@dataclass
class _Probe:
    """Runs one platform's steps in order and keeps a row per step."""

    key: str
    client: PlatformClient
    watch: _Watch
    org: str
    rows: list[Row] = field(default_factory=list)
    unreachable: str | None = None

    def step(self, endpoint: str, run: Callable[[], Any], *, fallback_ok: bool = False) -> Any:
        from leaderboard_pipeline.collectors import opendatalab
        from leaderboard_pipeline.collectors.errors import CollectError, ShapeError
        from leaderboard_pipeline.collectors.pacing import Counters
        from leaderboard_pipeline.collectors.shape import BadShape

        row = Row(self.client.config.name, endpoint, auth=self.client.auth)
        self.rows.append(row)
        if self.unreachable:
            row.status, row.shape = "skipped", self.unreachable
            return None
        before = len(self.watch.seen)
        notes = Counters()
        result = None
        try:
            with self.client.tally(notes):
                result = run()
            row.ok, row.shape = True, "ok"
            if notes.notes:
                row.shape += f" ({'; '.join(sorted(notes.notes))})"
        except ShapeError as exc:
            row.shape = exc.reason
        except opendatalab.NotAnswering as exc:  # a list form the collector would pass over
            row.shape, row.ok = f"not answering: {exc}", fallback_ok
        except BadShape as exc:
            row.shape = str(exc)
        except CollectError as exc:
            row.shape = exc.reason
            if "cannot connect" in exc.reason:
                self.unreachable = "skipped: platform unreachable"
                row.status = "no connection"
        seen = self.watch.seen[before:]
        if seen:
            last, elapsed = seen[-1]
            row.status = str(last.status_code) + (f" ({len(seen)} requests)" if len(seen) > 1 else "")
            row.latency_ms = elapsed
            row.rate_limit = rate_limit_seen(last.headers)
        return result


def _targets(registry: Registry, key: str) -> list[tuple[str, str]]:
    """(org, namespace or repo) the probe asks about: the registry's first one on the platform."""
    if key in ("github", "gitee", "gitcode"):
        return [(r.org, r.repo) for r in registry.code_repos(key)][:1]
    return registry.namespaces(key)[:1]


def _steps(probe: _Probe, target: str, month: str) -> None:
    from leaderboard_pipeline.collectors import (
        baai,
        gitee,
        github,
        hf_census,
        huggingface,
        modelscope,
        opendatalab,
        openi,
    )

    c, org, key = probe.client, probe.org, probe.key
    if key == "huggingface":
        models = probe.step(
            "models list", lambda: huggingface.list_repos(c, "models", target, org, limit=1, max_pages=1)
        )
        for kind in ("models", "datasets"):  # the whole-Hub census: one page of one item
            probe.step(
                f"census of {kind}",
                lambda kind=kind: hf_census.census(c, kind, limit=1, max_pages=1, org=org),
            )
        datasets = probe.step(
            "datasets list", lambda: huggingface.list_repos(c, "datasets", target, org, limit=1, max_pages=1)
        )
        # The per-item endpoints of a live month, asked about the first model / dataset listed.
        per_item = [
            (models, "model", "model detail (children)", lambda rid: huggingface.children_count(c, rid, org)),
            (
                models,
                "model",
                "model discussions (count)",
                lambda rid: huggingface.discussions_count(c, rid, org),
            ),
            (
                datasets,
                "dataset",
                "dataset usage (models tagged dataset:<id>)",
                lambda rid: huggingface.dataset_usage(c, rid, org, limit=1, max_pages=1),
            ),
        ]
        for listed, what, endpoint, ask in per_item:
            if listed:
                probe.step(endpoint, lambda ask=ask, rid=listed[0]["id"]: ask(rid))
            else:
                probe.rows.append(
                    Row(
                        "HuggingFace",
                        endpoint,
                        "skipped",
                        shape=f"skipped: no {what} listed to ask about",
                        ok=listed is not None,  # an empty list is in shape; a failed one is reported above
                    )
                )
    elif key == "modelscope":
        for kind in ("models", "datasets"):
            probe.step(
                f"{kind} list",
                lambda kind=kind: modelscope.list_repos(c, kind, target, org, page_size=1, max_pages=1),
            )
    elif key == "github":
        probe.step("repo", lambda: github.repo_info(c, target, org))
        probe.step("open PRs", lambda: github.open_pulls(c, target, org))
        probe.step("contributors", lambda: github.contributors(c, target, org))
        probe.step("commits last month", lambda: github.commits(c, target, org, month))
    elif key in ("gitee", "gitcode"):
        probe.step("repo", lambda: gitee.repo_metrics(c, target, org))
    elif key == "opendatalab":
        rows_before = len(probe.rows)
        for form in opendatalab.FORMS:
            probe.step(
                f"list ({form.name})",
                lambda form=form: opendatalab.fetch_page(c, form, target, org, 0, 2),
                fallback_ok=True,
            )
        rows = probe.rows[rows_before:]
        answering = [r for r in rows if r.shape == "ok"]
        if not answering:  # no form answered: the collector cannot list this platform
            for r in rows:
                r.ok = False
        else:
            answering[0].shape = "ok (the form the collector uses)"
    elif key == "baai":
        probe.step("dataset search", lambda: baai.collect(c, target, org, limit=1, max_pages=1))
    elif key == "openi":
        repos = probe.step("repository list", lambda: openi.list_repos(c, target, org, limit=1, max_pages=1))
        for kind in ("datasets", "models"):
            if repos:
                name = repos[0]["full_name"]
                probe.step(
                    f"{kind[:-1]} lookup", lambda kind=kind, name=name: openi.lookup(c, kind, name, org)
                )
            else:
                probe.rows.append(
                    Row(
                        "OpenI",
                        f"{kind[:-1]} lookup",
                        "skipped",
                        shape="skipped: no repository listed to ask about",
                        ok=repos is not None,
                    )
                )


def probe_platform(
    key: str, registry: Registry, *, save: Path | None, timeout: float, settings: dict | None = None
) -> list[Row]:
    from leaderboard_pipeline.collectors.cassette import CassetteTransport
    from leaderboard_pipeline.collectors.client import PlatformClient, default_transport
    from leaderboard_pipeline.collectors.platforms import PLATFORMS, base_url, platform_config

    targets = _targets(registry, key)
    name = PLATFORMS[key].name
    if not targets:
        return [
            Row(name, "-", "skipped", shape="nothing of this platform in the registry (or --org)", ok=True)
        ]
    org, target = targets[0]
    config = platform_config(key, **PROBE_SETTINGS, read_timeout=timeout, connect_timeout=min(timeout, 5.0))
    inner = default_transport(base_url(config))
    if save is not None:
        inner = CassetteTransport(save / key, "record", base_url(config), inner)
    watch = _Watch(inner)
    client = PlatformClient(config, transport=watch)
    probe = _Probe(key, client, watch, org)
    try:
        _steps(probe, target, datetime.now(UTC).strftime("%Y-%m"))
    finally:
        client.close()
    for row in probe.rows:
        row.endpoint = f"{row.endpoint} [{target}]" if row.endpoint != "-" else row.endpoint
    return probe.rows


def run_probe(
    registry: Registry,
    platforms: list[str] | None = None,
    *,
    save: Path | None = None,
    timeout: float = 20.0,
    settings: dict | None = None,
) -> list[Row]:
    """Probe the platforms (all by default) in parallel; rows in platform order. `settings` overrides
    PlatformConfig fields of the probe's clients (tests scale the pace up)."""
    import concurrent.futures as cf

    from leaderboard_pipeline.collectors.platforms import PLATFORMS

    keys = platforms or list(PLATFORMS)
    with cf.ThreadPoolExecutor(len(keys)) as pool:
        results = list(
            pool.map(
                lambda k: probe_platform(k, registry, save=save, timeout=timeout, settings=settings), keys
            )
        )
    return [row for rows in results for row in rows]
