"""The asset graph: raw snapshot -> clean tables -> metric tables -> score tables, one step per layer.

Each layer is a multi-asset: one Dagster asset (and one DuckDB table) per table, with lineage between
tables, but a single step per layer so a backfill of many months costs four steps, not forty.
"""

import dagster as dg
import polars as pl

from leaderboard_pipeline.cleaning import CUMULATIVE
from leaderboard_pipeline.defs.partitions import monthly, single_run, up_to_this_month, with_previous_month
from leaderboard_pipeline.defs.publishing import check_specs, outs, publish
from leaderboard_pipeline.defs.resources import LeaderboardSettings, PlatformApis
from leaderboard_pipeline.layers import clean_layer, metrics_layer, scores_layer
from leaderboard_pipeline.metrics import ranked_orgs
from leaderboard_pipeline.profiles import DIMENSIONS
from leaderboard_pipeline.quality import clean_checks, metrics_checks, raw_checks, scores_checks
from leaderboard_pipeline.raw_tables import PLATFORM_TABLES, RAW_TABLES

RAW_DESCRIPTIONS = {
    "hf_models": "Hugging Face models of the org namespaces, as crawled (30-day downloads).",
    "hf_datasets": "Hugging Face datasets of the org namespaces, as crawled (30-day downloads).",
    "ms_models": "ModelScope models, as crawled (cumulative downloads).",
    "ms_datasets": "ModelScope datasets, as crawled (cumulative downloads).",
    "odl_datasets": "OpenDataLab datasets, as crawled (cumulative downloads).",
    "baai_datasets": "BAAI data platform datasets, as crawled (cumulative downloads).",
    "system_inputs": "Hand input of the system dimension (one row per org x column); its orgs are ranked.",
    "benchmark_inputs": "Hand input of the benchmark dimension (one row per org x column).",
    "other_source_datasets": "Curated datasets published outside the four platforms.",
    "curated_metrics": "Curated metric values (data-processing operators, adapted chips) with evidence notes.",
    "org_registry": "Which namespace on which platform belongs to which organisation.",
    "model_labels": "Model labels: modality and large-model flag per namespace/name.",
    "dataset_labels": "Dataset labels: modality, lifecycle and validity per namespace/name.",
    "code_repos": "Code repositories behind the system and benchmark dimensions (live source only).",
    "snapshot_manifest": "What was read or fetched for the month: files with hashes, or requests and retries.",
    "input_evidence": "Evidence (URL, note) of hand-input values, and which were carried forward unreviewed.",
}
CLEAN_DESCRIPTIONS = {
    "hf_models": "Hugging Face models attributed to orgs and labelled; `excluded` names the rule that drops a row.",
    "ms_models": "ModelScope models with monthly downloads = total - last month's total (partition mapping).",
    "hf_datasets": "Hugging Face datasets attributed to orgs and labelled.",
    "ms_datasets": "ModelScope datasets with monthly downloads from last month's totals.",
    "odl_datasets": "OpenDataLab datasets with monthly downloads from last month's totals.",
    "baai_datasets": "BAAI datasets with monthly downloads from last month's totals.",
    "models": "One row per model across platforms (org + name), in the profile's platform precedence.",
    "datasets": "One row per dataset across platforms (org + name), in the profile's platform precedence.",
}
METRIC_DESCRIPTIONS = {
    "data": "Per-org data metrics (dataset counts/downloads per modality and lifecycle), monthly and accumulated.",
    "model": "Per-org model metrics (downloads/counts per modality, descendants, likes, issues), monthly and accumulated.",
    "system": "Per-org system metrics from the hand input (operator libraries, frameworks, compilers, ...).",
    "benchmark": "Per-org benchmark metrics from the hand input (leaderboards, evaluated models, ...).",
    "rank_bootstrap": "Each org's 2.5-97.5 % rank range when the items behind its values are resampled (rank intervals).",
}
SCORE_DESCRIPTIONS = {
    **{
        f"{d}_normalised": f"Normalised {d} metric columns per org (profile normalisation)."
        for d in DIMENSIONS
    },
    **{f"{d}_rank": f"{d.title()} score, dense rank and delta rank per org." for d in DIMENSIONS},
    "overall": "Overall score, rank and delta rank per org, combining the four dimension rankings.",
}


def _frames(inputs: dict[str, pl.DataFrame], prefix: str) -> dict[str, pl.DataFrame]:
    return {name.removeprefix(prefix): frame for name, frame in inputs.items()}


