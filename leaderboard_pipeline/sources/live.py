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
platform, org and request that failed: a partial month is never returned. The one exception is a
decision taken up front: `allow_missing={"opendatalab", "baai"}` lets those platforms fail without
failing the month; their tables come back empty and their `snapshot_manifest` rows say
`status="missing"` with the error as `detail` (a replay of such a month reproduces the gap).

`progress` receives a `ProgressEvent` per platform: the plan (requests, credentials, expected time)
before the first request, then org i/n, requests, retries and an ETA; the same lines go to the logger
`leaderboard_pipeline.sources.live` at INFO (WARNING for a missing platform or an anonymous crawl of
hours).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
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
from leaderboard_pipeline.collectors.client import PlatformClient
from leaderboard_pipeline.collectors.errors import CollectError
from leaderboard_pipeline.collectors.pacing import Counters
from leaderboard_pipeline.collectors.platforms import PLATFORMS, base_url, platform_config
from leaderboard_pipeline.collectors.progress import Progress, ProgressEvent
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


@dataclass
class _Job:
    platform: str
    org: str
    table: str
    label: str
    run: Callable[[PlatformClient], list[dict[str, Any]]]

    @property
    def min_requests(self) -> int:
        return MIN_REQUESTS.get(self.platform, 1)


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
        parts: tuple[str, ...] | None = None,
    ):
        """`platform_settings` overrides PlatformConfig fields per platform (rates, timeouts, retries), so
        tests and benchmarks can scale time down; `transports` replaces the network per platform;
        `allow_missing` names the platforms (PLATFORMS keys) whose failure leaves a gap instead of
        failing the month; `progress` is called with every ProgressEvent (from the calling thread);
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
        clients = {key: self._client(key, month) for key in PLATFORMS}
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

    def _client(self, key: str, month: str) -> PlatformClient:
        settings = dict(self.platform_settings.get(key, {}))
        if self.mode == "replay":  # nothing to be polite to: no limiter, no waiting
            settings.update(rate=float("inf"), max_wait=0.0)
        config = platform_config(key, **settings)
        transport = self.transports.get(key)
        if self.mode != "off":
            transport = CassetteTransport(
                self.cassette_dir / month / key, self.mode, base_url(config), transport
            )
        return PlatformClient(config, transport=transport)

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
                    lambda c, ns=ns, org=org: huggingface.collect_models(
                        c, ns, org, self._large_flags(month)
                    ),
                )
            )
            jobs.append(
                _Job(
                    "huggingface",
                    org,
                    "hf_datasets",
                    f"datasets of {ns}",
                    lambda c, ns=ns, org=org: huggingface.collect_datasets(c, ns, org),
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

    def _large_flags(self, month: str) -> Callable[[list[dict]], list[bool | None]]:
        overrides = self._overrides()

        def flags(records: list[dict]) -> list[bool | None]:
            if not records:
                return []
            labels = labelling.model_labels(_frame(records), month)
            if overrides is not None:
                labels = labelling.apply_overrides(labels, overrides["models"])
            return labels["is_large_model"].to_list()

        return flags

    def _overrides(self) -> dict[str, pl.DataFrame] | None:
        # Read once per source: every HF job consults it for the large-model filter.
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
        for job in jobs:
            progress.add(job.platform, job.org, job.min_requests)
            tallies["jobs"][job.table] += 1
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
                    return job.run(client)
                except CollectError:
                    raise
                except Exception as exc:  # a payload we did not expect: still name where it came from
                    raise CollectError(
                        client.config.name, job.org, job.label, f"{type(exc).__name__}: {exc}"
                    ) from exc

        futures = {pools[j.platform].submit(run, j): j for j in jobs}
        waiting = set(futures)
        try:
            while waiting:
                done, waiting = cf.wait(waiting, timeout=self.heartbeat, return_when=cf.FIRST_COMPLETED)
                progress.heartbeat(self.heartbeat)  # a line for each platform quiet that long
                for future in done:
                    job = futures[future]
                    if job.platform in missing:
                        continue  # the platform already failed: its other listings do not matter
                    error = future.exception()
                    if error is not None and job.platform in self.allow_missing:
                        missing[job.platform] = " ".join(str(error).split())
                        clients[job.platform].cancel()  # its other listings stop at once
                        for f, j in futures.items():
                            if j.platform == job.platform:
                                f.cancel()
                        progress.missing(job.platform, missing[job.platform])
                        continue
                    result = future.result()  # re-raises: fail the month
                    if isinstance(result, pl.DataFrame):  # the census: built page by page as frames
                        records[job.table, job.platform].append(result)
                    else:
                        records[job.table, job.platform].extend(result)
                    progress.job_done(job.platform, job.org, job.min_requests)
        except BaseException:
            for f in futures:
                f.cancel()
            for client in clients.values():
                client.cancel()
            raise
        finally:
            for pool in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)
        self.last_run = {
            "platform": {k: v.snapshot() for k, v in tallies["platform"].items()},
            "org": {k: v.snapshot() for k, v in tallies["org"].items()},
            "table": {k: v.snapshot() for k, v in tallies["table"].items()},
            "missing": dict(missing),
        }
        kept: dict[str, list[dict]] = defaultdict(list)
        for (table, platform), rows in records.items():
            if platform not in missing:
                kept[table].extend(rows)
        return kept, tallies, missing

    # -- tables --------------------------------------------------------------------------------------
    def _tables(
        self, records, registry: Registry, month: str, date_crawl: str, everyone: Registry | None = None
    ) -> dict[str, pl.DataFrame]:
        tables = {t: empty_raw(t) for t in RAW_SCHEMAS}
        day = datetime.fromisoformat(date_crawl).date()
        frames = {}
        for table, rows in records.items():
            # Records arrive in completion order: sort before anything depends on order (labels keep
            # the first row of a key), so the same responses always give the same tables.
            frame = (
                _frame(rows).with_columns(month=pl.lit(month), date_crawl=pl.lit(day)).sort(_sort_keys(table))
            )
            if table in hf_census.TABLE.values():  # no crawl date; which registry accounts are whose
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
    """Which API variant answered the table's listings, e.g. "list: POST /api/datasets/list (5/5)"."""
    if table not in tallies["table"]:
        return None
    notes = tallies["table"][table].notes
    jobs = tallies["jobs"].get(table, 0)
    return "; ".join(f"{text} ({n}/{jobs})" for text, n in sorted(notes.items())) or None


def _frame(rows: list) -> pl.DataFrame:
    # Tags are lists of strings; everything else is inferred, then cast strictly by `conform`. The census
    # arrives as frames already (one per listing).
    if rows and all(isinstance(r, pl.DataFrame) for r in rows):
        return pl.concat(rows, how="vertical_relaxed")
    return pl.DataFrame(rows, infer_schema_length=None)


def _sort_keys(table: str) -> list[str]:
    return ["org", "dimension", "repo"] if table == "code_repos" else ["namespace", "name"]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
