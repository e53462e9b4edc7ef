"""Normalisation, dimension scores, dense ranks, delta ranks and the overall ranking. Pure polars.

Conventions (documented in docs/method.md):
- ``minmax``: (x - min) / (max - min); ``max``: x / max (what the published leaderboard really does).
- A column that carries no information (constant under minmax, all-zero under max) normalises to null
  and is left out of the mean, so it cannot produce NaN or shift anyone's score.
- score = mean of the non-null normalised values of the org (0.0 when there are none).
- rank = dense rank of score, descending, per month and variant; equal floats share a rank.
- delta_rank = last month's rank - this month's rank (positive = moved up); null for new orgs.
- a metric the profile marks ``scored: false`` is shown in the metric tables but not normalised or scored.
- rank_low / rank_high / rank_best_loo / rank_worst_loo: how sure the rank is (``intervals.py``); null
  unless the profile computes intervals.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.core.intervals import INTERVAL_COLUMNS, leave_one_out_ranks
from leaderboard_pipeline.core.metrics import METRIC_SCHEMA

GROUP = ["month", "variant"]
NORMALISED_SCHEMA = {**METRIC_SCHEMA, "normalised": pl.Float64}
_ORG_ROW = {c: METRIC_SCHEMA[c] for c in ("month", "variant", "org", "position")}
_RANKED = {
    "score": pl.Float64,
    "rank": pl.Int64,
    "delta_rank": pl.Int64,
    **{c: pl.Int64 for c in INTERVAL_COLUMNS},
}
RANK_SCHEMA = {**_ORG_ROW, **_RANKED}
OVERALL_SCHEMA = {**_ORG_ROW, **{d: pl.Float64 for d in DIMENSIONS}, **_RANKED}


def normalise(metrics: pl.DataFrame, method: str) -> pl.DataFrame:
    """Add ``normalised`` per (month, variant, metric) column."""
    by = [*GROUP, "metric"]
    lo, hi, x = pl.col("value").min().over(by), pl.col("value").max().over(by), pl.col("value")
    if method == "max":
        expr = pl.when(hi == 0).then(None).otherwise(x / hi)
    elif method == "minmax":
        expr = pl.when(hi == lo).then(None).otherwise((x - lo) / (hi - lo))
    else:
        raise ValueError(f"unknown normalisation {method!r}")
    return (
        metrics.with_columns(expr.alias("normalised")).select(list(NORMALISED_SCHEMA)).cast(NORMALISED_SCHEMA)
    )


def dense_rank(score: pl.Expr, over: list[str]) -> pl.Expr:
    return score.rank("dense", descending=True).over(over).cast(pl.Int64)


def dimension_scores(normalised: pl.DataFrame) -> pl.DataFrame:
    """Mean of each org's normalised values (rows must be in metric order) and its dense rank."""
    return (
        normalised.group_by([*GROUP, "org"], maintain_order=True)
        .agg(
            pl.col("position").first(),
            # Summed left to right in metric order, like a row-wise mean over the wide table.
            total=pl.col("normalised").drop_nulls().implode().list.sum(),
            count=pl.col("normalised").count(),
        )
        .with_columns(
            score=pl.when(pl.col("count") > 0).then(pl.col("total") / pl.col("count")).otherwise(0.0)
        )
        .with_columns(rank=dense_rank(pl.col("score"), GROUP))
        .drop("total", "count")
    )


