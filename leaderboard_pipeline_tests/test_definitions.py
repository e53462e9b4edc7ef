"""All definitions load, and the graph has the shape the UI and the CLI rely on."""

from __future__ import annotations

import dagster as dg

from leaderboard_pipeline.core.quality import CHECKS
from leaderboard_pipeline.definitions import build_definitions, defs


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
