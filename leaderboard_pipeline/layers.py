"""One function per layer, over plain polars frames: raw -> clean -> metrics -> scores.

The Dagster assets are thin wrappers around these, and tests and benchmarks call them directly.
Frames may hold several months; every function handles the months it is given.
"""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.cleaning import (
    CUMULATIVE,
    PREVIOUS_TOTALS_SCHEMA,
    clean_datasets,
    clean_models,
    merge,
    prepare_labels,
    previous_month,
)
from leaderboard_pipeline.metrics import (
    METRIC_SCHEMA,
    accumulate,
    data_metrics,
    input_metrics,
    model_metrics,
    ranked_orgs,
)
from leaderboard_pipeline.profiles import DIMENSIONS, Cleaning, Profile
from leaderboard_pipeline.raw_tables import RAW_TABLES, canonical
from leaderboard_pipeline.scoring import NORMALISED_SCHEMA, OVERALL_SCHEMA, RANK_SCHEMA, score_month
from leaderboard_pipeline.snapshots import previous_snapshot, snapshot_status, unranked_months

MODEL_TABLES = ("hf_models", "ms_models")
DATASET_TABLES = ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets")
CLEAN_TABLES = (*MODEL_TABLES, *DATASET_TABLES, "models", "datasets", "snapshots")
METRIC_TABLES = DIMENSIONS
SCORE_TABLES = (
    *(f"{d}_normalised" for d in DIMENSIONS),
    *(f"{d}_rank" for d in DIMENSIONS),
    "overall",
)


def _month(frame: pl.DataFrame, month: str) -> pl.DataFrame:
    return frame.filter(pl.col("month") == month)


