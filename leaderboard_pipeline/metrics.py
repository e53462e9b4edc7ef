"""Per-org metric tables of the four dimensions, monthly and accumulated (long: one row per org x metric)."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.curated import DEFAULT_ORG
from leaderboard_pipeline.profiles import Cleaning, Profile

METRIC_SCHEMA = {
    "month": pl.String,
    "variant": pl.String,
    "org": pl.String,
    "position": pl.Int32,
    "metric": pl.String,
    "value": pl.Float64,
}
VARIANTS = ("monthly", "accumulated")


def column_suffix(label: pl.Expr) -> pl.Expr:
    """ "Pre-training" -> "pretraining", "3D" -> "3d": the metric column of a modality or lifecycle."""
    return label.str.to_lowercase().str.replace_all("-", "")


def ranked_orgs(system_inputs: pl.DataFrame) -> pl.DataFrame:
    """The orgs of a month are the rows of its system-dimension hand input, in that file's order."""
    return (
        system_inputs.group_by(["month", "org"])
        .agg(pl.col("position").min())
        .sort(["month", "position"])
        .select("month", "org", "position")
    )


def _counts(rows: pl.DataFrame, by: str, downloads: bool) -> pl.DataFrame:
    rows = rows.filter(pl.col(by).is_not_null())
    aggs = [pl.len().cast(pl.Float64).alias("num")]
    if downloads:
        aggs.append(pl.col("downloads").sum().cast(pl.Float64).alias("downloads"))
    out = rows.group_by(["month", "org", by]).agg(aggs).with_columns(suffix=column_suffix(pl.col(by)))
    metrics = [pl.format("num_{}", "suffix").alias("metric"), pl.col("num").alias("value")]
    frames = [out.select("month", "org", *metrics)]
    if downloads:
        frames.append(
            out.select(
                "month",
                "org",
                pl.format("downloads_{}", "suffix").alias("metric"),
                pl.col("downloads").alias("value"),
            )
        )
    return pl.concat(frames)


def _sum(rows: pl.DataFrame, column: str, metric: str) -> pl.DataFrame:
    return (
        rows.group_by(["month", "org"])
        .agg(pl.col(column).sum().cast(pl.Float64).alias("value"))
        .with_columns(metric=pl.lit(metric))
    )


def curated_values(curated: pl.DataFrame, dimension: str, orgs: pl.DataFrame) -> pl.DataFrame:
    """Curated metric values per ranked org; an org not listed takes the "*" default."""
    mine = curated.filter(pl.col("dimension") == dimension)
    listed = orgs.join(mine.filter(pl.col("org") != DEFAULT_ORG), on=["month", "org"], how="inner")
    defaults = orgs.join(mine.filter(pl.col("org") == DEFAULT_ORG).drop("org"), on="month", how="inner").join(
        listed.select("month", "org", "metric"), on=["month", "org", "metric"], how="anti"
    )
    return pl.concat(
        [listed.select("month", "org", "metric", "value"), defaults.select("month", "org", "metric", "value")]
    )


def _complete(
    values: pl.DataFrame, orgs: pl.DataFrame, columns: tuple[str, ...], variant: str
) -> pl.DataFrame:
    """Every ranked org x every metric of the profile, in profile order; missing values are 0."""
    grid = orgs.join(pl.DataFrame({"metric": list(columns), "order": range(len(columns))}), how="cross")
    return (
        grid.join(
            values.group_by(["month", "org", "metric"]).agg(pl.col("value").sum()),
            on=["month", "org", "metric"],
            how="left",
        )
        .with_columns(pl.col("value").fill_null(0.0), variant=pl.lit(variant))
        .sort(["month", "position", "order"])
        .select(list(METRIC_SCHEMA))
        .cast(METRIC_SCHEMA)
    )


def _other_source_rows(other: pl.DataFrame, by: str, rules: Cleaning) -> pl.DataFrame:
    if rules.dedupe_other_sources:
        other = other.unique(["month", "org", "name", by], maintain_order=True)
    return other