@dg.multi_asset(
    name="raw_snapshot",
    outs=outs("raw", RAW_DESCRIPTIONS),
    partitions_def=monthly,
    backfill_policy=single_run,
    check_specs=check_specs("raw"),
)
def raw_snapshot(
    context: dg.AssetExecutionContext, leaderboard: LeaderboardSettings, platform_apis: PlatformApis
):
    """Read every raw table of the months from the configured source (stored as read, immutable)."""
    source = leaderboard.snapshot_source(platform_apis)
    months = context.partition_keys
    read = [source.read_month(m) for m in months]
    context.log.info(f"read {source.name} snapshot for {', '.join(months)}")
    tables = {t: pl.concat([r[t] for r in read], how="vertical_relaxed") for t in RAW_TABLES}
    yield from publish(context, "raw", tables, raw_checks(tables))


CLEAN_INPUTS = (*PLATFORM_TABLES, "org_registry", "model_labels", "dataset_labels")


@dg.multi_asset(
    name="clean_tables",
    outs=outs("clean", CLEAN_DESCRIPTIONS),
    ins={
        f"raw_{t}": dg.AssetIn(
            key=dg.AssetKey(["raw", t]), partition_mapping=with_previous_month if t in CUMULATIVE else None
        )
        for t in CLEAN_INPUTS
    },
    partitions_def=monthly,
    backfill_policy=single_run,
    check_specs=check_specs("clean"),
)
def clean_tables(context: dg.AssetExecutionContext, leaderboard: LeaderboardSettings, **raw: pl.DataFrame):
    """Attribute, label, difference and filter each platform's rows, then merge across platforms."""
    tables = clean_layer(_frames(raw, "raw_"), context.partition_keys, leaderboard.scoring_profile())
    yield from publish(context, "clean", tables, clean_checks(tables))


METRIC_RAW_INPUTS = (
    "system_inputs",
    "benchmark_inputs",
    "other_source_datasets",
    "curated_metrics",
    "code_repos",
)


@dg.multi_asset(
    name="metric_tables",
    outs=outs("metrics", METRIC_DESCRIPTIONS),
    ins={
        "clean_models": dg.AssetIn(key=dg.AssetKey(["clean", "models"]), partition_mapping=up_to_this_month),
        "clean_datasets": dg.AssetIn(
            key=dg.AssetKey(["clean", "datasets"]), partition_mapping=up_to_this_month
        ),
        **{
            # code_repos: stars / forks gained are differences against last month's snapshot
            f"raw_{t}": dg.AssetIn(
                key=dg.AssetKey(["raw", t]),
                partition_mapping=with_previous_month if t == "code_repos" else None,
            )
            for t in METRIC_RAW_INPUTS
        },
    },
    partitions_def=monthly,
    backfill_policy=single_run,
    check_specs=check_specs("metrics"),
)
def metric_tables(
    context: dg.AssetExecutionContext,
    leaderboard: LeaderboardSettings,
    clean_models: pl.DataFrame,
    clean_datasets: pl.DataFrame,
    **raw: pl.DataFrame,
):
    """Per-org metric tables of the four dimensions, monthly and accumulated up to the month."""
    raw = _frames(raw, "raw_")
    months = context.partition_keys
    tables = metrics_layer(clean_models, clean_datasets, raw, months, leaderboard.scoring_profile())
    orgs = ranked_orgs(raw["system_inputs"])
    this_months = clean_models.filter(pl.col("month").is_in(months))
    yield from publish(context, "metrics", tables, metrics_checks(tables, orgs, this_months))


@dg.multi_asset(
    name="score_tables",
    outs=outs("scores", SCORE_DESCRIPTIONS),
    ins={
        **{
            f"metrics_{d}": dg.AssetIn(key=dg.AssetKey(["metrics", d]), partition_mapping=with_previous_month)
            for d in DIMENSIONS
        },
        "metrics_rank_bootstrap": dg.AssetIn(key=dg.AssetKey(["metrics", "rank_bootstrap"])),
        "raw_system_inputs": dg.AssetIn(key=dg.AssetKey(["raw", "system_inputs"])),
    },
    partitions_def=monthly,
    backfill_policy=single_run,
    check_specs=check_specs("scores"),
)
def score_tables(
    context: dg.AssetExecutionContext,
    leaderboard: LeaderboardSettings,
    raw_system_inputs: pl.DataFrame,
    **metrics: pl.DataFrame,
):
    """Normalise, score and rank each dimension, then combine into the overall ranking."""
    tables = scores_layer(_frames(metrics, "metrics_"), context.partition_keys, leaderboard.scoring_profile())
    yield from publish(context, "scores", tables, scores_checks(tables, ranked_orgs(raw_system_inputs)))


LAYER_ASSETS = [raw_snapshot, clean_tables, metric_tables, score_tables]
