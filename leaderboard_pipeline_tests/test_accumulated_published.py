"""The accumulated ranking as published (osir-method.md §5.5): the latest archive month, recomputed here
independently from the published monthly merged files, against what `osir-published` computes from raw.

The published accumulation visits every dated folder except the first, groups by "<repo>/<name>", sums the
monthly downloads and takes the maximum of the other counters. Only the latest month's published
accumulation was date-correct (the cut-off was the run date), so that is the month compared. The
published accumulated files are not in the reference copy: the recomputation from the merged files is the
reference.
"""

from __future__ import annotations

import dataclasses
import json

import polars as pl
import pytest

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.contract.raw_tables import RAW_TABLES
from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, scores_layer
from leaderboard_pipeline.sources.archive import ArchiveSource

PROFILE = load_profile("osir-published")
LATEST = "2025-08"
CURATED = {"operators", "num_adapted_chips"}  # constants, not accumulated: left out of the comparison


def _jsonl(path) -> pl.DataFrame:
    return pl.DataFrame([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line])


def _published_accumulation(folders: list, kind: str) -> pl.DataFrame:
    name = "model_name" if kind == "models" else "dataset_name"
    usage = "descendants" if kind == "models" else "dataset_usage"
    firsts = ["org", "repo", "modality"] + (["lifecycle"] if kind == "datasets" else [])
    rows = pl.concat(
        [_jsonl(f / f"merged-{kind}-info.jsonl") for f in folders[1:]],  # every dated folder but the first
        how="diagonal_relaxed",
    )
    return (
        rows.with_columns(key=pl.col("repo") + "/" + pl.col(name))
        .group_by("key", maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in firsts],
            pl.col("downloads_last_month").sum().alias("dl"),
            *[pl.col(c).max() for c in ("likes", "community", usage)],
        )
    )


def _suffix(label: pl.Expr) -> pl.Expr:
    return label.str.to_lowercase().str.replace_all("-", "")


def _summary(acc: pl.DataFrame, other: pl.DataFrame, kind: str, columns: list[str]) -> pl.DataFrame:
    """§5.6 over the accumulated records: long (org, metric, value)."""
    parts = []
    by = ["modality"] + (["lifecycle"] if kind == "datasets" else [])
    for label in by:
        grouped = (
            acc.filter(pl.col(label).is_not_null())
            .group_by("org", label)
            .agg(n=pl.len(), dl=pl.col("dl").sum())
        )
        grouped = grouped.with_columns(s=_suffix(pl.col(label)))
        parts.append(
            grouped.select("org", metric=pl.format("num_{}", "s"), value=pl.col("n").cast(pl.Float64))
        )
        parts.append(
            grouped.select("org", metric=pl.format("downloads_{}", "s"), value=pl.col("dl").cast(pl.Float64))
        )
        if kind == "datasets":  # the curated other-source list adds to the counts, duplicates included
            extra = other.group_by("org", label).agg(n=pl.len()).with_columns(s=_suffix(pl.col(label)))
            parts.append(
                extra.select("org", metric=pl.format("num_{}", "s"), value=pl.col("n").cast(pl.Float64))
            )
    sums = {"descendants": "descendants", "likes": "likes", "issue": "community"} if kind == "models" else {}
    sums |= {"dataset_usage": "dataset_usage"} if kind == "datasets" else {}
    for metric, column in sums.items():
        parts.append(
            acc.group_by("org")
            .agg(pl.col(column).sum().cast(pl.Float64).alias("value"))
            .with_columns(metric=pl.lit(metric))
        )
    long = (
        pl.concat([p.select("org", "metric", "value") for p in parts])
        .group_by("org", "metric")
        .agg(pl.col("value").sum())
    )
    return long.filter(pl.col("metric").is_in(columns))


