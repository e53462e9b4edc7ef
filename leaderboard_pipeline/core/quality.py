"""Data-quality checks of every layer: the pandera schema of each table plus domain rules.

Blocking checks stop everything downstream. Rules the published data itself breaks (duplicate records,
negative totals, labels outside the vocabulary) are warnings that report counts instead of hiding them.

Given ``months`` (a run's partitions), every check is evaluated per month: one `Outcome` per check and
month, with that month's figures, so a warning of a ten-month backfill names its month. Without
``months`` the frames are checked as one (a caller that already holds a single month).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Cleaning
from leaderboard_pipeline.contract import published_defects
from leaderboard_pipeline.contract.raw_tables import CENSUS_TABLES, OPENI_TABLES, PLATFORM_TABLES, RAW_TABLES
from leaderboard_pipeline.core.gaps import unranked_by_month
from leaderboard_pipeline.core.labelling import DATASET_MODALITIES, LIFECYCLES, MODEL_MODALITIES
from leaderboard_pipeline.core.layers import CLEAN_TABLES, DATASET_TABLES, MODEL_TABLES, SCORE_TABLES
from leaderboard_pipeline.core.schemas import COUNTERS, LAYERS, failure_cases
from leaderboard_pipeline.core.snapshots import baseline_months, first_snapshots, unranked_months


@dataclass(frozen=True)
class CheckSpec:
    table: str
    name: str
    blocking: bool
    description: str


@dataclass
class Outcome:
    table: str
    name: str
    passed: bool
    blocking: bool
    metadata: dict = field(default_factory=dict)
    month: str | None = None  # the month the figures are about (None: the frames as given)


def _specs() -> dict[str, list[CheckSpec]]:
    specs: dict[str, list[CheckSpec]] = {layer: [] for layer in LAYERS}
    for layer, tables in LAYERS.items():
        for table in tables:
            specs[layer].append(CheckSpec(table, "schema", True, f"pandera schema of {layer}.{table}"))
    for table in PLATFORM_TABLES:
        specs["raw"] += [
            CheckSpec(table, "unique_records", False, "each namespace/name appears once per crawl"),
            CheckSpec(table, "non_negative_counts", False, "download and usage counters are >= 0"),
        ]
    for table in (*OPENI_TABLES, *CENSUS_TABLES):
        specs["raw"] += [
            CheckSpec(table, "unique_records", False, "each namespace/name appears once per crawl"),
            CheckSpec(table, "non_negative_counts", False, "counters are >= 0"),
        ]
    specs["raw"] += [
        CheckSpec(
            "org_registry", "one_org_per_namespace", True, "a namespace belongs to one org per platform"
        ),
        CheckSpec("model_labels", "label_vocabulary", False, "modalities within the model vocabulary"),
        CheckSpec("dataset_labels", "label_vocabulary", False, "modalities/lifecycles within the vocabulary"),
        CheckSpec("system_inputs", "unique_org_metric", True, "one value per org and column"),
        CheckSpec("benchmark_inputs", "unique_org_metric", True, "one value per org and column"),
        *(
            CheckSpec(
                table,
                "hand_input_rules",
                False,
                "no empty cell, last month's columns and orgs (counts what the published data breaks)",
            )
            for table in ("system_inputs", "benchmark_inputs")
        ),
    ]
    specs["clean"].append(
        CheckSpec(
            "snapshots",
            "earlier_snapshots",
            False,
            "every cumulative platform's monthly downloads have an earlier snapshot to difference against",
        )
    )
    for table in (*MODEL_TABLES, *DATASET_TABLES):
        specs["clean"] += [
            CheckSpec(table, "unlabelled_rows", False, "every attributed record has a label"),
            CheckSpec(table, "negative_monthly_downloads", False, "monthly download differences are >= 0"),
        ]
    for dim in DIMENSIONS:
        specs["metrics"].append(
            CheckSpec(dim, "all_ranked_orgs", True, "every ranked org has a row per metric")
        )
    specs["metrics"].append(
        CheckSpec("model", "unranked_orgs", False, "orgs with crawled models that are not ranked this month")
    )
    for table in SCORE_TABLES:
        if not table.endswith("_normalised"):
            specs["scores"] += [
                CheckSpec(table, "dense_ranks", True, "ranks are 1..k with no gaps"),
                CheckSpec(table, "all_ranked_orgs", True, "every ranked org is ranked"),
                CheckSpec(
                    table, "rank_intervals", True, "rank_low <= rank <= rank_high, best <= rank <= worst"
                ),
            ]
    return specs


CHECKS = _specs()
# split by month with the tables (never table names)
ORGS, MODELS, SNAPSHOTS = "ranked orgs", "merged models", "snapshots of the month"
DIMENSION_ORGS = "orgs of the dimension "


def _count(frame: pl.DataFrame, expr: pl.Expr) -> int:
    return int(frame.select(expr.sum()).item()) if frame.height else 0


def _schema(layer: str, table: str, frame: pl.DataFrame, months: list[str] | None = None) -> list[Outcome]:
    """The pandera schema, validated once over every month; failures on rows count for their row's
    month, failures of the whole table (a column type, a missing column) for every month."""
    cases = failure_cases(LAYERS[layer][table], frame)
    if months is None:
        return [_schema_outcome(table, frame.height, cases)]
    dated = "month" in frame.columns
    rows = dict(frame.group_by("month").len().iter_rows()) if dated and frame.height else {}
    if cases is None:
        return [_schema_outcome(table, rows.get(m, 0), None, m) for m in months]
    if dated:
        month_of_row = frame.select(pl.col("month").alias("row_month")).with_row_index("index")
        cases = cases.with_columns(pl.col("index").cast(pl.UInt32, strict=False)).join(
            month_of_row, on="index", how="left"
        )
    else:  # without a month column every failure is the whole table's
        cases = cases.with_columns(index=pl.lit(None, pl.UInt32), row_month=pl.lit(None, pl.String))
    out = []
    for month in months:
        mine = cases.filter(pl.col("index").is_null() | (pl.col("row_month") == month))
        out.append(_schema_outcome(table, rows.get(month, 0), mine if mine.height else None, month))
    return out


def _schema_outcome(table: str, rows: int, cases: pl.DataFrame | None, month: str | None = None) -> Outcome:
    meta = {"num_rows": rows, "num_failures": 0 if cases is None else cases.height}
    if cases is not None:
        meta["failure_sample"] = str(cases.head(10).select("column", "check", "failure_case", "index"))
    return Outcome(table, "schema", cases is None, True, meta, month)


def _views(
    tables: dict[str, pl.DataFrame | None], months: list[str] | None
) -> list[tuple[str | None, dict[str, pl.DataFrame | None]]]:
    """(month, the tables restricted to it) for each month; (None, the tables) without months. Each table
    is split once (``partition_by``), not filtered once per month and check."""
    if months is None:
        return [(None, tables)]
    parts = {
        t: f.partition_by("month", as_dict=True) if f is not None and f.height else {}
        for t, f in tables.items()
    }
    return [
        (m, {t: None if f is None else parts[t].get((m,), f.head(0)) for t, f in tables.items()})
        for m in months
    ]


def _in_month(outcomes: list[Outcome], month: str | None) -> list[Outcome]:
    for o in outcomes:
        o.month = month
    return outcomes


def _duplicates(frame: pl.DataFrame, keys: list[str]) -> int:
    return frame.height - frame.select(keys).n_unique() if frame.height else 0


def _ranked(frame: pl.DataFrame, orgs: pl.DataFrame) -> tuple[bool, dict]:
    """Every (month, variant) of ``frame`` holds exactly the ranked orgs of its month."""
    if frame.is_empty():
        return orgs.is_empty(), {"missing": orgs.height}
    have = frame.select("month", "variant", "org").unique()
    expected = have.select("month", "variant").unique().join(orgs.select("month", "org"), on="month")
    missing = expected.join(have, on=["month", "variant", "org"], how="anti")
    extra = have.join(expected, on=["month", "variant", "org"], how="anti")
    months_without = orgs.select("month").unique().join(have.select("month").unique(), on="month", how="anti")
    meta = {
        "missing": missing.height,
        "unexpected": extra.height,
        "months_without_rows": months_without.height,
    }
    if missing.height:
        meta["missing_sample"] = ", ".join(
            f"{r['month']}/{r['variant']}/{r['org']}" for r in missing.head(5).to_dicts()
        )
    return missing.height == 0 and extra.height == 0 and months_without.height == 0, meta


def raw_checks(tables: dict[str, pl.DataFrame], months: list[str] | None = None) -> list[Outcome]:
    out = [o for t in RAW_TABLES for o in _schema("raw", t, tables[t], months)]
    for month, view in _views({t: tables[t] for t in RAW_TABLES}, months):
        out += _in_month(_raw_rules(view), month)
    return out


def _raw_rules(tables: dict[str, pl.DataFrame]) -> list[Outcome]:
    out = []
    for table in (*PLATFORM_TABLES, *OPENI_TABLES, *CENSUS_TABLES):
        frame = tables[table]
        dups = _duplicates(frame, ["month", "namespace", "name"])
        out.append(Outcome(table, "unique_records", dups == 0, False, {"duplicate_records": dups}))
        counters = [c for c in frame.columns if c in COUNTERS]
        negative = {c: _count(frame, pl.col(c) < 0) for c in counters}
        out.append(
            Outcome(
                table,
                "non_negative_counts",
                not any(negative.values()),
                False,
                {f"negative_{c}": n for c, n in negative.items()},
            )
        )
    registry = tables["org_registry"]
    clashes = (
        registry.group_by(["month", "platform", "namespace"])
        .agg(pl.col("org").n_unique())
        .filter(pl.col("org") > 1)
    )
    folded = (
        registry.with_columns(pl.col("namespace").str.to_lowercase())
        .group_by(["month", "platform", "namespace"])
        .agg(pl.col("org").n_unique())
        .filter(pl.col("org") > 1)
    )
    out.append(
        Outcome(
            "org_registry",
            "one_org_per_namespace",
            clashes.is_empty(),
            True,
            {"namespaces_with_two_orgs": clashes.height, "case_insensitive_clashes": folded.height},
        )
    )
    models = tables["model_labels"]
    out.append(
        Outcome(
            "model_labels",
            "label_vocabulary",
            (
                bad := _count(
                    models, pl.col("modality").is_not_null() & ~pl.col("modality").is_in(MODEL_MODALITIES)
                )
            )
            == 0,
            False,
            {
                "modality_outside_vocabulary": bad,
                "large_model_flag_missing": _count(models, pl.col("is_large_model").is_null()),
            },
        )
    )
    datasets = tables["dataset_labels"]
    bad_modality = _count(
        datasets, pl.col("modality").is_not_null() & ~pl.col("modality").is_in(DATASET_MODALITIES)
    )
    bad_lifecycle = _count(
        datasets, pl.col("lifecycle").is_not_null() & ~pl.col("lifecycle").is_in(LIFECYCLES)
    )
    out.append(
        Outcome(
            "dataset_labels",
            "label_vocabulary",
            bad_modality + bad_lifecycle == 0,
            False,
            {"modality_outside_vocabulary": bad_modality, "lifecycle_outside_vocabulary": bad_lifecycle},
        )
    )
    for table in ("system_inputs", "benchmark_inputs"):
        dups = _duplicates(tables[table], ["month", "org", "metric"])
        out.append(Outcome(table, "unique_org_metric", dups == 0, True, {"duplicate_cells": dups}))
    manifest = tables["snapshot_manifest"]
    for table in ("system_inputs", "benchmark_inputs"):
        # our own hand inputs never get here with a broken rule (they are refused); the published ones
        # are read as published and their defects counted (sources/hand_inputs/published.py)
        counts: dict[str, int] = {}
        for detail in manifest.filter(pl.col("table") == table)["detail"].to_list():
            for rule, n in published_defects.counts(detail).items():
                counts[rule] = counts.get(rule, 0) + n
        # the total is always there, so a passed month shows its 0 in the UI, not an empty evaluation
        total = sum(counts.values())
        out.append(Outcome(table, "hand_input_rules", not counts, False, {"defects": total, **counts}))
    return out


def clean_checks(
    tables: dict[str, pl.DataFrame], rules: Cleaning | None = None, months: list[str] | None = None
) -> list[Outcome]:
    """``rules``: the profile's cleaning switches (months it does not rank are no warning)."""
    out = [o for t in CLEAN_TABLES for o in _schema("clean", t, tables[t], months)]
    for month, view in _views({t: tables[t] for t in CLEAN_TABLES}, months):
        out += _in_month(_clean_rules(view, rules), month)
    return out


