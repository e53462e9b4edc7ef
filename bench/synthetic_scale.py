"""One month at Hugging Face scale, raw -> clean -> metrics -> scores with every check, per layer.

    .venv/bin/python bench/synthetic_scale.py               # 2 M HF models, 500 k datasets, 20 k orgs,
                                                            # and the Hub census of the same size
    .venv/bin/python bench/synthetic_scale.py --scale 0.01  # a quick run (20 k models)
    .venv/bin/python bench/synthetic_scale.py --scale 2     # tomorrow's Hub

The generator is deterministic (numpy ``default_rng(seed)``, vectorised polars; no per-row Python) and
writes the raw tables of the month (plus last month's cumulative ModelScope / OpenDataLab / BAAI totals)
to Parquet in a temporary folder. The month's whole-Hub census (``hf_census_models`` / ``_datasets``) lists
the same models and datasets, with derivative trees: a third of the models name base models (earlier
models, popular ones more often: trees several generations deep, across accounts), some two (merges),
a few form cycles or name themselves; the registry's accounts are marked as the live source marks them. The pipeline then runs in a fresh child process, so its peak RSS is
the pipeline's own and not the generator's: read the raw Parquet, ``raw_checks``, ``clean_layer`` +
``clean_checks``, ``metrics_layer`` + ``metrics_checks``, ``scores_layer`` + ``scores_checks``, and each
layer's DuckDB write through ``warehouse.write_layer`` (the code the assets write through),
inside one ``warehouse.session`` like ``leaderboard run``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, peak_rss_mb, table  # noqa: E402

MONTH, PREVIOUS = "2025-08", "2025-07"
BASE = {"hf_models": 2_000_000, "hf_datasets": 500_000, "orgs": 20_000, "ms_models": 200_000}
MS_DATASETS_SHARE, ODL_SHARE, BAAI_SHARE = 0.25, 0.025, 0.01  # of ms_models / hf_datasets / hf_datasets

# Modality mix of the Hub (rough shares of pipeline tags, 2025): language dominates, then vision.
MODEL_MODALITIES = {
    "Language": 0.46,
    "Vision": 0.19,
    "Multimodal": 0.12,
    "Speech": 0.08,
    "Vector": 0.07,
    "3D": 0.015,
    "Protein": 0.01,
    "Embodied": 0.01,
    None: 0.025,
    "null": 0.01,  # the published labels carry the string "null"; cleaning turns it into a null
}
DATASET_MODALITIES = {
    "Language": 0.55,
    "Vision": 0.2,
    "Multimodal": 0.15,
    "Speech": 0.06,
    "Embodied": 0.02,
    None: 0.02,
}
LIFECYCLES = {"Pre-training": 0.3, "Fine-tuning": 0.45, "Preference": 0.1, "Evaluation": 0.1, None: 0.05}
SYSTEM_COLUMNS = [
    "num_operators",
    "num_adapted_chips_operator_lib",
    "num_adapted_frameworks_operator_lib",
    "support_heterogeneous_training_frameworks",
    "num_adapted_chips_frameworks",
    "support_lifecycle",
    "num_adapted_frameworks_ai_compiler",
    "num_adapted_chips_ai_compiler",
    "deep_learning_framework",
    "num_adapted_chips_communication_lib",
    "support_cross_chip_communication",
    "support_heterogeneous_training_communication_lib",
]
BENCHMARK_COLUMNS = [
    "num_leaderboards",
    "num_evaluated_models",
    "num_evaluation_datasets",
    "num_evaluation_methods",
    "num_evaluation_tools",
]


# -- generator -------------------------------------------------------------------------------------
def _pick(rng: np.random.Generator, shares: dict, n: int) -> pl.Series:
    labels = list(shares)
    p = np.array(list(shares.values()), dtype=float)
    idx = rng.choice(len(labels), size=n, p=p / p.sum())
    return pl.Series([labels[i] for i in range(len(labels))], dtype=pl.String).gather(idx)


def _heavy_tail(rng: np.random.Generator, n: int, mu: float, sigma: float, zero_share: float) -> np.ndarray:
    """Lognormal counts with a block of zeros: most repos are never downloaded, a few dominate."""
    values = np.floor(rng.lognormal(mu, sigma, n)).astype(np.int64)
    values[rng.random(n) < zero_share] = 0
    return values


def _owners(rng: np.random.Generator, n_rows: int, n_namespaces: int, alpha: float = 1.1) -> np.ndarray:
    """Namespace index per repo, Zipf-like: a few orgs own tens of thousands of repos, most own a few."""
    weights = 1.0 / np.power(np.arange(n_namespaces) + 5.0, alpha)
    return rng.choice(n_namespaces, size=n_rows, p=weights / weights.sum())


def _namespaces(n_orgs: int, rng: np.random.Generator) -> pl.DataFrame:
    """HF namespaces of the orgs: one each, a second one for 20 % of them (e.g. a research account)."""
    orgs = pl.DataFrame({"org_id": np.arange(n_orgs)})
    second = orgs.filter(pl.Series(rng.random(n_orgs) < 0.2))
    return pl.concat(
        [
            orgs.with_columns(namespace=pl.format("Org{}", "org_id")),
            second.with_columns(namespace=pl.format("Org{}-Research", "org_id")),
        ]
    ).with_columns(org=pl.format("Organisation {}", "org_id"))


def _platform_rows(
    rng: np.random.Generator, n: int, namespaces: pl.DataFrame, kind: str, prefix: str, unregistered: float
) -> pl.DataFrame:
    """namespace/name rows: Zipf owners, 2 % with a differently-cased namespace, a share outside the registry."""
    owner = _owners(rng, n, namespaces.height)
    ns = namespaces["namespace"].gather(owner)
    frame = pl.DataFrame({"namespace": ns, "row": np.arange(n)})
    lower = pl.Series(rng.random(n) < 0.02)
    outside = pl.Series(rng.random(n) < unregistered)
    return frame.with_columns(
        namespace=pl.when(outside)
        .then(pl.format("user{}", pl.col("row") % 50_000))
        .when(lower)
        .then(pl.col("namespace").str.to_lowercase())
        .otherwise(pl.col("namespace")),
        name=pl.format(f"{prefix}-{kind}-{{}}", "row"),
    ).drop("row")


def _date(month: str) -> pl.Expr:
    return pl.lit(f"{month}-07").str.to_date()


def generate(scale: float, seed: int) -> dict[str, pl.DataFrame]:
    from leaderboard_pipeline.config.curated import read_curated_metrics
    from leaderboard_pipeline.config.settings import CURATED_METRICS
    from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS, conform, empty_raw

    rng = np.random.default_rng(seed)
    n = {k: max(1, int(v * scale)) for k, v in BASE.items()}
    n_orgs = max(10, n["orgs"])
    namespaces = _namespaces(n_orgs, rng)
    tables: dict[str, pl.DataFrame] = {}

    # Hugging Face models: 30-day downloads, likes, discussions, model-tree children, parameters.
    models = _platform_rows(rng, n["hf_models"], namespaces, "model", "hf", unregistered=0.03)
    m = models.height
    params = np.floor(rng.lognormal(20.5, 2.0, m)).astype(np.int64)
    tables["hf_models"] = models.with_columns(
        month=pl.lit(MONTH),
        downloads_last_month=_heavy_tail(rng, m, 2.0, 2.6, 0.35),
        likes=np.where(rng.random(m) < 0.01, -1, np.floor(rng.pareto(1.2, m)).astype(np.int64)),
        community=np.floor(rng.pareto(1.5, m)).astype(np.int64),
        descendants=pl.Series(np.floor(rng.pareto(1.3, m)).astype(np.int64)).set(
            pl.Series(rng.random(m) < 0.7), None
        ),
        parameters=pl.Series(params).set(pl.Series(rng.random(m) < 0.4), None),
        date_crawl=_date(MONTH),
        link=pl.format("https://huggingface.co/{}/{}", "namespace", "name"),
    )
    # Datasets: fewer downloads, usage = models trained on it.
    datasets = _platform_rows(rng, n["hf_datasets"], namespaces, "dataset", "hf", unregistered=0.03)
    d = datasets.height
    tables["hf_datasets"] = datasets.with_columns(
        month=pl.lit(MONTH),
        downloads_last_month=_heavy_tail(rng, d, 1.5, 2.4, 0.4),
        likes=np.floor(rng.pareto(1.3, d)).astype(np.int64),
        community=np.floor(rng.pareto(1.8, d)).astype(np.int64),
        dataset_usage=np.floor(rng.pareto(1.4, d)).astype(np.int64),
        date_crawl=_date(MONTH),
        link=pl.format("https://huggingface.co/datasets/{}/{}", "namespace", "name"),
    )
    # Pagination overlap: 0.1 % of the rows listed twice.
    for t in ("hf_models", "hf_datasets"):
        frame = tables[t]
        tables[t] = pl.concat([frame, frame.sample(fraction=0.001, seed=seed)])

    # Cumulative platforms: last month's totals, this month's = last + growth; 5 % new, 1 % gone down.
    ms_namespaces = namespaces.filter(pl.Series(rng.random(namespaces.height) < 0.15))
    cumulative = {
        "ms_models": (n["ms_models"], ms_namespaces, "model", "ms"),
        "ms_datasets": (max(1, int(n["ms_models"] * MS_DATASETS_SHARE)), ms_namespaces, "dataset", "ms"),
        "odl_datasets": (max(1, int(n["hf_datasets"] * ODL_SHARE)), namespaces.head(200), "dataset", "odl"),
        "baai_datasets": (max(1, int(n["hf_datasets"] * BAAI_SHARE)), namespaces.head(50), "dataset", "baai"),
    }
    for t, (rows, owners, kind, prefix) in cumulative.items():
        base = _platform_rows(rng, rows, owners, kind, prefix, unregistered=0.02)
        r = base.height
        previous_total = _heavy_tail(rng, r, 4.0, 2.5, 0.1)
        growth = _heavy_tail(rng, r, 1.5, 2.0, 0.3)
        growth[rng.random(r) < 0.01] *= -1
        extra = {}
        if t in ("odl_datasets", "baai_datasets"):
            org_of = dict(zip(namespaces["namespace"], namespaces["org"], strict=True))
            extra["org"] = pl.col("namespace").replace_strict(org_of, default="Unknown lab")
        common = {"likes": pl.Series(np.floor(rng.pareto(1.5, r)).astype(np.int64)), **extra}
        if t.startswith("ms_"):
            common["community"] = pl.Series(np.floor(rng.pareto(1.8, r)).astype(np.int64))
        prev = base.with_columns(
            month=pl.lit(PREVIOUS), total_downloads=previous_total, date_crawl=_date(PREVIOUS), **common
        )
        prev = prev.filter(pl.Series(rng.random(r) >= 0.05))  # new this month: no previous total
        cur = base.with_columns(
            month=pl.lit(MONTH),
            total_downloads=np.maximum(previous_total + growth, 0),
            date_crawl=_date(MONTH),
            **common,
        )
        link = pl.format(f"https://{prefix}.example/{{}}/{{}}", "namespace", "name")
        tables[t] = pl.concat([prev, cur]).with_columns(link=link)

    # Registry: every org's namespaces on HF (as written by the org, mixed case) and on the others.
    registry = [namespaces.select("org", "namespace").with_columns(platform=pl.lit("HuggingFace"))]
    registry.append(ms_namespaces.select("org", "namespace").with_columns(platform=pl.lit("ModelScope")))
    tables["org_registry"] = pl.concat(registry).with_columns(month=pl.lit(MONTH))

    # Labels: 94 % exact keys, 3 % only under another letter case (the fallback join), 3 % unlabelled.
    def labels(frame: pl.DataFrame, columns: dict[str, pl.Series]) -> pl.DataFrame:
        keys = frame.select(key=pl.col("namespace") + "/" + pl.col("name")).unique(maintain_order=True)
        k = keys.height
        roll = pl.Series(rng.random(k))
        keys = keys.with_columns(
            key=pl.when(roll < 0.03).then(pl.col("key").str.to_uppercase()).otherwise(pl.col("key")),
            **{c: s.head(k) for c, s in columns.items()},
        )
        return keys.filter(roll < 0.97).with_columns(month=pl.lit(MONTH))

    model_rows = pl.concat(
        [tables["hf_models"].select("namespace", "name"), tables["ms_models"].select("namespace", "name")]
    )
    big = model_rows.height
    tables["model_labels"] = labels(
        model_rows,
        {
            "modality": _pick(rng, MODEL_MODALITIES, big),
            "is_large_model": pl.Series(rng.random(big) < 0.3).set(pl.Series(rng.random(big) < 0.01), None),
        },
    )
    dataset_rows = pl.concat(
        [
            tables[t].select("namespace", "name")
            for t in ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets")
        ]
    )
    big = dataset_rows.height
    tables["dataset_labels"] = labels(
        dataset_rows,
        {
            "modality": _pick(rng, DATASET_MODALITIES, big),
            "lifecycle": _pick(rng, LIFECYCLES, big),
            "is_valid": pl.Series(rng.random(big) < 0.8),
        },
    )

    # Hand inputs for every org: small integers, mostly zero (most orgs build no compilers).
    orgs = namespaces.filter(pl.col("namespace").str.ends_with("-Research").not_()).select("org")
    for t, columns in (("system_inputs", SYSTEM_COLUMNS), ("benchmark_inputs", BENCHMARK_COLUMNS)):
        grid = orgs.with_columns(position=pl.int_range(1, pl.len() + 1, dtype=pl.Int32)).join(
            pl.DataFrame({"metric": columns}), how="cross"
        )
        g = grid.height
        value = np.where(rng.random(g) < 0.8, 0.0, np.floor(rng.pareto(1.2, g)))
        tables[t] = grid.with_columns(month=pl.lit(MONTH), value=value)
    tables["other_source_datasets"] = (
        orgs.head(300)
        .with_columns(
            namespace=pl.lit(None, pl.String),
            name=pl.format("external-{}", pl.int_range(pl.len())),
            link=pl.lit("https://example.org/dataset"),
            modality=_pick(rng, DATASET_MODALITIES, 300).head(min(300, orgs.height)),
            lifecycle=_pick(rng, LIFECYCLES, 300).head(min(300, orgs.height)),
        )
        .with_columns(month=pl.lit(MONTH))
    )
    tables.update(census(rng, tables, namespaces))
    tables["curated_metrics"] = read_curated_metrics(CURATED_METRICS, MONTH)
    tables["code_repos"] = empty_raw("code_repos")
    tables["snapshot_manifest"] = empty_raw("snapshot_manifest")
    out = {t: conform(t, tables[t]) if t in tables else empty_raw(t) for t in RAW_SCHEMAS}
    return out


RELATIONS = ["finetune", "adapter", "quantized", "merge", None]


def census(rng: np.random.Generator, tables: dict[str, pl.DataFrame], namespaces: pl.DataFrame) -> dict:
    """The month's Hub census: every (distinct) model and dataset of the month with derivative trees."""
    from leaderboard_pipeline.sources.live import registry_accounts

    registry = tables["org_registry"]
    models = (
        tables["hf_models"]
        .select("namespace", "name", "downloads_last_month", likes=pl.col("likes").clip(0))
        .unique(["namespace", "name"], keep="first", maintain_order=True)
    )
    m = models.height
    ids = models["namespace"] + "/" + models["name"]
    i = np.arange(m)
    # A third of the models are derivatives of an earlier one (u^3: popular early models more often);
    # 5 % of those merge two bases; 0.1 % name any model (cycles, themselves); 2 % spell the base in
    # another letter case.
    derived = (rng.random(m) < 0.33) & (i > 0)
    first = np.floor(i * rng.random(m) ** 3).astype(np.int64)
    second = np.floor(i * rng.random(m) ** 2).astype(np.int64)
    first = np.where(rng.random(m) < 0.001, rng.integers(0, m, m), first)
    frame = pl.DataFrame(
        {
            "b1": ids.gather(first),
            "b2": ids.gather(second),
            "lower": rng.random(m) < 0.02,
            "d": derived,
            "mg": derived & (rng.random(m) < 0.05),
        }
    )
    bases = frame.select(
        base_models=pl.when("mg")
        .then(pl.concat_list(pl.when("lower").then(pl.col("b1").str.to_lowercase()).otherwise("b1"), "b2"))
        .when("d")
        .then(pl.concat_list(pl.when("lower").then(pl.col("b1").str.to_lowercase()).otherwise("b1")))
        .otherwise(pl.lit([], dtype=pl.List(pl.String)))
    )
    relation = _pick(rng, dict(zip(RELATIONS, [0.5, 0.2, 0.25, 0.05, 0.0001], strict=True)), m)
    hf_models = models.with_columns(
        bases,
        base_relation=pl.when(pl.Series(derived)).then(relation),
        month=pl.lit(MONTH),
        created_at=pl.lit("2025-03-01T10:00:00.000Z"),
    )
    hf_datasets = (
        tables["hf_datasets"]
        .select("namespace", "name", "downloads_last_month", "likes")
        .unique(["namespace", "name"], keep="first", maintain_order=True)
        .with_columns(month=pl.lit(MONTH), created_at=pl.lit("2025-03-01T10:00:00.000Z"))
    )
    return {
        "hf_census_models": registry_accounts(hf_models, registry),
        "hf_census_datasets": registry_accounts(hf_datasets, registry),
    }