def raw_layer(months_read: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """A source's months (one dict of raw tables each) -> every raw table, in its canonical row order."""
    return {
        t: canonical(t, pl.concat([read[t] for read in months_read], how="vertical_relaxed"))
        for t in RAW_TABLES
    }


def _previous_totals(
    raw: dict[str, pl.DataFrame], table: str, month: str | None, rules: Cleaning
) -> pl.DataFrame:
    """The cumulative totals of ``table`` in the snapshot of ``month`` (none when ``month`` is None).

    The published pipeline looked totals up in one map per platform built from models, then datasets, so
    a dataset shadows a model of the same name (``shared_previous_totals``).
    """
    if month is None:
        return pl.DataFrame(schema=PREVIOUS_TOTALS_SCHEMA)
    columns = list(PREVIOUS_TOTALS_SCHEMA)
    return pl.concat([_month(raw[t], month).select(columns) for t in _total_tables(table, rules)])


def _total_tables(table: str, rules: Cleaning) -> tuple[str, ...]:
    """The raw tables whose earlier totals ``table`` is differenced against."""
    if rules.shared_previous_totals and table in ("ms_models", "ms_datasets"):
        return ("ms_models", "ms_datasets")
    return (table,)


def clean_layer(raw: dict[str, pl.DataFrame], months: list[str], profile: Profile) -> dict[str, pl.DataFrame]:
    """Clean tables for ``months``. Cumulative platforms' raw frames must also hold the earlier months
    they are differenced against (the previous month, or every earlier one: ``previous_snapshot``)."""
    rules = profile.cleaning
    out: dict[str, list[pl.DataFrame]] = {t: [] for t in CLEAN_TABLES if t != "snapshots"}
    earlier: dict[tuple[str, str], str | None] = {}  # (month, cumulative table) -> snapshot compared with
    for month in months:
        registry = _month(raw["org_registry"], month)
        # Each label table is deduplicated and case-folded once per month, not once per platform table.
        labels_of = {
            kind: prepare_labels(_month(raw[f"{kind}_labels"], month), rules) for kind in ("model", "dataset")
        }
        per_platform = {}
        for table in (*MODEL_TABLES, *DATASET_TABLES):
            clean = clean_models if table in MODEL_TABLES else clean_datasets
            labels = labels_of["model" if table in MODEL_TABLES else "dataset"]
            previous = None
            if table in CUMULATIVE:
                snapshots = pl.concat([raw[t].select("month") for t in _total_tables(table, rules)])
                earlier[month, table] = previous_snapshot(snapshots, month, rules)
                previous = _previous_totals(raw, table, earlier[month, table], rules)
            per_platform[table] = clean(_month(raw[table], month), table, registry, labels, rules, previous)
            out[table].append(per_platform[table])
        out["models"].append(merge({t: per_platform[t] for t in MODEL_TABLES}, rules, "models"))
        out["datasets"].append(merge({t: per_platform[t] for t in DATASET_TABLES}, rules, "datasets"))
    tables = {t: pl.concat(frames) for t, frames in out.items()}
    platform = {t: tables[t] for t in (*MODEL_TABLES, *DATASET_TABLES)}
    tables["snapshots"] = snapshot_status(raw.get("snapshot_manifest"), platform, months, earlier)
    return tables


def ranked_orgs_of(
    system_inputs: pl.DataFrame, snapshots: pl.DataFrame | None, profile: Profile
) -> pl.DataFrame:
    """The orgs ranked per month: the system hand input's, except in months the profile does not rank
    (baseline months)."""
    orgs = ranked_orgs(system_inputs)
    if snapshots is None:
        return orgs
    return orgs.filter(~pl.col("month").is_in(unranked_months(snapshots, profile.cleaning)))


def metrics_layer(
    models: pl.DataFrame,
    datasets: pl.DataFrame,
    raw: dict[str, pl.DataFrame],
    months: list[str],
    profile: Profile,
    snapshots: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Metric tables for ``months``; ``models``/``datasets`` must hold every month up to the last one.

    With ``snapshots`` (``clean.snapshots``), months the profile does not rank (baselines) get no rows.
    """
    out: dict[str, list[pl.DataFrame]] = {d: [] for d in DIMENSIONS}
    rules = profile.cleaning
    ranked = ranked_orgs_of(raw["system_inputs"], snapshots, profile)
    for month in months:
        orgs = _month(ranked, month)
        curated = _month(raw["curated_metrics"], month)
        other = _month(raw["other_source_datasets"], month)
        month_models, month_datasets = _month(models, month), _month(datasets, month)
        acc_models = accumulate(models, month, "models", rules)
        acc_datasets = accumulate(datasets, month, "datasets", rules)
        out["data"] += [
            data_metrics(month_datasets, other, curated, orgs, profile, "monthly"),
            data_metrics(acc_datasets, other, curated, orgs, profile, "accumulated"),
        ]
        out["model"] += [
            model_metrics(month_models, curated, orgs, profile, "monthly"),
            model_metrics(acc_models, curated, orgs, profile, "accumulated"),
        ]
        out["system"].append(
            input_metrics(_month(raw["system_inputs"], month), curated, orgs, profile, "system")
        )
        out["benchmark"].append(
            input_metrics(_month(raw["benchmark_inputs"], month), curated, orgs, profile, "benchmark")
        )
    return {d: pl.concat(f) if f else pl.DataFrame(schema=METRIC_SCHEMA) for d, f in out.items()}


def scores_layer(
    metrics: dict[str, pl.DataFrame], months: list[str], profile: Profile
) -> dict[str, pl.DataFrame]:
    """Score tables for ``months``; ``metrics`` must also hold each previous month (for delta ranks)."""
    out: dict[str, list[pl.DataFrame]] = {t: [] for t in SCORE_TABLES}
    for month in months:
        current = {d: _month(metrics[d], month) for d in DIMENSIONS}
        if any(current[d].is_empty() for d in DIMENSIONS):
            continue  # an unranked month (no hand inputs): nothing to score
        prev = {d: _month(metrics[d], previous_month(month)) for d in DIMENSIONS}
        normalised, ranks, overall = score_month(current, prev, profile)
        for d in DIMENSIONS:
            out[f"{d}_normalised"].append(normalised[d])
            out[f"{d}_rank"].append(ranks[d])
        out["overall"].append(overall)
    empty = {
        **{f"{d}_normalised": NORMALISED_SCHEMA for d in DIMENSIONS},
        **{f"{d}_rank": RANK_SCHEMA for d in DIMENSIONS},
        "overall": OVERALL_SCHEMA,
    }
    return {t: pl.concat(f) if f else pl.DataFrame(schema=empty[t]) for t, f in out.items()}
