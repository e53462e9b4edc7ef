"""Warehouses for the site tests, built in-process through the layer functions (no Dagster run: the
layers are what the assets call, and skipping orchestration keeps the module fast)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from leaderboard_pipeline import settings
from leaderboard_pipeline.layers import clean_layer, metrics_layer, raw_layer, scores_layer
from leaderboard_pipeline.profiles import load_profile
from leaderboard_pipeline.site import build_site
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.warehouse import write_layer


def build_warehouse(path: Path, source_name: str, archive: Path | None = None) -> Path:
    profile = load_profile(settings.DEFAULT_PROFILE)
    source = make_source(source_name, archive)
    months = source.months()
    raw = raw_layer([source.read_month(m) for m in months])
    clean = clean_layer(raw, months, profile)
    metrics = metrics_layer(clean["models"], clean["datasets"], raw, months, profile, clean["snapshots"])
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
    build_site(demo_warehouse, load_profile(settings.DEFAULT_PROFILE), out)
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
    report = build_site(warehouse, load_profile(settings.DEFAULT_PROFILE), base / "site")
    print(
        f"\narchive warehouse in {built:.1f} s; "
        f"site: {report.pages} pages, {report.bytes} bytes in {report.seconds:.1f} s"
    )
    return base / "site"
