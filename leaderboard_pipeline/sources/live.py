"""`LiveSource`: the monthly raw snapshot fetched from the platforms' APIs (or replayed from cassettes).

Usage::

    from leaderboard_pipeline.sources.live import LiveSource

    # Live, straight from the APIs (only the current month can be fetched):
    source = LiveSource(Path("data/registry/orgs.yaml"), None, "off")
    # Live, storing every response under data/cassettes/<month>/<platform>/:
    source = LiveSource(Path("data/registry/orgs.yaml"), Path("data/cassettes"), "record")
    # Offline, from the recorded responses, through the very same collector code:
    source = LiveSource(Path("data/registry/orgs.yaml"), Path("data/cassettes"), "replay")
    tables = source.read_month(source.months()[-1])  # every table of RAW_SCHEMAS

`mode` is "off" | "record" | "replay"; None reads `LEADERBOARD_CASSETTES` (default "off"). Base URLs and
tokens come from env vars only (docs/data-sources.md). `orgs` restricts collection to some registry orgs;
a replay uses the orgs the recording was made with (stored in `<month>/_snapshot.json`).

`read_month` either returns every record of every platform and org, or raises `SourceError` naming the
platform, org and request that failed — every failing platform in one line, with the `leaderboard probe`
that checks them (after a first failure the other platforms get a few seconds to show theirs): a partial
month is never returned. It is bounded: every request, platform and the month itself have a deadline
(`PlatformConfig.request_deadline`, `platform_deadline`; `month_deadline` here, default
`LEADERBOARD_MONTH_DEADLINE` or 5.5 h), and an interrupt (Ctrl-C, SIGTERM through Dagster) cancels every
client, whose reads stop within a fraction of a second.

Records are checked against their raw table's types where they enter (`shape.check_record`), and an item
listed twice is kept once, as first listed by the platform (`_dedupe`): a warning gives both values and
the manifest's `detail` counts the dropped duplicates. The one exception is a
decision taken up front: `allow_missing={"opendatalab", "baai"}` lets those platforms fail without
failing the month; their tables come back empty and their `snapshot_manifest` rows say
`status="missing"` with the error as `detail` (a replay of such a month reproduces the gap).

`progress` receives a `ProgressEvent` per platform: the plan (requests, credentials, expected time)
before the first request, then org i/n, requests, retries and an ETA (none after a platform is missing
or failed); `plan(month)` is that plan without a request, and `confirm_start` the terminal's rule that a
crawl of more than 10 minutes starts only when asked (`run --yes`); the same lines go to the logger
`leaderboard_pipeline.sources.live` at INFO (WARNING for a missing platform or an anonymous crawl of
hours).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import polars as pl

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
from leaderboard_pipeline.collectors.cassette import CassetteTransport, cassette_mode
from leaderboard_pipeline.collectors.client import DUPLICATES_NOTE, PlatformClient, default_transport
from leaderboard_pipeline.collectors.errors import CollectError
from leaderboard_pipeline.collectors.pacing import Counters
from leaderboard_pipeline.collectors.plan import LONG_RUN_S, CrawlPlan, crawl_plan
from leaderboard_pipeline.collectors.platforms import PLATFORMS, PlatformConfig, base_url, platform_config
from leaderboard_pipeline.collectors.progress import Progress, ProgressEvent, duration
from leaderboard_pipeline.collectors.shape import BadShape, check_record
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.registry import Registry, RegistryError, load_registry
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.months import MONTH
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS, conform, empty_raw
from leaderboard_pipeline.core import labelling

log = logging.getLogger("leaderboard_pipeline.sources.live")

DEFAULT_OVERRIDES = settings.DATA_DIR / "labels" / "overrides.yaml"
SNAPSHOT_META = "_snapshot.json"
# raw table -> the platforms (PLATFORMS keys) its records come from
TABLE_PLATFORMS = {
    "hf_models": ("huggingface",),
    "hf_datasets": ("huggingface",),
    "ms_models": ("modelscope",),
    "ms_datasets": ("modelscope",),
    "odl_datasets": ("opendatalab",),
    "baai_datasets": ("baai",),
    "code_repos": ("github", "gitee", "gitcode"),
    "openi_models": ("openi",),
    "openi_datasets": ("openi",),
    "hf_census_models": ("huggingface",),
    "hf_census_datasets": ("huggingface",),
}
# Parts of a month beyond the registry's platform listings. A recording says which it holds
# (`_snapshot.json` "parts"); a replay of one made before a part existed returns that part's tables empty
# (its metrics are unknown that month), never a cassette miss.
PARTS = {"census": ("hf_census_models", "hf_census_datasets"), "openi": ("openi_models", "openi_datasets")}
CENSUS_ORG = "(Hub census)"  # how the census is named in progress lines and errors (it is no org's)
# requests a listing needs at least (GitHub: repo, open PRs, contributors, commits); for the plan and ETA
MIN_REQUESTS = {"github": 4}
HEARTBEAT_S = 30.0
ITEMS_PER_JOB = 50  # per-item calls (Hub discussions, model trees, dataset usage) in jobs of this many items
GATHER_MAX_S = 20.0  # the longest a failed month waits to learn whether other platforms fail too
# The whole month's collection; LEADERBOARD_MONTH_DEADLINE (seconds) overrides it. Under the production
# instance's run monitoring, which cancels a run after 6 h (deploy/dagster.yaml), so a stuck month ends
# with our error naming platform, org and request, with time left for the layers after the raw one.
MONTH_DEADLINE_S = 5.5 * 3600.0


@dataclass
class _Job:
    platform: str
    org: str
    table: str
    label: str
    run: Callable[[PlatformClient], list[dict[str, Any]]]
    # Jobs to run once this one's records are in (per-item counts the listing does not carry): they fill
    # fields of those records in place and return no rows.
    followups: Callable[[list[dict[str, Any]]], list[_Job]] | None = None
    requests: int | None = None  # known request count (per-item jobs); else the platform's minimum
    items: tuple[str, int] | None = None  # (what, how many) for the plan line of per-item jobs

    @property
    def min_requests(self) -> int:
        return self.requests if self.requests is not None else MIN_REQUESTS.get(self.platform, 1)


def parse_allow_missing(value: str | frozenset | set | list | tuple | None) -> frozenset[str]:
    """Platform keys (comma list or collection) allowed to be missing; an unknown name is an error."""
    names = value.split(",") if isinstance(value, str) else list(value or ())
    names = {n.strip().lower() for n in names if n and n.strip()}
    unknown = sorted(names - set(PLATFORMS))
    if unknown:
        raise SourceError(
            f"allow-missing: unknown platform {', '.join(map(repr, unknown))} (one of {', '.join(PLATFORMS)})"
        )
    return frozenset(names)


def confirm_start(source, months: list[str], *, yes: bool, say: Callable[[str], None] = print) -> None:
    """Before a run from a terminal: a live crawl planned to take longer than LONG_RUN_S (10 min) says
    how long, which tokens would make it how fast, and starts only when asked (`yes`, i.e. `run --yes`);
    otherwise raises SourceError saying so. The schedule and the UI never ask: they run as configured."""
    live = getattr(source, "collected", source)  # a CombinedSource collects through its LiveSource
    if not isinstance(live, LiveSource) or live.mode == "replay":
        return
    for month in (m for m in months if m in live.months()):
        plan = live.plan(month)
        if not plan.needs_consent():
            continue
        say(f"live {month}: the crawl takes at least {duration(plan.seconds)} with the credentials at hand")
        if plan.helped:
            say("  tokens that make it faster (set them in the environment):")
            for line in plan.advice():
                say(f"    {line}")
            say(f"  with them: at least {duration(plan.seconds_with_tokens)}")
        if yes:
            say("  starting anyway (--yes)")
            continue
        # the tokens without which the crawl stays long (the others only shorten a short one)
        tokens = " and ".join(p.token_env[0] for p in plan.helped if p.seconds > LONG_RUN_S)
        raise SourceError(
            f"live {month}: a crawl of at least {duration(plan.seconds)} starts only when asked "
            f"(more than {duration(LONG_RUN_S)}): "
            + (f"set {tokens}, or " if tokens else "")
            + "run again with --yes to start it anyway"
        )


class LiveSource:
    name = "live"

    def __init__(
        self,
        registry_path: Path,
        cassette_dir: Path | None = None,
        mode: str | None = None,
        *,
        orgs: list[str] | None = None,
        overrides_path: Path | None = DEFAULT_OVERRIDES,
        platform_settings: dict[str, dict[str, Any]] | None = None,
        transports: dict[str, httpx.BaseTransport] | None = None,
        allow_missing: frozenset[str] | str | None = frozenset(),
        progress: Callable[[ProgressEvent], None] | None = None,
        heartbeat: float = HEARTBEAT_S,
        month_deadline: float | None = None,
        parts: tuple[str, ...] | None = None,
    ):
        """`platform_settings` overrides PlatformConfig fields per platform (rates, timeouts, retries), so
        tests and benchmarks can scale time down; `transports` replaces the network per platform;
        `allow_missing` names the platforms (PLATFORMS keys) whose failure leaves a gap instead of
        failing the month; `progress` is called with every ProgressEvent (from the calling thread);
        `month_deadline` (seconds) bounds the whole month (default $LEADERBOARD_MONTH_DEADLINE or 5.5 h).
        `parts` the optional parts to collect (PARTS keys; default all; a replay: those recorded)."""
        self.registry_path = Path(registry_path)
        self.cassette_dir = Path(cassette_dir) if cassette_dir else None
        self.mode = cassette_mode(mode)
        if self.mode != "off" and self.cassette_dir is None:
            raise SourceError(f"cassette mode {self.mode!r} needs a cassette directory")
        self.orgs = orgs
        self.overrides_path = overrides_path
        self.platform_settings = platform_settings or {}
        self.transports = transports or {}
        self.allow_missing = parse_allow_missing(allow_missing)
        self.progress = progress
        self.heartbeat = heartbeat
        self.month_deadline = month_deadline or _month_deadline_env()
        unknown = sorted(set(parts or ()) - set(PARTS))
        if unknown:
            raise SourceError(f"live: unknown part(s) {', '.join(unknown)} (known: {', '.join(PARTS)})")
        self.parts = tuple(PARTS) if parts is None else tuple(p for p in PARTS if p in parts)
        self.last_run: dict[str, Any] = {}  # per-platform and per-org counters of the last read_month

    # -- SnapshotSource ------------------------------------------------------------------------------
    def months(self) -> list[str]:
        if self.mode == "replay":
            if not self.cassette_dir or not self.cassette_dir.is_dir():
                return []
            return sorted(
                p.name
                for p in self.cassette_dir.iterdir()
                if MONTH.match(p.name) and (p / SNAPSHOT_META).exists()
            )
        return [datetime.now(UTC).strftime("%Y-%m")]

    def read_month(self, month: str) -> dict[str, pl.DataFrame]:
        if not MONTH.match(month):
            raise SourceError(f"live: month must be 'YYYY-MM', got {month!r}")
        meta = self._replay_meta(month) if self.mode == "replay" else {}
        if self.mode == "off" and month != self.months()[0]:
            raise SourceError(
                f"live: only the current month ({self.months()[0]}) can be fetched, not {month}"
            )
        try:
            everyone = load_registry(self.registry_path)
            registry = everyone.subset(self.orgs or meta.get("orgs"))
        except RegistryError as exc:
            raise SourceError(str(exc)) from exc
        started = meta.get("started") or _now()
        date_crawl = meta.get("date_crawl") or started[:10]
        parts = self.parts
        if self.mode == "replay":
            parts = tuple(p for p in parts if p in (meta.get("parts") or ()))
        deadline = time.monotonic() + self.month_deadline
        clients = {key: self._client(key, month, deadline) for key in PLATFORMS}
        try:
            records, tallies, missing = self._collect(
                registry, clients, month, meta.get("missing") or {}, parts
            )
        finally:
            for c in clients.values():
                c.close()
        finished = meta.get("finished") or _now()
        tables = self._tables(records, registry, month, date_crawl, everyone)
        tables["snapshot_manifest"] = self._manifest(
            tables, tallies, clients, month, started, finished, missing, parts
        )
        if self.mode == "record":
            path = self.cassette_dir / month / SNAPSHOT_META
            doc = {"orgs": [o.name for o in registry.orgs], "started": started, "finished": finished}
            doc = {**doc, "date_crawl": date_crawl, "parts": list(parts)}
            doc |= {"missing": missing} if missing else {}
            path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        return tables

    # -- collection ----------------------------------------------------------------------------------
    def _replay_meta(self, month: str) -> dict[str, Any]:
        path = self.cassette_dir / month / SNAPSHOT_META
        if not path.exists():
            raise SourceError(f"live (replay): no recorded snapshot for {month} ({path} is missing)")
        return json.loads(path.read_text())

    def _config(self, key: str) -> PlatformConfig:
        settings = dict(self.platform_settings.get(key, {}))
        if self.mode == "replay":  # nothing to be polite to: no limiter, no waiting
            settings.update(rate=float("inf"), max_wait=0.0)
        return platform_config(key, **settings)

    def plan(self, month: str) -> CrawlPlan:
        """The month's crawl at each platform's pace, with the credentials at hand and with the tokens
        that would make it faster; no request is sent."""
        try:
            registry = load_registry(self.registry_path).subset(self.orgs)
        except RegistryError as exc:
            raise SourceError(str(exc)) from exc
        jobs = [(j.platform, j.org, j.min_requests) for j in self._jobs(registry, month)]
        return crawl_plan(jobs, {key: self._config(key) for key in PLATFORMS})

    def _client(self, key: str, month: str, deadline: float) -> PlatformClient:
        config = self._config(key)
        transport = self.transports.get(key)
        if self.mode != "off":
            inner = transport or (default_transport(base_url(config)) if self.mode == "record" else None)
            transport = CassetteTransport(self.cassette_dir / month / key, self.mode, base_url(config), inner)
        return PlatformClient(config, transport=transport, month_deadline=deadline)

    def _jobs(self, registry: Registry, month: str, parts: tuple[str, ...] = ()) -> list[_Job]:
        jobs = []
        if "census" in parts:  # first: the two longest listings start at once
            for kind in ("models", "datasets"):
                jobs.append(
                    _Job(
                        "huggingface",
                        CENSUS_ORG,
                        hf_census.TABLE[kind],
                        f"census of every public {kind[:-1]}",
                        lambda c, kind=kind: hf_census.census(c, kind, org=CENSUS_ORG),
                    )
                )
        if "openi" in parts:
            for org, ns in registry.namespaces("openi"):
                for kind in ("models", "datasets"):
                    jobs.append(
                        _Job(
                            "openi",
                            org,
                            f"openi_{kind}",
                            f"{kind} of {ns}",
                            lambda c, ns=ns, org=org, kind=kind: openi.collect(c, kind, ns, org),
                        )
                    )
        for org, ns in registry.namespaces("huggingface"):
            jobs.append(
                _Job(
                    "huggingface",
                    org,
                    "hf_models",
                    f"models of {ns}",
                    lambda c, ns=ns, org=org: huggingface.list_models(c, ns, org),
                    followups=lambda rows, ns=ns, org=org: _hf_model_jobs(rows, ns, org),
                )
            )
            jobs.append(
                _Job(
                    "huggingface",
                    org,
                    "hf_datasets",
                    f"datasets of {ns}",
                    lambda c, ns=ns, org=org: huggingface.list_datasets(c, ns, org),
                    followups=lambda rows, ns=ns, org=org: _hf_dataset_jobs(rows, ns, org),
                )
            )
        for org, ns in registry.namespaces("modelscope"):
            for kind, table in (("models", "ms_models"), ("datasets", "ms_datasets")):
                jobs.append(
                    _Job(
                        "modelscope",
                        org,
                        table,
                        f"{kind} of {ns}",
                        lambda c, ns=ns, org=org, kind=kind: modelscope.collect(c, kind, ns, org),
                    )
                )
        for org, ns in registry.namespaces("opendatalab"):
            jobs.append(
                _Job(
                    "opendatalab",
                    org,
                    "odl_datasets",
                    f"datasets of createdBy={ns}",
                    lambda c, ns=ns, org=org: opendatalab.collect(c, ns, org),
                )
            )
        for org, ns in registry.namespaces("baai"):
            jobs.append(
                _Job(
                    "baai",
                    org,
                    "baai_datasets",
                    "datasets",
                    lambda c, ns=ns, org=org: baai.collect(c, ns, org),
                )
            )
        for repo in registry.code_repos():

            def run(c, r=repo):
                if r.platform == "github":
                    metrics = github.repo_metrics(c, r.repo, r.org, month)
                else:
                    metrics = gitee.repo_metrics(c, r.repo, r.org)
                return [{**metrics, "org": r.org, "dimension": r.dimension, "platform": r.platform}]

            jobs.append(_Job(repo.platform, repo.org, "code_repos", f"repo {repo.repo}", run))
        return jobs

    def _overrides(self) -> dict[str, pl.DataFrame] | None:
        # Read once per source (the labels of the month's tables).
        if not hasattr(self, "_override_cache"):
            self._override_cache = self._load_overrides()
        return self._override_cache

    def _load_overrides(self) -> dict[str, pl.DataFrame] | None:
        if self.overrides_path and Path(self.overrides_path).exists():
            try:
                return labelling.load_overrides(self.overrides_path)
            except labelling.OverrideError as exc:
                raise SourceError(str(exc)) from exc
        return None

    def _emit(self, event: ProgressEvent) -> None:
        log.log(logging.WARNING if event.warning else logging.INFO, "%s", event.message)
        if self.progress is not None:
            self.progress(event)

    def _collect(
        self,
        registry: Registry,
        clients: dict[str, PlatformClient],
        month: str,
        recorded_missing: dict,
        parts: tuple[str, ...] = (),
    ):
        """Run every listing; returns (records per table, tallies, {platform: why it is missing})."""
        missing: dict[str, str] = dict(recorded_missing)  # a replayed gap stays a gap, without requests
        jobs = [j for j in self._jobs(registry, month, parts) if j.platform not in missing]
        records: dict[tuple[str, str], list[dict]] = defaultdict(list)  # (table, platform) -> records
        tallies = {
            "table": defaultdict(Counters),
            "org": defaultdict(Counters),
            "platform": {k: c.counters for k, c in clients.items()},
            "jobs": defaultdict(int),  # listings per table, for the manifest's detail
        }
        progress = Progress(clients, self._emit)
        listings: dict[str, int] = defaultdict(int)  # listing jobs still running per platform
        for job in jobs:
            progress.add(job.platform, job.org, job.min_requests, followups=job.followups is not None)
            tallies["jobs"][job.table] += 1
            listings[job.platform] += 1
        progress.plan()
        for platform, reason in recorded_missing.items():
            progress.missing(platform, reason)
        pools = {
            k: cf.ThreadPoolExecutor(c.config.concurrency, thread_name_prefix=k) for k, c in clients.items()
        }

        def run(job: _Job) -> list[dict]:
            client = clients[job.platform]
            with client.tally(tallies["table"][job.table], tallies["org"][job.org]):
                try:
                    rows = job.run(client)
                    if isinstance(rows, pl.DataFrame):  # the census: its pages are checked as they arrive
                        return rows
                    for row in rows:  # the raw table's types, where the records enter
                        check_record(job.table, row)
                    return rows
                except CollectError:
                    raise
                except BadShape as exc:
                    raise CollectError(client.config.name, job.org, job.label, str(exc)) from None
                except Exception as exc:  # a payload we did not expect: still name where it came from
                    raise CollectError(
                        client.config.name, job.org, job.label, f"{type(exc).__name__}: {exc}"
                    ) from exc

        futures = {pools[j.platform].submit(run, j): j for j in jobs}
        order = {id(j): i for i, j in enumerate(jobs)}  # job order: the tie-break of duplicate records
        waiting = set(futures)
        listing_ids = {id(j) for j in jobs}
        with_followups = {j.platform for j in jobs if j.followups is not None}
        per_item: dict[str, dict[str, list[int]]] = defaultdict(dict)  # platform -> what -> [items, requests]

        def submit_followups(job: _Job, rows: list[dict] | pl.DataFrame) -> None:
            """Queue the per-item jobs of a finished listing; once a platform's listings are all in,
            say how many per-item requests follow (the plan could not know before)."""
            for extra in job.followups(rows) if job.followups else ():
                progress.add(extra.platform, extra.org, extra.min_requests)
                what, count = extra.items or (extra.label, 0)
                tally = per_item[extra.platform].setdefault(what, [0, 0])
                tally[0] += count
                tally[1] += extra.min_requests
                future = pools[extra.platform].submit(run, extra)
                futures[future] = extra
                waiting.add(future)
            if id(job) in listing_ids:
                listings[job.platform] -= 1
                if not listings[job.platform] and job.platform in with_followups:
                    progress.followups(job.platform, per_item[job.platform])

        failed: dict[str, BaseException] = {}  # platform -> its first error: the month fails naming them all
        deadline: float | None = None  # after the first failure: how long the others get to show theirs
        listed: set[str] = set()  # platforms with a listing done

        def healthy(platform: str) -> bool:
            # nothing more to learn quickly: a listing done, or every answer so far a success (GitHub
            # without a token answers at once but completes a listing only after a limiter wait)
            client = clients[platform]
            counts = client.counters.snapshot()
            return platform in listed or (client.answered and not counts["retries"] + counts["failures"])

        def stop(platform: str) -> None:
            clients[platform].cancel()  # its other listings stop at once
            for f, j in futures.items():
                if j.platform == platform:
                    f.cancel()

        try:
            while waiting:
                timeout = self.heartbeat
                if deadline is not None:
                    timeout = max(0.0, min(timeout, deadline - time.monotonic()))
                done, waiting = cf.wait(waiting, timeout=timeout, return_when=cf.FIRST_COMPLETED)
                progress.heartbeat(self.heartbeat)  # a line for each platform quiet that long
                for future in done:
                    job = futures[future]
                    if job.platform in missing or job.platform in failed or future.cancelled():
                        continue  # the platform already failed: its other listings do not matter
                    error = future.exception()
                    if error is None:
                        rows = future.result()
                        if isinstance(rows, pl.DataFrame):  # the census: built page by page as frames
                            records[job.table, job.platform].append(rows)
                        else:
                            # where the platform listed each record (job, position): the first listing
                            # wins a duplicate; marked in place, as the per-item jobs fill these records
                            for i, row in enumerate(rows):
                                row[_ORDER] = (order.get(id(job), len(order)), i)
                            records[job.table, job.platform].extend(rows)
                        listed.add(job.platform)
                        submit_followups(job, rows)  # before job_done: the org is not done while they run
                        progress.job_done(job.platform, job.org, job.min_requests)
                        continue
                    reason = " ".join(str(error).split())
                    stop(job.platform)
                    if job.platform in self.allow_missing:
                        missing[job.platform] = reason
                        progress.missing(job.platform, reason)
                        continue
                    # The month is lost, but the operator should learn every failing platform from this
                    # one run, not one per run: the others get a moment to fail too (a refused connection
                    # fails in well under a second, a silent host within its connect timeouts).
                    failed[job.platform] = error
                    progress.failed(job.platform, reason)
                    if deadline is None:
                        deadline = time.monotonic() + _gather_seconds(clients)
                if failed:
                    running = {futures[f].platform for f in waiting} - failed.keys() - missing.keys()
                    if all(map(healthy, running)) or time.monotonic() >= deadline:
                        raise self._failure(failed)
        except BaseException:
            for f in futures:
                f.cancel()
            for client in clients.values():
                client.cancel()
            raise
        finally:
            for pool in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)
        if failed:
            raise self._failure(failed)
        self.last_run = {
            "platform": {k: v.snapshot() for k, v in tallies["platform"].items()},
            "org": {k: v.snapshot() for k, v in tallies["org"].items()},
            "table": {k: v.snapshot() for k, v in tallies["table"].items()},
            "missing": dict(missing),
        }
        # Records in the registry's order of namespaces (and repositories), each listing in the platform's
        # own order, never in completion order (`_dedupe` sorts by where each was listed; the census
        # arrives as frames, one per listing): docs/data-sources.md, "Record order".
        kept: dict[str, list] = defaultdict(list)
        for (table, platform), rows in records.items():
            if platform not in missing:
                kept[table].extend(rows)
        for table, rows in kept.items():
            if table not in hf_census.TABLE.values():
                kept[table] = _dedupe(table, rows, tallies["table"][table])
        return kept, tallies, missing

    def _failure(self, failed: dict[str, BaseException]) -> SourceError:
        """One line naming every failed platform's first error (and, live, the probe that checks them)."""
        keys = [k for k in PLATFORMS if k in failed]
        errors = "; ".join(" ".join(str(failed[k]).split()) for k in keys)
        if len(keys) > 1:
            names = ", ".join(PLATFORMS[k].name for k in keys)
            errors = f"{len(keys)} platforms failed ({names}): {errors}"
        if self.mode != "replay":  # a replay's failure is a missing recording, not the network
            errors += f" (check them in seconds: leaderboard probe --platform {','.join(keys)})"
        error = SourceError(errors)
        error.__cause__ = failed[keys[0]]
        return error

    # -- tables --------------------------------------------------------------------------------------
    def _tables(
        self, records, registry: Registry, month: str, date_crawl: str, everyone: Registry | None = None
    ) -> dict[str, pl.DataFrame]:
        tables = {t: empty_raw(t) for t in RAW_SCHEMAS}
        day = datetime.fromisoformat(date_crawl).date()
        frames = {}
        for table, rows in records.items():
            if not rows:  # every listing of the table was empty: the table stays empty_raw
                continue
            # Rows are in the registry's order, then the listing's (`_collect`, `_dedupe`): the same
            # responses give the same tables, and the published merge's "first row wins" (same-named items
            # in two namespaces of one org) follows the registry's namespace order (docs/data-sources.md).
            frame = _frame(rows).with_columns(month=pl.lit(month), date_crawl=pl.lit(day))
            if table in hf_census.TABLE.values():
                # a model listed twice (items move between pages during a pass of hours): the first kept;
                # no crawl date; which registry accounts are whose
                frame = frame.unique(["namespace", "name"], keep="first", maintain_order=True)
                frame = registry_accounts(frame.drop("date_crawl"), (everyone or registry).to_frame(month))
            frames[table] = frame
            tables[table] = conform(table, frame)
        overrides = self._overrides()
        models = [frames[t] for t in ("hf_models", "ms_models") if t in frames]
        datasets = [
            frames[t] for t in ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets") if t in frames
        ]
        if models:
            labels = labelling.model_labels(pl.concat(models, how="diagonal_relaxed"), month)
            if overrides is not None:
                labels = labelling.apply_overrides(labels, overrides["models"])
            tables["model_labels"] = conform("model_labels", labels)
        if datasets:
            labels = labelling.dataset_labels(pl.concat(datasets, how="diagonal_relaxed"), month)
            if overrides is not None:
                labels = labelling.apply_overrides(labels, overrides["datasets"])
            tables["dataset_labels"] = conform("dataset_labels", labels)
        tables["org_registry"] = registry.to_frame(month)
        return tables

    def _manifest(
        self, tables, tallies, clients, month, started, finished, missing, parts=()
    ) -> pl.DataFrame:
        rows = []
        skipped = {t: p for p, ts in PARTS.items() if p not in parts for t in ts}
        for table, frame in tables.items():
            if table == "snapshot_manifest":
                continue
            counts = tallies["table"][table].snapshot() if table in tallies["table"] else {}
            platforms = TABLE_PLATFORMS.get(table, ())
            where = clients[platforms[0]].base_url if platforms else str(self.registry_path)
            if self.mode != "off" and platforms:
                where = str(self.cassette_dir / month / platforms[0])
            gaps = [p for p in platforms if p in missing]
            if gaps:
                status = "missing"
                detail = "; ".join(f"{PLATFORMS[p].name} missing: {missing[p]}" for p in gaps)
            elif table in skipped:
                why = "the recording has none" if self.mode == "replay" else "not asked for"
                status, detail = "ok", f"not collected: {why} ({skipped[table]}); its metrics are unknown"
            else:
                status, detail = "ok", _variants(tallies, table)
            rows.append(
                {
                    "month": month,
                    "source": f"live:{self.mode}",
                    "table": table,
                    "location": where,
                    "sha256": hashlib.sha256(frame.write_ndjson().encode()).hexdigest(),
                    "rows": frame.height,
                    "started": started,
                    "finished": finished,
                    "requests": counts.get("requests", 0),
                    "retries": counts.get("retries", 0),
                    "failures": counts.get("failures", 0),
                    "status": status,
                    "detail": detail,
                }
            )
        return pl.DataFrame(rows, schema=RAW_SCHEMAS["snapshot_manifest"])


