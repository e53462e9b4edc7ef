"""The asset graph: raw snapshot -> clean tables -> metric tables -> score tables, one step per layer.

Each layer is a multi-asset: one Dagster asset (and one DuckDB table) per table, with lineage between
tables, but a single step per layer so a backfill of many months costs four steps, not forty. The steps
are plain functions here; `layer_assets` makes them assets over the code location's partitions (the
source's own months, `partitions.partitions_for`).
"""

import dagster as dg
import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.contract.raw_tables import CENSUS_TABLES, OPENI_TABLES, PLATFORM_TABLES
from leaderboard_pipeline.core.cleaning import CUMULATIVE
from leaderboard_pipeline.core.layers import (
    METRIC_RAW_INPUTS,
    clean_layer,
    metrics_layer,
    ranked_orgs_of,
    raw_layer,
    scores_layer,
)
from leaderboard_pipeline.core.metrics import ranked_orgs
from leaderboard_pipeline.core.quality import clean_checks, metrics_checks, raw_checks, scores_checks
from leaderboard_pipeline.defs.partitions import (
    UP_TO_THIS_MONTH,
    WITH_PREVIOUS_MONTH,
    month_windows,
    single_run,
)
from leaderboard_pipeline.defs.publishing import check_specs, publish, specs
from leaderboard_pipeline.defs.resources import LeaderboardSettings, Warehouse

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
    "openi_models": "OpenI repositories of the org accounts that carry a model (live source only).",
    "openi_datasets": "OpenI repositories of the org accounts that carry a dataset (live source only).",
    "hf_census_models": "Every public Hugging Face model of the month: downloads, likes, base models (live only).",
    "hf_census_datasets": "Every public Hugging Face dataset of the month: downloads, likes (live only).",
}
CLEAN_DESCRIPTIONS = {
    "hf_models": "Hugging Face models attributed to orgs and labelled; `excluded` names the rule that drops a row.",
    "ms_models": "ModelScope models with monthly downloads = total - the earlier snapshot's total (profile rule).",
    "hf_datasets": "Hugging Face datasets attributed to orgs and labelled.",
    "ms_datasets": "ModelScope datasets with monthly downloads from an earlier snapshot's totals.",
    "odl_datasets": "OpenDataLab datasets with monthly downloads from an earlier snapshot's totals.",
    "baai_datasets": "BAAI datasets with monthly downloads from an earlier snapshot's totals.",
    "models": "One row per model across platforms (org + name), in the profile's platform precedence.",
    "snapshots": "Per month and platform table: how monthly downloads were obtained (30-day count, difference "
    "to an earlier snapshot and which, first snapshot, missing).",
    "datasets": "One row per dataset across platforms (org + name), in the profile's platform precedence.",
    "census_orgs": "Per org, from the Hub census: its models, datasets, downloads, derivative reach, Hub totals.",
    "census_candidates": "Accounts outside the registry that would rank by the census metrics (and the orgs).",
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


def _inputs(layer: str, tables: dict[str, str | None], windows: dict[str, dg.PartitionMapping]):
    """Inputs of a layer step: an AssetDep per upstream table (with its partition mapping: which months it
    reads, ``windows`` by name; None: the partition's own) for lineage and for which partitions are
    loaded, and the AssetIn that loads it as ``<layer>_<table>``."""
    deps = [dg.AssetDep(dg.AssetKey([layer, t]), partition_mapping=windows.get(w)) for t, w in tables.items()]
    ins = {f"{layer}_{t}": dg.AssetIn(key=dg.AssetKey([layer, t])) for t in tables}
    return deps, ins


def raw_snapshot(context: dg.AssetExecutionContext, leaderboard: LeaderboardSettings, warehouse: Warehouse):
    """Read every raw table of the months from the configured source (stored as read, immutable)."""
    # the live collectors' progress (platform, org i/n, requests, retries, ETA) in the run log
    source = leaderboard.snapshot_source(
        progress=lambda e: (context.log.warning if e.warning else context.log.info)(e.message)
    )
    months = context.partition_keys
    tables = raw_layer([source.read_month(m) for m in months])
    context.log.info(f"read {source.name} snapshot for {', '.join(months)}")
    yield from publish(context, leaderboard, warehouse, "raw", tables, raw_checks(tables, months))


# Cumulative platforms difference against the latest earlier stored snapshot: every earlier month.
CLEAN_READS = {
    **{t: UP_TO_THIS_MONTH if t in CUMULATIVE else None for t in PLATFORM_TABLES},
    **dict.fromkeys(("org_registry", "model_labels", "dataset_labels", "snapshot_manifest")),
    **dict.fromkeys(CENSUS_TABLES),  # the month's census only
}


def clean_tables(
    context: dg.AssetExecutionContext,
    leaderboard: LeaderboardSettings,
    warehouse: Warehouse,
    **raw: pl.DataFrame,
):
    """Attribute, label, difference and filter each platform's rows, then merge across platforms."""
    months = context.partition_keys
    profile = leaderboard.scoring_profile
    tables = clean_layer(_frames(raw, "raw_"), months, profile)
    outcomes = clean_checks(tables, profile.cleaning, months)
    yield from publish(context, leaderboard, warehouse, "clean", tables, outcomes)


METRIC_CLEAN_READS = {
    "models": UP_TO_THIS_MONTH,
    "datasets": UP_TO_THIS_MONTH,
    "snapshots": None,
    "census_orgs": UP_TO_THIS_MONTH,
}
# code_repos: stars / forks gained are differences against last month's snapshot; OpenI items accumulate
METRIC_RAW_READS = {
    t: WITH_PREVIOUS_MONTH if t == "code_repos" else UP_TO_THIS_MONTH if t in OPENI_TABLES else None
    for t in METRIC_RAW_INPUTS
}


def metric_tables(
    context: dg.AssetExecutionContext,
    leaderboard: LeaderboardSettings,
    warehouse: Warehouse,
    clean_models: pl.DataFrame,
    clean_datasets: pl.DataFrame,
    clean_snapshots: pl.DataFrame,
    clean_census_orgs: pl.DataFrame,
    **raw: pl.DataFrame,
):
    """Per-org metric tables of the four dimensions, monthly and accumulated up to the month."""
    raw = _frames(raw, "raw_")
    months = context.partition_keys
    profile = leaderboard.scoring_profile
    orgs = ranked_orgs_of(raw["system_inputs"], clean_snapshots, profile)
    tables = metrics_layer(
        clean_models, clean_datasets, raw, months, profile, clean_snapshots, clean_census_orgs
    )
    this_months = clean_models.filter(pl.col("month").is_in(months))
    outcomes = metrics_checks(tables, orgs, this_months, clean_snapshots, months)
    yield from publish(context, leaderboard, warehouse, "metrics", tables, outcomes)


# the bootstrap ranks of the month itself; the dimensions' metrics of every earlier month too: delta
# ranks compare with the last ranked month, which a skipped month (or the gap between a taken-over
# archive and the first live month) puts further back than the previous one
SCORE_READS = {**dict.fromkeys(DIMENSIONS, UP_TO_THIS_MONTH), "rank_bootstrap": None}


def score_tables(
    context: dg.AssetExecutionContext,
    leaderboard: LeaderboardSettings,
    warehouse: Warehouse,
    **metrics: pl.DataFrame,
):
    """Normalise, score and rank each dimension, then combine into the overall ranking."""
    metrics = _frames(metrics, "metrics_")
    months = context.partition_keys
    tables = scores_layer(metrics, months, leaderboard.scoring_profile)
    # The orgs ranked this month are those the metric step scored (a baseline month scores none; a
    # dimension not ranked for a gap, none in that dimension).
    this = {d: metrics[d].filter(pl.col("month").is_in(months)) for d in DIMENSIONS}
    by_dimension = {d: ranked_orgs(t) for d, t in this.items()}
    outcomes = scores_checks(tables, ranked_orgs(this["system"]), by_dimension, months)
    yield from publish(context, leaderboard, warehouse, "scores", tables, outcomes)


def layer_assets(monthly: dg.MonthlyPartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The four steps as multi-assets partitioned by ``monthly``, each with one check per table."""
    windows = month_windows(monthly)

    def step(name, compute, layer, descriptions, reads=()) -> dg.AssetsDefinition:
        pairs = [_inputs(upstream, tables, windows) for upstream, tables in reads]
        deps = [dep for layer_deps, _ in pairs for dep in layer_deps]
        ins = {name: spec for _, layer_ins in pairs for name, spec in layer_ins.items()}
        return dg.multi_asset(
            name=name,
            specs=specs(layer, descriptions, deps),
            ins=ins,
            partitions_def=monthly,
            backfill_policy=single_run,
            check_specs=check_specs(layer, monthly),
        )(compute)

    return [
        step("raw_snapshot", raw_snapshot, "raw", RAW_DESCRIPTIONS),
        step("clean_tables", clean_tables, "clean", CLEAN_DESCRIPTIONS, [("raw", CLEAN_READS)]),
        step(
            "metric_tables",
            metric_tables,
            "metrics",
            METRIC_DESCRIPTIONS,
            [("clean", METRIC_CLEAN_READS), ("raw", METRIC_RAW_READS)],
        ),
        step("score_tables", score_tables, "scores", SCORE_DESCRIPTIONS, [("metrics", SCORE_READS)]),
    ]