def _clean_rules(tables: dict[str, pl.DataFrame], rules: Cleaning | None) -> list[Outcome]:
    out = []
    unranked = unranked_months(tables["snapshots"], rules) if rules is not None else []
    # a month ranked with a cumulative platform's monthly downloads missing must say so
    first = first_snapshots(tables["snapshots"]).filter(~pl.col("month").is_in(unranked))
    out.append(
        Outcome(
            "snapshots",
            "earlier_snapshots",
            first.is_empty(),
            False,
            {
                "platform_months_without_earlier_snapshot": first.height,
                "months": ", ".join(
                    f"{m}: {', '.join(t)}"
                    for m, t in first.group_by("month", maintain_order=True).agg("table").iter_rows()
                ),
                "baseline_months": ", ".join(baseline_months(tables["snapshots"])),
            },
        )
    )
    for table in (*MODEL_TABLES, *DATASET_TABLES):
        frame = tables[table]
        flag = "is_large_model" if table in MODEL_TABLES else "is_valid"
        unlabelled = _count(frame, pl.col(flag).is_null())
        out.append(Outcome(table, "unlabelled_rows", unlabelled == 0, False, {"unlabelled_rows": unlabelled}))
        negative = _count(frame, pl.col("downloads_month") < 0)
        out.append(
            Outcome(table, "negative_monthly_downloads", negative == 0, False, {"negative_rows": negative})
        )
    return out