def _chunks(rows: list[dict], size: int = ITEMS_PER_JOB) -> list[list[dict]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _hf_model_jobs(rows: list[dict], ns: str, org: str) -> list[_Job]:
    """Discussions counts and model trees of an account's models that can reach a rank (>= the download
    threshold: huggingface.MIN_DOWNLOADS_FOR_DETAIL), in jobs of ITEMS_PER_JOB models."""
    wanted = [r for r in rows if huggingface.model_calls(r)]
    return [
        _Job(
            "huggingface",
            org,
            "hf_models",
            f"discussions and model trees of {ns} ({len(chunk)} models)",
            lambda c, chunk=chunk, org=org: huggingface.add_model_counts(c, chunk, org) or [],
            requests=sum(huggingface.model_calls(r) for r in chunk),
            items=("models: discussions count and model tree", len(chunk)),
        )
        for chunk in _chunks(wanted)
    ]


def _hf_dataset_jobs(rows: list[dict], ns: str, org: str) -> list[_Job]:
    """Usage counts (models tagged `dataset:<id>`) of every dataset of an account: no profile has a
    dataset threshold. At least one request each (one per 1000 models using it)."""
    return [
        _Job(
            "huggingface",
            org,
            "hf_datasets",
            f"usage of {ns}'s datasets ({len(chunk)} datasets)",
            lambda c, chunk=chunk, org=org: huggingface.add_dataset_usage(c, chunk, org) or [],
            requests=len(chunk),
            items=("datasets: usage count", len(chunk)),
        )
        for chunk in _chunks(rows)
    ]


def _gather_seconds(clients: dict[str, PlatformClient]) -> float:
    """How long the other platforms get, after a first failure, to show theirs: a connection that
    fails, retried (the longest connect timeouts of all), and a second; at most GATHER_MAX_S."""
    longest = max(c.config.connect_timeout * (c.config.connect_retries + 1) for c in clients.values())
    return min(GATHER_MAX_S, longest + 1.0)


def registry_accounts(census: pl.DataFrame, registry: pl.DataFrame) -> pl.DataFrame:
    """The census rows with ``registry_org`` / ``registry_platform``: the org of the whole registry one of
    whose namespaces (any platform, HuggingFace first, letter case ignored) the row's namespace is."""
    owners = (
        registry.with_columns(
            ns=pl.col("namespace").str.to_lowercase(), hf=pl.col("platform") != "HuggingFace"
        )
        .sort("hf", "platform", "org")
        .unique("ns", keep="first", maintain_order=True)
        .select("ns", registry_org="org", registry_platform="platform")
    )
    return (
        census.drop("registry_org", "registry_platform", strict=False)
        .with_columns(ns=pl.col("namespace").str.to_lowercase())
        .join(owners, on="ns", how="left", maintain_order="left")
        .drop("ns")
    )


def _variants(tallies, table: str) -> str | None:
    """Which API variant answered the table's listings, e.g. "list: POST /api/datasets/list (5/5)", and
    how many duplicate items were dropped."""
    if table not in tallies["table"]:
        return None
    notes = tallies["table"][table].notes
    jobs = tallies["jobs"].get(table, 0)
    parts = [
        f"{n} {text}" if text == DUPLICATES_NOTE else f"{text} ({n}/{jobs})"
        for text, n in sorted(notes.items())
    ]
    return "; ".join(parts) or None


_ORDER = "_order"  # (job index, position in the listing) of a record: where the platform listed it
# The key an item is stored under, per table: one record per key (the raw layer's unique_records check).
_KEYS = {"code_repos": ("org", "dimension", "platform", "repo")}


def _dedupe(table: str, rows: list[dict], tally: Counters) -> list[dict]:
    """One record per key: the first as listed (job order, then the platform's order), whatever order the
    threads finished in. Each dropped duplicate is a warning with both records' values, and counted."""
    keys = _KEYS.get(table, ("namespace", "name"))
    first: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda r: r[_ORDER]):
        key = tuple(row.get(k) for k in keys)
        if key not in first:
            first[key] = row
            continue
        kept = first[key]
        diff = {c: (kept.get(c), row.get(c)) for c in row if c != _ORDER and kept.get(c) != row.get(c)}
        log.warning(
            "%s: %s listed twice, the first kept%s",
            table,
            "/".join(map(str, key)),
            "".join(f"; {c}: {a!r} kept, {b!r} dropped" for c, (a, b) in diff.items()),
        )
        tally.note(DUPLICATES_NOTE)
    return [{k: v for k, v in row.items() if k != _ORDER} for row in first.values()]


def _month_deadline_env() -> float:
    raw = os.environ.get("LEADERBOARD_MONTH_DEADLINE")
    try:
        return float(raw) if raw else MONTH_DEADLINE_S
    except ValueError:
        raise SourceError(f"LEADERBOARD_MONTH_DEADLINE: not a number of seconds: {raw!r}") from None


def _frame(rows: list) -> pl.DataFrame:
    # Tags are lists of strings; everything else is inferred, then cast strictly by `conform`. The census
    # arrives as frames already (one per listing).
    if rows and all(isinstance(r, pl.DataFrame) for r in rows):
        return pl.concat(rows, how="vertical_relaxed")
    return pl.DataFrame(rows, infer_schema_length=None)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