def data_metrics(
    datasets: pl.DataFrame,
    other_sources: pl.DataFrame,
    curated: pl.DataFrame,
    orgs: pl.DataFrame,
    profile: Profile,
    variant: str,
) -> pl.DataFrame:
    """Dataset counts and downloads per modality and lifecycle, dataset usage and curated columns."""
    rows = datasets.rename({"downloads_month": "downloads"})
    rules = profile.cleaning
    values = pl.concat(
        [
            _counts(rows, "modality", downloads=True),
            _counts(rows, "lifecycle", downloads=True),
            _counts(_other_source_rows(other_sources, "modality", rules), "modality", downloads=False),
            _counts(_other_source_rows(other_sources, "lifecycle", rules), "lifecycle", downloads=False),
            _sum(rows, "dataset_usage", "dataset_usage").select("month", "org", "metric", "value"),
            curated_values(curated, "data", orgs),
        ],
        how="vertical_relaxed",
    )
    return _complete(values, orgs, profile.metric_columns("data"), variant)


def model_metrics(
    models: pl.DataFrame, curated: pl.DataFrame, orgs: pl.DataFrame, profile: Profile, variant: str
) -> pl.DataFrame:
    """Model downloads and counts per modality, descendants, likes, issues and curated columns."""
    rows = models.rename({"downloads_month": "downloads"})
    values = pl.concat(
        [
            _counts(rows, "modality", downloads=True),
            _sum(rows, "descendants", "descendants").select("month", "org", "metric", "value"),
            _sum(rows, "likes", "likes").select("month", "org", "metric", "value"),
            _sum(rows, "community", "issue").select("month", "org", "metric", "value"),
            curated_values(curated, "model", orgs),
        ],
        how="vertical_relaxed",
    )
    return _complete(values, orgs, profile.metric_columns("model"), variant)


def input_metrics(
    inputs: pl.DataFrame, curated: pl.DataFrame, orgs: pl.DataFrame, profile: Profile, dimension: str
) -> pl.DataFrame:
    """System / benchmark: the hand-input columns (all of them, or the profile's list) per ranked org."""
    columns = profile.metric_columns(dimension)
    values = pl.concat(
        [inputs.select("month", "org", "metric", "value"), curated_values(curated, dimension, orgs)]
    )
    if columns is not None:
        return _complete(values, orgs, columns, "monthly")
    # Columns in the order of the month's input file; months may differ (new columns appear).
    frames = []
    for month, part in values.group_by("month", maintain_order=True):
        month_orgs = orgs.filter(pl.col("month") == month[0])
        frames.append(
            _complete(part, month_orgs, tuple(part["metric"].unique(maintain_order=True)), "monthly")
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=METRIC_SCHEMA)


def accumulate(merged: pl.DataFrame, month: str, kind: str, rules: Cleaning) -> pl.DataFrame:
    """Items of every month up to and including ``month``: downloads add up, other counters take the max.

    Bounded by the partition month (the published files accumulated over every month published at run
    time, so their early accumulated tables contain later months).
    """
    key = (
        pl.col("item") if rules.accumulate_key == "merge_key" else pl.col("namespace") + "/" + pl.col("name")
    )
    usage = "descendants" if kind == "models" else "dataset_usage"
    firsts = ["org", "namespace", "name", "modality"] + (["lifecycle"] if kind == "datasets" else [])
    return (
        merged.filter(pl.col("month") <= month)
        .sort("month", maintain_order=True)
        .with_columns(acc_key=key)
        .group_by("acc_key", maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in firsts],
            pl.col("item").first(),
            pl.col("downloads_month").sum(),
            pl.col("likes").max(),
            pl.col("community").max(),
            pl.col(usage).max(),
        )
        .drop("acc_key")
        .with_columns(month=pl.lit(month))
    )