def metrics_checks(
    tables: dict[str, pl.DataFrame],
    orgs: pl.DataFrame,
    models: pl.DataFrame,
    snapshots: pl.DataFrame | None = None,
    months: list[str] | None = None,
) -> list[Outcome]:
    """``orgs``: the ranked orgs per month; ``models``: the merged models of the months checked;
    ``snapshots`` (``clean.snapshots``): a dimension whose every platform is missing has no rows that
    month, by design (``gaps.unranked``)."""
    # rank_bootstrap: absent when a caller checks only the dimension tables (the site's data-quality page)
    present = [t for t in LAYERS["metrics"] if t in tables]
    out = [o for t in present for o in _schema("metrics", t, tables[t], months)]
    frames = {**{d: tables[d] for d in DIMENSIONS}, ORGS: orgs, MODELS: models, SNAPSHOTS: snapshots}
    for month, view in _views(frames, months):
        dims = {d: view[d] for d in DIMENSIONS}
        out += _in_month(_metrics_rules(dims, view[ORGS], view[MODELS], view[SNAPSHOTS]), month)
    return out


def _metrics_rules(
    tables: dict[str, pl.DataFrame],
    orgs: pl.DataFrame,
    models: pl.DataFrame,
    snapshots: pl.DataFrame | None = None,
) -> list[Outcome]:
    out = []
    unranked = unranked_by_month(snapshots)
    for dim in DIMENSIONS:
        skipped = [m for m, dims in unranked.items() if dim in dims]
        passed, meta = _ranked(tables[dim], orgs.filter(~pl.col("month").is_in(skipped)))
        out.append(Outcome(dim, "all_ranked_orgs", passed, True, meta))
    # Only months that have a ranking: a month without hand inputs ranks nobody and drops nothing.
    ranked_months = models.join(orgs.select("month").unique(), on="month", how="semi")
    outside = ranked_months.join(orgs.select("month", "org"), on=["month", "org"], how="anti")
    total = ranked_months["downloads_month"].sum() if ranked_months.height else 0
    share = (outside["downloads_month"].sum() / total) if total else 0.0
    out.append(
        Outcome(
            "model",
            "unranked_orgs",
            outside.is_empty(),
            False,
            {
                "unranked_orgs": outside["org"].n_unique(),
                "unranked_model_download_share": round(float(share), 4),
                "orgs": ", ".join(sorted(outside["org"].unique().to_list())[:20]),
            },
        )
    )
    return out