def with_delta(ranks: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """delta_rank against last month's ranks of the same variant (null for orgs new this month)."""
    if previous is None or previous.is_empty():
        return ranks.with_columns(delta_rank=pl.lit(None, dtype=pl.Int64))
    prev = previous.select("variant", "org", prev_rank="rank")
    return (
        ranks.join(prev, on=["variant", "org"], how="left", maintain_order="left")
        .with_columns(delta_rank=pl.col("prev_rank") - pl.col("rank"))
        .drop("prev_rank")
    )


def discount(rank: pl.Expr) -> pl.Expr:
    """1 / log2(rank + 1): rank 1 -> 1, rank 2 -> 0.631, rank 3 -> 0.5, ...

    numpy's log2 (not ln(x)/ln(2)) so the values are bit-identical to the published ones.
    """
    log2 = (
        (rank + 1)
        .cast(pl.Float64)
        .map_batches(lambda s: pl.Series(np.log2(s.to_numpy())), return_dtype=pl.Float64)
    )
    return 1.0 / log2


def overall(dimension_ranks: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """Combine the four dimension rankings of one (month, variant) into the overall ranking.

    ``dimension_ranks`` holds one rank table per dimension (already restricted to the variant that feeds
    the overall table). Orgs missing from a dimension are not ranked overall. A dimension not ranked this
    month (every platform it comes from missing: ``gaps.unranked``) is absent from ``dimension_ranks``:
    the overall combines the others, its column is null, and a weighted mean is taken over the weights
    of the dimensions present.
    """
    present = [d for d in DIMENSIONS if d in dimension_ranks]
    base = dimension_ranks[present[0]].select(*GROUP, "org", "position")
    for dim in present:
        table = dimension_ranks[dim]
        value = discount(pl.col("rank")) if profile.combine == "rank_discount" else pl.col("score")
        base = base.join(table.select("org", value.alias(dim)), on="org", how="inner", maintain_order="left")
    weights = profile.weights
    total = pl.lit(0.0)
    for dim in present:
        total = total + weights[dim] * pl.col(dim)
    if profile.combine == "mean":
        total = total / sum(weights[d] for d in present)
    absent = [pl.lit(None, dtype=pl.Float64).alias(d) for d in DIMENSIONS if d not in present]
    return (
        base.with_columns(*absent, score=total)
        .with_columns(rank=dense_rank(pl.col("score"), GROUP))
        .select(*GROUP, "org", "position", *DIMENSIONS, "score", "rank")
    )


def scored(metrics: pl.DataFrame, profile: Profile, dimension: str) -> pl.DataFrame:
    """The metric rows that enter the score (not the columns the profile marks ``scored: false``)."""
    unscored = profile.dimensions[dimension].unscored
    return metrics.filter(~pl.col("metric").is_in(list(unscored))) if unscored else metrics


def with_intervals(ranks: pl.DataFrame, intervals: pl.DataFrame | None) -> pl.DataFrame:
    """Attach the interval columns (null where not computed), each range widened to contain the rank.

    ``intervals``: (variant, org, and any of the interval columns) of this ranking."""
    if intervals is None:
        intervals = pl.DataFrame(schema={"variant": pl.String, "org": pl.String})
    missing = [pl.lit(None, dtype=pl.Int64).alias(c) for c in INTERVAL_COLUMNS if c not in intervals.columns]
    widen = {"rank_low": pl.min_horizontal, "rank_high": pl.max_horizontal}
    widen |= {"rank_best_loo": pl.min_horizontal, "rank_worst_loo": pl.max_horizontal}
    return ranks.join(
        intervals.with_columns(missing), on=["variant", "org"], how="left", maintain_order="left"
    ).with_columns(
        [
            pl.when(pl.col(c).is_not_null()).then(bound(c, "rank")).cast(pl.Int64).alias(c)
            for c, bound in widen.items()
        ]
    )


def _intervals_of(
    ranking: str, loo: pl.DataFrame | None, bootstrap: pl.DataFrame | None
) -> pl.DataFrame | None:
    """The interval columns of one ranking from the leave-one-out and bootstrap tables of the month."""
    parts = [
        t.filter(pl.col("ranking") == ranking).drop("ranking", "month", strict=False)
        for t in (loo, bootstrap)
        if t is not None
    ]
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part, on=["variant", "org"], how="full", coalesce=True)
    return out


def score_month(
    metrics: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None,
    profile: Profile,
    bootstrap: pl.DataFrame | None = None,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame], pl.DataFrame]:
    """All scores of one month: normalised tables, rank tables (per dimension) and the overall table.

    ``metrics``/``previous``: dimension -> metric table of this month / last month (any variants).
    ``bootstrap``: the month's ``metrics.rank_bootstrap`` rows (``intervals.bootstrap_ranks``), for
    profiles that compute intervals; the leave-one-out range is computed here.
    """
    metrics = {d: scored(metrics[d], profile, d) for d in DIMENSIONS}
    if previous is not None:
        previous = {d: scored(previous[d], profile, d) for d in DIMENSIONS}
    # A dimension with no metric rows is not ranked this month (gaps.unranked): no normalised values, no
    # ranks, and the overall combines the others. Intervals need every dimension (they resample the
    # overall ranking): a month with a dimension unranked has none.
    present = [d for d in DIMENSIONS if metrics[d].height]
    complete = len(present) == len(DIMENSIONS)
    normalised, ranks = {}, {}
    for dim in DIMENSIONS:
        normalised[dim] = normalise(metrics[dim], profile.normalisation)
    loo = leave_one_out_ranks(normalised, profile) if profile.intervals and complete else None
    if not profile.intervals or not complete:
        bootstrap = None
    intervals = {r: _intervals_of(r, loo, bootstrap) for r in (*DIMENSIONS, "overall")}
    for dim in DIMENSIONS:
        if dim not in present:
            ranks[dim] = pl.DataFrame(schema=RANK_SCHEMA)
            continue
        prev_ranks = None
        if previous is not None and previous[dim].height:
            prev_ranks = dimension_scores(normalise(previous[dim], profile.normalisation))
        ranks[dim] = (
            with_intervals(with_delta(dimension_scores(normalised[dim]), prev_ranks), intervals[dim])
            .select(list(RANK_SCHEMA))
            .cast(RANK_SCHEMA)
        )

    def combined(rank_tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
        rank_tables = {d: rank_tables[d] for d in present}
        frames = []
        for variant in ("monthly", "accumulated"):
            # system and benchmark have no accumulated variant: their monthly ranks stand in.
            parts = {
                d: t.filter(pl.col("variant") == variant)
                if t.filter(pl.col("variant") == variant).height
                else t.filter(pl.col("variant") == "monthly")
                for d, t in rank_tables.items()
            }
            if variant == "accumulated" and not any(
                t.filter(pl.col("variant") == variant).height for t in rank_tables.values()
            ):
                continue
            if any(p.is_empty() for p in parts.values()):
                continue
            frames.append(overall(parts, profile).with_columns(variant=pl.lit(variant)))
        return (
            pl.concat(frames)
            if frames
            else pl.DataFrame(
                schema={k: v for k, v in OVERALL_SCHEMA.items() if k not in ("delta_rank", *INTERVAL_COLUMNS)}
            )
        )

    total = combined(ranks)
    prev_total = None
    if previous is not None and all(previous[d].height for d in present):
        # last month's overall over the same dimensions as this month's
        prev_total = combined(
            {d: dimension_scores(normalise(previous[d], profile.normalisation)) for d in present}
        )
    total = with_intervals(with_delta(total, prev_total), intervals["overall"])
    return normalised, ranks, total.select(list(OVERALL_SCHEMA)).cast(OVERALL_SCHEMA)


def log2_discount(rank: int) -> float:
    """Scalar twin of ``discount`` for documentation and tests."""
    return 1.0 / math.log2(rank + 1)
