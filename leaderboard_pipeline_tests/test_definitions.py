"""All definitions load, and the graph has the shape the UI and the CLI rely on."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from leaderboard_pipeline.core.quality import CHECKS
from leaderboard_pipeline.definitions import build_definitions, defs
from leaderboard_pipeline.defs.partitions import (
    FIRST_MONTH,
    OPEN_ENDED_MONTHS,
    UP_TO_THIS_MONTH,
    month_windows,
    partitions_for,
)
from leaderboard_pipeline.defs.run_settings import RunSettings
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.factory import make_source

MONTHS_OF_DEMO = ["2024-12", "2025-01", "2025-02", "2025-03"]


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_assets_per_layer_with_checks_and_partitions():
    graph = build_definitions().resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for key in (
        "raw/hf_models",
        "raw/ms_models",
        "clean/models",
        "metrics/data",
        "scores/overall",
        "scores/model_rank",
    ):
        assert key in keys
    layers = {k.path[0] for k in graph.get_all_asset_keys()}
    assert {"raw", "clean", "metrics", "scores"} <= layers
    # one check per table, partitioned like it, its rules (CHECKS) in the description
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("raw/org_registry", "quality") in checks and ("scores/overall", "quality") in checks
    assert checks == {
        (f"{layer}/{spec.table}", "quality") for layer, specs in CHECKS.items() for spec in specs
    }
    spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["raw", "org_registry"]), "quality"))
    assert spec.blocking and spec.partitions_def is not None
    assert "one_org_per_namespace (blocking)" in spec.description
    node = graph.get(dg.AssetKey(["clean", "ms_models"]))
    assert node.partitions_def is not None and node.group_name == "clean"
    # lineage: ModelScope cleaning reads the raw ModelScope table (this and last month)
    assert dg.AssetKey(["raw", "ms_models"]) in node.parent_keys


def test_job_and_monthly_schedule():
    built = build_definitions()
    job = built.resolve_job_def("monthly_leaderboard")
    assert job.partitions_def is not None
    schedule = built.resolve_schedule_def("monthly_leaderboard_schedule")
    assert schedule.cron_schedule == "0 3 8 * *"
    # the tick produces and publishes: the graph and the site
    published = {
        k.to_user_string()
        for k in built.resolve_job_def("monthly_publication").asset_layer.selected_asset_keys
    }
    assert "site/leaderboard" in published and "scores/overall" in published


def partition_keys(**run) -> list[str]:
    built = build_definitions(RunSettings(**run))
    return built.resolve_job_def("monthly_leaderboard").partitions_def.get_partition_keys()


def test_partitions_are_the_sources_own_months(tmp_path, reference_archive):
    """Failed before: every source had every month from 2024-11 to the current one, so the demo's asset
    pages showed 'Missing (22)' for months it can never have."""
    assert partition_keys(source="demo") == make_source("demo").months() == MONTHS_OF_DEMO
    # an archive's partitions are its dated folders, first to last, read when the location loads
    archive = tmp_path / "archive"
    for folder in ("2025-02-14", "2025-04-13", "2025-05-12"):
        (archive / "snapshots" / folder).mkdir(parents=True)
    assert partition_keys(source="archive", archive=str(archive)) == [
        "2025-02",
        "2025-03",  # a month the archive skips stays a partition: its page says it is missing
        "2025-04",
        "2025-05",
    ]
    published = ArchiveSource(reference_archive).months()
    assert partition_keys(source="archive", archive=str(reference_archive)) == published
    # the live source (and an archive that cannot be opened) can produce any month up to the current one
    live = partition_keys(source="live")
    assert live[0] == FIRST_MONTH and live[-1] == datetime.now(UTC).strftime("%Y-%m")
    assert partition_keys(source="archive", archive=str(tmp_path / "none")) == live


def test_accumulated_inputs_reach_the_first_month_and_no_later_one(tmp_path):
    """An accumulated table's window is every month from the first partition to this one: exactly the
    partitions of a bounded source (a window of 600 months cost 1.5 s a backfill), ten more years for an
    open-ended one, never a later month."""
    demo = partitions_for(RunSettings(source="demo"))
    window = month_windows(demo)[UP_TO_THIS_MONTH]
    last = demo.get_last_partition_key()
    upstream = window.get_upstream_mapped_partitions_result_for_partitions(
        demo.subset_with_partition_keys([last]), demo, demo
    ).partitions_subset.get_partition_keys()
    assert list(upstream) == MONTHS_OF_DEMO
    first = window.get_upstream_mapped_partitions_result_for_partitions(
        demo.subset_with_partition_keys(["2025-01"]), demo, demo
    ).partitions_subset.get_partition_keys()
    assert list(first) == ["2024-12", "2025-01"]
    live = partitions_for(RunSettings(source="live"))
    span = -month_windows(live)[UP_TO_THIS_MONTH].start_offset
    assert span == len(live.get_partition_keys()) + OPEN_ENDED_MONTHS
