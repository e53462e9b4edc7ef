"""One function per layer, over plain polars frames: raw -> clean -> metrics -> scores.

The Dagster assets are thin wrappers around these, and tests and benchmarks call them directly.
Frames may hold several months; every function handles the months it is given.
"""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Cleaning, Profile
from leaderboard_pipeline.contract.months import previous_month
from leaderboard_pipeline.contract.raw_tables import (
    CENSUS_TABLES,
    OPENI_TABLES,
    RAW_TABLES,
    canonical,
    empty_raw,
)
from leaderboard_pipeline.core.census import census_tables
from leaderboard_pipeline.core.cleaning import (
    CUMULATIVE,
    PREVIOUS_TOTALS_SCHEMA,
    clean_datasets,
    clean_models,
    merge,
    prepare_labels,
)
from leaderboard_pipeline.core.gaps import PLATFORM_ONLY, unranked_by_month
from leaderboard_pipeline.core.intervals import BOOTSTRAP_SCHEMA, bootstrap_ranks
from leaderboard_pipeline.core.metrics import (
    METRIC_SCHEMA,
    accumulate,
    census_values,
    data_metrics,
    input_metrics,
    interval_items,
    model_metrics,
    openi_values,
    ranked_orgs,
    repo_metrics,
)
from leaderboard_pipeline.core.scoring import (
    NORMALISED_SCHEMA,
    OVERALL_SCHEMA,
    RANK_SCHEMA,
    score_month,
    scored,
)
from leaderboard_pipeline.core.snapshots import previous_snapshot, snapshot_status, unranked_months