# -- the measured run (child process) --------------------------------------------------------------
def run_pipeline(
    data: Path,
    profile_name: str,
    db: Path,
    shared_connection: bool = True,
    ranked: int = 0,
    census: bool = True,
) -> dict:
    """Raw Parquet -> overall with checks and DuckDB writes; per-phase seconds and this process' peak RSS.
    ``ranked``: rank only the first N orgs of the hand inputs (0: all)."""
    from leaderboard_pipeline.config.profiles import load_profile
    from leaderboard_pipeline.contract.raw_tables import RAW_TABLES
    from leaderboard_pipeline.core.layers import METRIC_RAW_INPUTS, clean_layer, metrics_layer, scores_layer
    from leaderboard_pipeline.core.metrics import ranked_orgs
    from leaderboard_pipeline.core.quality import clean_checks, metrics_checks, raw_checks, scores_checks
    from leaderboard_pipeline.warehouse import write_layer

    try:
        from leaderboard_pipeline.warehouse import session
    except ImportError:  # an older checkout (A/B runs): one connection per write, as it did then
        session = None

    profile = load_profile(profile_name)
    timings: list[tuple[str, str, float, int]] = []

    def timed(layer: str, phase: str, fn, rows=None):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU seconds beside wall: on a shared machine wall time says more about the others' jobs
        timings.append((layer, phase, seconds, rows(result) if rows else 0, cpu, peak_rss_mb()))
        return result

    def failed(outcomes) -> list[str]:
        return [f"{o.table}.{o.name}" for o in outcomes if o.blocking and not o.passed]

    def write(layer: str, tables: dict[str, pl.DataFrame], months: list[str]):
        write_layer(db, layer, tables, months, profile=profile.name)  # one transaction, as the assets do

    def height(tables: dict[str, pl.DataFrame]) -> int:
        return sum(f.height for f in tables.values())

    # One warehouse connection for the run, as `leaderboard run` does (warehouse.session).
    with session(db) if session and shared_connection else contextlib.nullcontext():
        t0 = time.perf_counter()
        raw = timed(
            "raw",
            "read parquet",
            lambda: {t: pl.read_parquet(data / f"{t}.parquet") for t in RAW_TABLES},
            height,
        )
        if not census:  # the month without its Hub census (what the census adds, on the same data)
            for t in ("hf_census_models", "hf_census_datasets"):
                raw[t] = raw[t].clear()
        if ranked:  # hand inputs for the first N orgs only: the registry (and the Hub) stay whole
            for t in ("system_inputs", "benchmark_inputs"):
                raw[t] = raw[t].filter(pl.col("position") <= ranked)
        this_month = {t: f.filter(pl.col("month") == MONTH) for t, f in raw.items()}
        blocking = failed(timed("raw", "checks", lambda: raw_checks(this_month)))
        timed("raw", "duckdb write", lambda: write("raw", this_month, [MONTH]))
        # The previous month's cumulative totals are stored too (the partition mapping reads them).
        previous = {t: f.filter(pl.col("month") == PREVIOUS) for t, f in raw.items() if f.height}
        timed("raw", "duckdb write (last month)", lambda: write("raw", previous, [PREVIOUS]))

        clean = timed("clean", "compute", lambda: clean_layer(raw, [MONTH], profile), height)
        blocking += failed(timed("clean", "checks", lambda: clean_checks(clean)))
        timed("clean", "duckdb write", lambda: write("clean", clean, [MONTH]))
        # As in the asset graph, where each layer is its own step that loads only its inputs: the metric
        # step reads the merged clean tables, the census per org and a few raw tables, not the platform
        # tables or the census itself (defs/assets.py: METRIC_CLEAN_READS, METRIC_RAW_READS).
        raw = {t: raw[t] for t in METRIC_RAW_INPUTS}
        clean = {t: clean[t] for t in ("models", "datasets", "snapshots", "census_orgs")}

        metrics = timed(
            "metrics",
            "compute",
            lambda: metrics_layer(
                clean["models"], clean["datasets"], raw, [MONTH], profile, None, clean.get("census_orgs")
            ),
            height,
        )
        orgs = ranked_orgs(raw["system_inputs"])
        blocking += failed(timed("metrics", "checks", lambda: metrics_checks(metrics, orgs, clean["models"])))
        timed("metrics", "duckdb write", lambda: write("metrics", metrics, [MONTH]))

        scores = timed("scores", "compute", lambda: scores_layer(metrics, [MONTH], profile), height)
        blocking += failed(timed("scores", "checks", lambda: scores_checks(scores, orgs)))
        timed("scores", "duckdb write", lambda: write("scores", scores, [MONTH]))
        closing = time.perf_counter()
    timings.append(
        ("warehouse", "close (final checkpoint)", time.perf_counter() - closing, 0, 0.0, peak_rss_mb())
    )
    return {
        "timings": timings,
        "total": time.perf_counter() - t0,
        "peak_rss_mb": peak_rss_mb(),
        "blocking_failures": blocking,
        "ranked_orgs": orgs.height,
        "overall_rows": scores["overall"].height,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 2 M models, 500 k datasets, 20 k orgs"
    )
    parser.add_argument("--seed", type=int, default=20250807)
    parser.add_argument("--profile", default="methodology")
    parser.add_argument("--keep", help="folder for the generated Parquet (reused when present)")
    parser.add_argument(
        "--connection-per-write",
        action="store_true",
        help="open and close DuckDB for every table (the behaviour before warehouse.session), for A/B runs",
    )
    parser.add_argument(
        "--ranked",
        type=int,
        default=0,
        help="rank only the first N orgs (hand inputs for N orgs; the registry and the Hub stay whole); "
        "0: every org (20 k at scale 1)",
    )
    parser.add_argument("--no-census", action="store_true", help="the month without its Hub census")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: the measured run
    args = parser.parse_args()

    if args.child:
        data = Path(args.child)
        db = data / "warehouse.duckdb"
        result = run_pipeline(
            data, args.profile, db, not args.connection_per_write, args.ranked, not args.no_census
        )
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="lb-synthetic-") as tmp:
        data = Path(args.keep) if args.keep else Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        marker = data / f"generated-{args.scale}-{args.seed}"
        started = time.perf_counter()
        if not marker.exists():
            raw = generate(args.scale, args.seed)
            for name, frame in raw.items():
                frame.write_parquet(data / f"{name}.parquet")
            marker.touch()
        generated = time.perf_counter() - started
        rows = {
            t: pl.scan_parquet(data / f"{t}.parquet").select(pl.len()).collect().item()
            for t in (
                "hf_models",
                "hf_datasets",
                "hf_census_models",
                "hf_census_datasets",
                "ms_models",
                "model_labels",
                "org_registry",
                "system_inputs",
            )
        }
        (data / "warehouse.duckdb").unlink(missing_ok=True)
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(data),
                "--profile",
                args.profile,
                "--ranked",
                str(args.ranked),
            ]
            + (["--connection-per-write"] if args.connection_per_write else [])
            + (["--no-census"] if args.no_census else []),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            return proc.returncode
        result = json.loads(proc.stdout.strip().splitlines()[-1])

    mode = "a connection per write" if args.connection_per_write else "one warehouse session"
    ranked = f"{args.ranked:,} ranked orgs" if args.ranked else "every org ranked"
    ranked += ", without the census" if args.no_census else ""
    print(
        f"synthetic month at scale {args.scale} (seed {args.seed}, profile {args.profile}, {ranked}, {mode}); "
        f"{machine()}"
    )
    print(
        "raw rows: " + ", ".join(f"{t} {v:,}" for t, v in rows.items()) + f"; generated in {generated:.1f} s"
    )
    print()
    per_layer: dict[str, float] = {}
    out_rows = []
    cpu_total = 0.0
    for layer, phase, seconds, count, cpu, peak in result["timings"]:
        per_layer[layer] = per_layer.get(layer, 0.0) + seconds
        cpu_total += cpu
        out_rows.append([layer, phase, f"{seconds:.2f}", f"{cpu:.2f}", count or "", f"{peak:,.0f}"])
    print(table(["layer", "phase", "seconds", "CPU seconds", "rows out", "peak RSS so far (MiB)"], out_rows))
    print()
    summary = [[layer, f"{s:.2f}"] for layer, s in per_layer.items()]
    summary.append(["total raw -> overall (wall)", f"{result['total']:.2f}"])
    summary.append(["total CPU seconds of the phases", f"{cpu_total:.2f}"])
    summary.append(["peak RSS of the pipeline process (MiB)", f"{result['peak_rss_mb']:.0f}"])
    print(table(["layer", "seconds"], summary))
    if result["blocking_failures"]:
        print(f"blocking checks failed: {', '.join(result['blocking_failures'])}")
    print(f"ranked orgs {result['ranked_orgs']:,}; overall rows {result['overall_rows']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