def scores_checks(
    tables: dict[str, pl.DataFrame],
    orgs: pl.DataFrame,
    dimension_orgs: dict[str, pl.DataFrame] | None = None,
    months: list[str] | None = None,
) -> list[Outcome]:
    """``orgs``: the ranked orgs of the months being scored; ``dimension_orgs``: per dimension, the orgs
    its metric tables hold (none in a month the dimension is not ranked for a gap); default ``orgs``."""
    out = [o for t in SCORE_TABLES for o in _schema("scores", t, tables[t], months)]
    by_dim = {f"{DIMENSION_ORGS}{d}": f for d, f in (dimension_orgs or {}).items()}
    frames = {**{t: tables[t] for t in SCORE_TABLES}, ORGS: orgs, **by_dim}
    for month, view in _views(frames, months):
        expected = {k.removeprefix(DIMENSION_ORGS): view[k] for k in by_dim}
        out += _in_month(_scores_rules({t: view[t] for t in SCORE_TABLES}, view[ORGS], expected), month)
    return out


def _scores_rules(
    tables: dict[str, pl.DataFrame], orgs: pl.DataFrame, dimension_orgs: dict[str, pl.DataFrame]
) -> list[Outcome]:
    out = []
    for table in SCORE_TABLES:
        if table.endswith("_normalised"):
            continue
        frame = tables[table]
        gaps = (
            frame.group_by(["month", "variant"])
            .agg(ok=(pl.col("rank").unique().sort() == pl.int_range(1, pl.col("rank").n_unique() + 1)).all())
            .filter(~pl.col("ok"))
            if frame.height
            else frame
        )
        out.append(Outcome(table, "dense_ranks", gaps.is_empty(), True, {"groups_with_gaps": gaps.height}))
        passed, meta = _ranked(frame, dimension_orgs.get(table.removesuffix("_rank"), orgs))
        out.append(Outcome(table, "all_ranked_orgs", passed, True, meta))
        out.append(_interval_outcome(table, frame))
    return out


def _interval_outcome(table: str, frame: pl.DataFrame) -> Outcome:
    """Interval columns, where present, are ranges around the rank (null: not computed)."""
    rank = pl.col("rank")
    outside = {
        "bootstrap": _count(frame, (pl.col("rank_low") > rank) | (pl.col("rank_high") < rank)),
        "leave_one_out": _count(frame, (pl.col("rank_best_loo") > rank) | (pl.col("rank_worst_loo") < rank)),
    }
    computed = _count(frame, pl.col("rank_low").is_not_null())
    meta = {f"rank_outside_{k}_range": v for k, v in outside.items()} | {"rows_with_intervals": computed}
    return Outcome(table, "rank_intervals", not any(outside.values()), True, meta)