def _ranks(summary: pl.DataFrame, orgs: list[str], columns: list[str]) -> dict[str, int]:
    """§5.8: x / max per column (an all-zero column is skipped), NaN-skipping mean, dense rank."""
    grid = pl.DataFrame({"org": orgs}).join(pl.DataFrame({"metric": columns}), how="cross")
    full = grid.join(summary, on=["org", "metric"], how="left").with_columns(pl.col("value").fill_null(0.0))
    hi = pl.col("value").max().over("metric")
    scored = full.with_columns(z=pl.when(hi == 0).then(None).otherwise(pl.col("value") / hi))
    score = scored.group_by("org").agg(pl.col("z").mean().fill_null(0.0).alias("score"))
    return dict(
        score.with_columns(rank=pl.col("score").rank("dense", descending=True))
        .select("org", "rank")
        .iter_rows()
    )


@pytest.fixture(scope="module")
def computed(reference_archive):
    """osir-published from raw, in process (the layer functions the assets call), with and without the
    published accumulation start."""
    source = ArchiveSource(reference_archive)
    months = source.months()
    read = [source.read_month(m) for m in months]
    raw = {t: pl.concat([r[t] for r in read], how="vertical_relaxed") for t in RAW_TABLES}
    out = {}
    for skip in (True, False):
        profile = dataclasses.replace(
            PROFILE, cleaning=dataclasses.replace(PROFILE.cleaning, accumulate_skip_first_month=skip)
        )
        clean = clean_layer(raw, months, profile)
        metrics = metrics_layer(clean["models"], clean["datasets"], raw, [LATEST], profile)
        out[skip] = (metrics, scores_layer(metrics, [LATEST], profile))
    folders = sorted(p for p in (reference_archive / "snapshots").iterdir() if p.is_dir())
    return out, [f for f in folders if f.name[:7] <= LATEST]


def _ours(metrics: dict, dim: str) -> pl.DataFrame:
    rows = metrics[dim].filter((pl.col("variant") == "accumulated") & ~pl.col("metric").is_in(list(CURATED)))
    return rows.select("org", "metric", "value")


@pytest.mark.parametrize(("dim", "kind"), [("model", "models"), ("data", "datasets")])
def test_accumulated_tables_of_the_latest_month_match_the_recomputation(
    computed, reference_archive, dim, kind
):
    results, folders = computed
    metrics, scores = results[True]
    columns = [c for c in PROFILE.metric_columns(dim) if c not in CURATED]
    other = _jsonl(reference_archive / "snapshots" / "other-source-datasets.jsonl")
    theirs = _summary(_published_accumulation(folders, kind), other, kind, columns)
    ours = _ours(metrics, dim)
    orgs = ours["org"].unique(maintain_order=True).to_list()
    expected = (
        pl.DataFrame({"org": orgs})
        .join(pl.DataFrame({"metric": columns}), how="cross")
        .join(theirs, on=["org", "metric"], how="left")
        .with_columns(pl.col("value").fill_null(0.0))
    )
    compared = ours.join(expected, on=["org", "metric"], suffix="_published")
    assert compared.height == len(orgs) * len(columns) == 25 * len(columns)
    wrong = compared.filter(pl.col("value") != pl.col("value_published"))
    assert wrong.is_empty(), wrong.head(5)
    # and the accumulated ranks from those tables (curated columns as stored)
    rank_columns = list(PROFILE.metric_columns(dim))
    summary = pl.concat(
        [
            theirs,
            metrics[dim]
            .filter((pl.col("variant") == "accumulated") & pl.col("metric").is_in(list(CURATED)))
            .select("org", "metric", "value"),
        ]
    )
    mine = scores[f"{dim}_rank"].filter(pl.col("variant") == "accumulated")
    assert dict(mine.select("org", "rank").iter_rows()) == _ranks(summary, orgs, rank_columns)


def test_the_first_month_is_what_the_switch_leaves_out(computed):
    results, _ = computed
    with_first, without_first = _ours(results[False][0], "model"), _ours(results[True][0], "model")
    differing = with_first.join(without_first, on=["org", "metric"]).filter(
        pl.col("value") != pl.col("value_right")
    )
    # 2024-11 (raw models only, no published ranking) would otherwise add its downloads to 2025-08's totals
    assert differing.height > 0 and differing["metric"].str.starts_with("downloads_").any()
