"""Warehouses for the site tests, built in-process through the layer functions (no Dagster run: the
layers are what the assets call, and skipping orchestration keeps the module fast)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, raw_layer, scores_layer
from leaderboard_pipeline.site import build_site
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.warehouse import write_layer


def build_warehouse(
    path: Path, source_name: str, archive: Path | None = None, profile=None, mutate=None
) -> Path:
    """``mutate(raw)``: change the raw tables before the layers run (e.g. a platform missing)."""
    profile = profile or load_profile(settings.DEFAULT_PROFILE)
    source = make_source(source_name, archive)
    months = source.months()
    raw = raw_layer([source.read_month(m) for m in months])
    raw = mutate(raw) if mutate else raw
    clean = clean_layer(raw, months, profile)
    metrics = metrics_layer(
        clean["models"], clean["datasets"], raw, months, profile, clean["snapshots"], clean["census_orgs"]
    )
    scores = scores_layer(metrics, months, profile)
    for layer, tables in (("raw", raw), ("clean", clean), ("metrics", metrics), ("scores", scores)):
        write_layer(path, layer, tables, months, profile=profile.name, source=source_name)
    return path


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("site-demo") / "demo.duckdb", "demo")


@pytest.fixture(scope="session")
def demo_site(demo_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-demo-out") / "site"
    build_site(demo_warehouse, load_profile(settings.DEFAULT_PROFILE), out, source="demo")
    return out


# What later work adds to a warehouse (rank intervals from B, evidence from E, a missing platform from
# A), written into a copy of the demo warehouse so the site can be tested against the contracts now.
TRUST_MONTH = "2025-03"
EVIDENCE_URL = "https://github.com/FlagOpen/FlagGems"


def add_trust_data(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for table in ("overall", *(f"{d}_rank" for d in ("data", "model", "system", "benchmark"))):
            for column in ("rank_low", "rank_high", "rank_best_loo", "rank_worst_loo"):
                con.execute(f"alter table scores.{table} add column if not exists {column} bigint")
            # A synthetic but consistent interval: one place either side of the rank, never below 1.
            con.execute(
                f"update scores.{table} set rank_low = greatest(rank - 1, 1), rank_high = rank + 1, "
                "rank_best_loo = greatest(rank - 2, 1), rank_worst_loo = rank + 2"
            )
        con.execute(
            "insert into raw.input_evidence values "
            f"('{TRUST_MONTH}', 'system', 'BAAI', 'num_operators', '{EVIDENCE_URL}', 'FlagGems operator list', null), "
            f"('{TRUST_MONTH}', 'benchmark', 'BAAI', 'num_leaderboards', null, 'FlagEval leaderboards', '2025-02')"
        )
        con.execute(
            'insert into raw.snapshot_manifest (month, source, "table", location, rows, status, detail) values '
            f"('{TRUST_MONTH}', 'live:replay', 'odl_datasets', 'mock', 0, 'missing', "
            "'OpenDataLab: GET /api/datasets: connection refused')"
        )
    finally:
        con.close()


@pytest.fixture(scope="session")
def trust_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("site-trust") / "trust.duckdb"
    shutil.copy(demo_warehouse, path)
    add_trust_data(path)
    return path


@pytest.fixture(scope="session")
def trust_site(trust_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-trust-out") / "site"
    build_site(trust_warehouse, load_profile(settings.DEFAULT_PROFILE), out, source="live")
    return out


@pytest.fixture(scope="session")
def archive_site(tmp_path_factory) -> Path:
    """The site of the full reference archive. A missing archive fails the test (CI must provide it)."""
    archive = settings.DEFAULT_ARCHIVE
    if not (archive / "snapshots").is_dir():
        pytest.fail(
            f"reference archive not found at {archive} (CI must provide ../shared beside the checkout)"
        )
    base = tmp_path_factory.mktemp("site-archive")
    started = time.perf_counter()
    warehouse = build_warehouse(base / "archive.duckdb", "archive", archive)
    built = time.perf_counter() - started
    report = build_site(warehouse, load_profile(settings.DEFAULT_PROFILE), base / "site", source="archive")
    print(
        f"\narchive warehouse in {built:.1f} s; "
        f"site: {report.pages} pages, {report.files} files, {report.bytes} bytes in {report.seconds:.1f} s"
    )
    return base / "site"


# A month collected with platforms missing (``run --allow-missing``), as the live source records it (a
# platform's every table): Hugging Face and ModelScope (the model dimension's every platform: it is not
# ranked; the data dimension keeps BAAI's datasets) and OpenDataLab.
GAP_MONTH = "2025-03"
_HF = "HuggingFace missing: HuggingFace: org 'BAAI': GET /api/models: gave up after 5 attempts (HTTP 503)"
_MS = "ModelScope missing: ModelScope: org 'Ali': PUT /api/v1/dolphin/models: HTTP 503"
GAP_TABLES = {
    "hf_models": _HF,
    "hf_datasets": _HF,
    "ms_models": _MS,
    "ms_datasets": _MS,
    "odl_datasets": "OpenDataLab missing: OpenDataLab: POST /datasets/list: connection refused",
}


def with_gaps(raw: dict) -> dict:
    """The demo's raw tables as if GAP_MONTH had been collected with GAP_TABLES' platforms missing."""
    import polars as pl

    out = dict(raw)
    for table in GAP_TABLES:
        out[table] = raw[table].filter(pl.col("month") != GAP_MONTH)
    manifest = raw["snapshot_manifest"]
    hit = (pl.col("month") == GAP_MONTH) & pl.col("table").is_in(list(GAP_TABLES))
    out["snapshot_manifest"] = manifest.with_columns(
        status=pl.when(hit).then(pl.lit("missing")).otherwise(pl.col("status")),
        detail=pl.when(hit)
        .then(pl.col("table").replace_strict(GAP_TABLES, default=None))
        .otherwise(pl.col("detail")),
        rows=pl.when(hit).then(0).otherwise(pl.col("rows")),
    )
    return out


@pytest.fixture(scope="session")
def gap_warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("site-gaps") / "demo.duckdb", "demo", mutate=with_gaps)


@pytest.fixture(scope="session")
def gap_site(gap_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-gaps-out") / "site"
    build_site(gap_warehouse, load_profile(settings.DEFAULT_PROFILE), out, source="live")
    return out