MODEL_TABLES = ("hf_models", "ms_models")
DATASET_TABLES = ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets")
# census_orgs / census_candidates: what the month's whole-Hub census says per org and per account (none
# without a census).
CENSUS_CLEAN_TABLES = ("census_orgs", "census_candidates")
CLEAN_TABLES = (*MODEL_TABLES, *DATASET_TABLES, "models", "datasets", "snapshots", *CENSUS_CLEAN_TABLES)
# The raw tables the metric layer reads beside the clean ones (hand inputs, curated values, code
# repositories, OpenI items).
METRIC_RAW_INPUTS = (
    "system_inputs",
    "benchmark_inputs",
    "other_source_datasets",
    "curated_metrics",
    "code_repos",
    *OPENI_TABLES,
)
# rank_bootstrap: the rank ranges of resampled items, computed here where the items are (storing the items
# themselves, ~300 k contributions a month, would cost more than the intervals).
METRIC_TABLES = (*DIMENSIONS, "rank_bootstrap")
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
        census = [_month(raw.get(t, empty_raw(t)), month) for t in CENSUS_TABLES]
        for table, frame in census_tables(*census, registry, month, profile).items():
            out[table].append(frame)
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
    census: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Metric tables for ``months``; ``models``/``datasets`` must hold every month up to the last one, and
    ``raw["code_repos"]`` each previous month too (stars and forks gained); ``census``
    (``clean.census_orgs``) and ``raw["openi_*"]`` every month up to the last one (without them the
    census and OpenI metrics are unknown).

    With ``snapshots`` (``clean.snapshots``), months the profile does not rank (baselines) get no rows.
    ``rank_bootstrap``: for profiles that compute rank intervals, each org's rank range when the items
    behind its values (models, datasets, repositories) are resampled (``intervals.bootstrap_ranks``).
    """
    out: dict[str, list[pl.DataFrame]] = {t: [] for t in METRIC_TABLES}
    rules = profile.cleaning
    ranked = ranked_orgs_of(raw["system_inputs"], snapshots, profile)
    unranked = unranked_by_month(snapshots)  # dimensions whose every platform is missing
    code_repos = raw.get("code_repos", empty_raw("code_repos"))
    first = min((f["month"].min() for f in (models, datasets) if f.height), default=None)
    for month in months:
        orgs = _month(ranked, month)
        curated = _month(raw["curated_metrics"], month)
        other = _month(raw["other_source_datasets"], month)
        by_variant = {
            "monthly": (_month(models, month), _month(datasets, month)),
            "accumulated": (
                accumulate(models, month, "models", rules, first),
                accumulate(datasets, month, "datasets", rules, first),
            ),
        }
        tables: dict[str, list[pl.DataFrame]] = {d: [] for d in DIMENSIONS}
        items = []
        skipped = unranked.get(month, [])  # not measured this month: nothing but curated constants
        for variant, (month_models, month_datasets) in by_variant.items():
            beyond = census_values(census, month, variant, orgs)
            for dim, values in openi_values(raw, month, variant, orgs).items():
                beyond[dim] = pl.concat([beyond[dim], values], how="vertical_relaxed")
            if "data" not in skipped:
                data, data_items = data_metrics(
                    month_datasets, other, curated, orgs, profile, variant, beyond["data"]
                )
                tables["data"].append(data)
                items.append(interval_items(data_items, "data", variant, orgs, profile))
            if "model" not in skipped:
                model, model_items = model_metrics(
                    month_models, curated, orgs, profile, variant, beyond["model"]
                )
                tables["model"].append(model)
                items.append(interval_items(model_items, "model", variant, orgs, profile))
        repos, last = _month(code_repos, month), _month(code_repos, previous_month(month))
        for dim in ("system", "benchmark"):
            activity, repo_items = repo_metrics(repos, last, dim, orgs)
            inputs = _month(raw[f"{dim}_inputs"], month)
            tables[dim].append(input_metrics(inputs, curated, orgs, profile, dim, activity))
            items.append(interval_items(repo_items, dim, "monthly", orgs, profile))
        month_tables = {
            d: pl.concat(f) if f else pl.DataFrame(schema=METRIC_SCHEMA) for d, f in tables.items()
        }
        for dim, table in month_tables.items():
            out[dim].append(table)
        if profile.intervals and all(t.height for t in month_tables.values()):  # ranked, as in scores_layer
            scored_tables = {d: scored(t, profile, d) for d, t in month_tables.items()}
            out["rank_bootstrap"].append(bootstrap_ranks(scored_tables, pl.concat(items), profile))
    schemas = {t: BOOTSTRAP_SCHEMA if t == "rank_bootstrap" else METRIC_SCHEMA for t in METRIC_TABLES}
    return {t: pl.concat(f) if f else pl.DataFrame(schema=schemas[t]) for t, f in out.items()}


def last_ranked_month(ranked_months: list[str] | pl.Series, month: str, rules: Cleaning) -> str | None:
    """The month ``month``'s delta ranks compare with: the latest earlier ranked month (a month the
    source skipped, or the gap between a taken-over archive and the first live month, is bridged), or
    with ``previous_snapshot: previous_month`` (published) the calendar previous month only."""
    ranked = set(ranked_months)
    if rules.previous_snapshot == "previous_month":
        earlier = previous_month(month)
        return earlier if earlier in ranked else None
    return max((m for m in ranked if m < month), default=None)


def scores_layer(
    metrics: dict[str, pl.DataFrame], months: list[str], profile: Profile
) -> dict[str, pl.DataFrame]:
    """Score tables for ``months``; ``metrics`` must also hold the month each one's delta ranks compare
    with (``last_ranked_month``: the latest earlier ranked month, or the previous one), and
    ``metrics["rank_bootstrap"]`` the months' bootstrap ranks when the profile computes intervals.

    A month without system or benchmark rows is not ranked (a baseline, no hand inputs); data or model
    without rows is a dimension not ranked that month for a gap (``gaps.unranked``: every platform it
    comes from missing) and the overall combines the others."""
    out: dict[str, list[pl.DataFrame]] = {t: [] for t in SCORE_TABLES}
    # a month is ranked when its hand-input dimension is (system is never unranked by a gap)
    ranked_months = metrics["system"]["month"].unique()
    for month in months:
        current = {d: _month(metrics[d], month) for d in DIMENSIONS}
        if any(current[d].is_empty() for d in DIMENSIONS if d not in PLATFORM_ONLY):
            continue  # an unranked month (no hand inputs, a baseline): nothing to score
        last = last_ranked_month(ranked_months, month, profile.cleaning)
        prev = {d: _month(metrics[d], last or "") for d in DIMENSIONS}
        bootstrap = _month(metrics["rank_bootstrap"], month) if "rank_bootstrap" in metrics else None
        normalised, ranks, overall = score_month(current, prev, profile, bootstrap)
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
