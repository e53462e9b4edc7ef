"""The asset graph materialised in process on the demo: table contents and blocking checks."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import polars as pl
import pytest

from leaderboard_pipeline.defs.assets import layer_assets
from leaderboard_pipeline.defs.partitions import partitions_for
from leaderboard_pipeline.defs.resources import resources_for
from leaderboard_pipeline.defs.run_settings import RunSettings
from leaderboard_pipeline.sources.demo import demo_dir
from leaderboard_pipeline.warehouse import read_partitions

RANGE = {"dagster/asset_partition_range_start": "2024-12", "dagster/asset_partition_range_end": "2025-02"}


def materialise(db, tags=RANGE, **settings):
    run = RunSettings(database=str(db), cassettes="replay", **settings)
    assets = layer_assets(partitions_for(run))
    return dg.materialize(assets, resources=resources_for(run), tags=tags, raise_on_error=False)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    db = tmp_path_factory.mktemp("graph") / "w.duckdb"
    result = materialise(db, source="demo")
    return db, result


def read(db, schema, table, months=None):
    return read_partitions(db, schema, table, months, "methodology")


def test_run_succeeds_with_every_blocking_check_green(demo_run):
    _, result = demo_run
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations if e.severity == dg.AssetCheckSeverity.ERROR)


def test_two_ranked_months_with_dense_ranks_and_deltas(demo_run):
    db, _ = demo_run
    overall = read(db, "scores", "overall").filter(pl.col("variant") == "monthly")
    assert sorted(overall["month"].unique()) == ["2025-01", "2025-02"]
    for _, rows in overall.group_by("month"):
        assert rows.height == 6
        assert sorted(rows["rank"].unique()) == list(range(1, rows["rank"].n_unique() + 1))
    assert overall.filter(pl.col("month") == "2025-01")["delta_rank"].is_null().all()  # no ranking before
    assert overall.filter(pl.col("month") == "2025-02")["delta_rank"].is_not_null().all()


def test_modelscope_downloads_come_from_last_months_totals_per_30_days(demo_run):
    db, _ = demo_run
    clean = read(db, "clean", "ms_models", ["2025-02"])
    raw_now = read_partitions(db, "raw", "ms_models", ["2025-02"], None)
    raw_before = read_partitions(db, "raw", "ms_models", ["2025-01"], None)
    days = (pl.col("date_crawl") - pl.col("date_crawl_prev")).dt.total_days()
    expected = raw_now.join(raw_before, on=["namespace", "name"], suffix="_prev").select(
        "name",
        expected=((pl.col("total_downloads") - pl.col("total_downloads_prev")) * 30 / days).round(0),
        days=days,
    )
    assert (expected["days"] == 31).all()  # 2025-01-14 -> 2025-02-14: scaled to a 30-day window
    joined = clean.join(expected, on="name")
    assert joined.height > 5
    assert (joined["downloads_month"] == joined["expected"].clip(lower_bound=0)).all()


def test_accumulated_metrics_add_up_the_months_so_far(demo_run):
    db, _ = demo_run
    models = read(db, "clean", "models")
    metrics = read(db, "metrics", "model", ["2025-02"])
    org = "Ali"
    expected = models.filter(pl.col("org") == org, pl.col("modality") == "Language")["downloads_month"].sum()
    got = metrics.filter(
        pl.col("org") == org, pl.col("variant") == "accumulated", pl.col("metric") == "downloads_language"
    )["value"].item()
    assert got == expected  # 2024-12 .. 2025-02, nothing later


def test_failing_blocking_check_stops_downstream_and_keeps_stored_tables(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_dir(), archive, ignore=shutil.ignore_patterns(".fingerprint"))
    db = tmp_path / "w.duckdb"
    first = materialise(db, source="archive", archive=str(archive))
    assert first.success
    before = read(db, "scores", "overall")

    links_path = archive / "config" / "org-links.json"
    links = json.loads(links_path.read_text())
    links["Baidu"]["HuggingFace"].append("https://huggingface.co/Qwen")  # Qwen now under two orgs
    links_path.write_text(json.dumps(links))
    (archive / "snapshots" / "2025-03-07").rename(archive / "snapshots" / "2025-03-07-unused")
    shutil.copytree(archive / "snapshots" / "2025-02-14", archive / "snapshots" / "2025-03-07")
    second = materialise(
        db,
        tags={
            "dagster/asset_partition_range_start": "2025-03",
            "dagster/asset_partition_range_end": "2025-03",
        },
        source="archive",
        archive=str(archive),
    )
    assert not second.success
    failed = [
        e
        for e in second.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert [(e.asset_key.to_user_string(), e.partition) for e in failed] == [("raw/org_registry", "2025-03")]
    assert failed[0].metadata["rules_failed"].value == "one_org_per_namespace"
    assert failed[0].metadata["one_org_per_namespace.namespaces_with_two_orgs"].value == 1
    materialised = {m.asset_key.path[0] for m in second.get_asset_materialization_events()}
    assert materialised == set()  # nothing of the month was written, downstream never ran
    assert read_partitions(db, "raw", "org_registry", ["2025-03"], None).is_empty()
    assert read(db, "scores", "overall").equals(before)
