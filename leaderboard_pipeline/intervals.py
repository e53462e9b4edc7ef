"""How sure each rank is: bootstrap rank intervals over each org's items, and the leave-one-metric-out range.

**Bootstrap** (``rank_low``, ``rank_high``). An org's item-based metric values are sums over its items
(models, datasets, code repositories: ``metrics.items``). Each round draws a weight for every item from
Poisson(1) — the Poisson bootstrap: resampling with replacement where the number of draws is itself
random, so an org with one item is not certain of it (weight 0, 1, 2, ... with probabilities 0.37, 0.37,
0.18, ...) and counts vary as much as downloads — recomputes the metric values, normalises, scores and
ranks every dimension and the overall ranking exactly as the profile does, and reports the central
``level`` share (2.5-97.5 % by default) of the org's ranks over the rounds, widened to include the rank
itself. Values without items (hand inputs, curated constants) stay fixed in every round: a dimension
without item-based metrics has ``rank_low == rank_high == rank``, which says nothing about the accuracy
of its hand inputs.

**Leave one metric out** (``rank_best_loo``, ``rank_worst_loo``): the best and worst rank of the org over
the profile as it is and the variants that drop one scored metric column (for overall: one column of any
dimension), the effect of the method's choice of columns.

Everything is numpy over (rounds x orgs x metrics) arrays; the only Python loops are over dimensions and
over orgs for one matrix product each, never over rounds.
"""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import polars as pl

from leaderboard_pipeline.profiles import DIMENSIONS, Intervals, Profile

INTERVAL_COLUMNS = ("rank_low", "rank_high", "rank_best_loo", "rank_worst_loo")
INTERVAL_SCHEMA = {"variant": pl.String, "org": pl.String, **{c: pl.Int64 for c in INTERVAL_COLUMNS}}
# P(Poisson(1) <= k) for k = 0.. until the tail is below float32 resolution.
_POISSON_CDF = np.cumsum([math.exp(-1) / math.factorial(k) for k in range(10)]).astype(np.float32)[:-1]


def poisson_weights(rng: np.random.Generator, rounds: int, items: int) -> np.ndarray:
    """(rounds x items) Poisson(1) draws as float32 (inverse CDF on uniforms: fast and exact in law)."""
    u = rng.random((rounds, items), dtype=np.float32)
    weights = np.zeros((rounds, items), dtype=np.float32)
    for threshold in _POISSON_CDF:
        weights += u > threshold
    return weights


def dense_ranks(scores: np.ndarray) -> np.ndarray:
    """Dense ranks along the last axis, highest score first (1, 2, 2, 3), as ``scoring.dense_rank``."""
    order = np.argsort(-scores, axis=-1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=-1)
    new = np.ones(ordered.shape, dtype=bool)
    new[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    ranks = np.empty(scores.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, np.cumsum(new, axis=-1), axis=-1)
    return ranks


def normalise(values: np.ndarray, method: str) -> np.ndarray:
    """Normalise along the org axis (-2) of (... x orgs x metrics), NaN = null, as ``scoring.normalise``."""
    # All-null columns (nobody has the metric) warn in nanmin/nanmax; their NaN is the intended null.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        lo = np.nanmin(values, axis=-2, keepdims=True)
        hi = np.nanmax(values, axis=-2, keepdims=True)
        if method == "max":
            return np.where(hi == 0, np.nan, values / hi)
        return np.where(hi == lo, np.nan, (values - lo) / (hi - lo))


def mean_score(normalised: np.ndarray) -> np.ndarray:
    """Mean of the non-null normalised values along the metric axis (-1); 0 where there are none."""
    count = np.sum(~np.isnan(normalised), axis=-1)
    total = np.nansum(normalised, axis=-1)
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def combine(scores: dict[str, np.ndarray], ranks: dict[str, np.ndarray], profile: Profile) -> np.ndarray:
    """The overall score from the dimension scores (or ranks), as ``scoring.overall``."""
    weights = profile.weights
    if profile.combine == "rank_discount":
        total = sum(weights[d] / np.log2(ranks[d] + 1.0) for d in DIMENSIONS)
    else:
        total = sum(weights[d] * scores[d] for d in DIMENSIONS) / sum(weights.values())
    return total


def _matrix(table: pl.DataFrame, orgs: list[str], columns: list[str], value: str) -> np.ndarray:
    """(orgs x columns) of ``value`` from a long (org, metric, value) table; null -> NaN."""
    wide = table.pivot(on="metric", index="org", values=value).select("org", *columns)
    wide = pl.DataFrame({"org": orgs}).join(wide, on="org", how="left", maintain_order="left")
    return (
        wide.select(columns).cast(pl.Float64).to_numpy().astype(np.float64).reshape(len(orgs), len(columns))
    )


def _rng(spec: Intervals, month: str, dimension: str, variant: str) -> np.random.Generator:
    """One stream per (month, dimension, variant): the same month gives the same rounds in any run."""
    words = [
        spec.seed,
        zlib.crc32(month.encode()),
        zlib.crc32(dimension.encode()),
        zlib.crc32(variant.encode()),
    ]
    return np.random.default_rng(words)


def resampled_values(
    values: np.ndarray,
    orgs: list[str],
    columns: list[str],
    items: pl.DataFrame,
    rng: np.random.Generator,
    rounds: int,
) -> np.ndarray:
    """(rounds x orgs x columns): each org's values with its item-based part recomputed from Poisson
    weights over its items (``items``: org, item, metric, value). Other values stay as they are."""
    out = np.broadcast_to(values, (rounds, *values.shape)).copy()
    items = items.filter(pl.col("metric").is_in(columns) & pl.col("org").is_in(orgs))
    if items.is_empty():
        return out
    wide = (
        items.pivot(on="metric", index=["org", "item"], values="value", aggregate_function="sum")
        .sort("org", maintain_order=True)
        .fill_null(0.0)
    )
    present = [c for c in columns if c in wide.columns]
    contributions = wide.select(present).to_numpy().astype(np.float32)
    where = [columns.index(c) for c in present]
    weights = poisson_weights(rng, rounds, wide.height)
    org_of = wide["org"].to_list()
    start = 0
    for org, size in _runs(org_of):
        block = contributions[start : start + size]
        k = orgs.index(org)
        drawn = weights[:, start : start + size] @ block  # rounds x present
        out[:, k, where] += drawn - block.sum(axis=0, dtype=np.float64)
        start += size
    return out


def _runs(values: list[str]) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for v in values:
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1] + 1)
        else:
            runs.append((v, 1))
    return runs


def leave_one_out(normalised: np.ndarray) -> np.ndarray:
    """(variants x orgs) scores, one variant per column that informs anyone, with that column dropped.

    A column whose removal leaves no informative column at all ranks nobody and is skipped."""
    informative = [m for m in range(normalised.shape[1]) if not np.isnan(normalised[:, m]).all()]
    if len(informative) < 2:
        return np.empty((0, normalised.shape[0]))
    variants = np.broadcast_to(normalised, (len(informative), *normalised.shape)).copy()
    variants[np.arange(len(informative)), :, informative] = np.nan
    return mean_score(variants)


def _quantiles(ranks: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - level) / 2
    low = np.quantile(ranks, tail, axis=0, method="lower")
    high = np.quantile(ranks, 1 - tail, axis=0, method="higher")
    return low.astype(np.int64), high.astype(np.int64)


def month_intervals(
    metrics: dict[str, pl.DataFrame],
    normalised: dict[str, pl.DataFrame],
    items: pl.DataFrame | None,
    profile: Profile,
) -> dict[str, pl.DataFrame]:
    """Interval columns of one month: ``<dim>_rank`` and ``overall`` -> (variant, org, rank_low, ...).

    ``metrics``: the month's metric tables (scored columns only, both variants); ``normalised``: the
    month's normalised tables; ``items``: the month's ``metrics.items`` (None: no bootstrap, only the
    leave-one-out range).
    """
    spec = profile.intervals
    month = metrics["data"]["month"][0]
    orgs = (
        metrics["data"]
        .filter(pl.col("variant") == "monthly")
        .sort("position")["org"]
        .unique(maintain_order=True)
        .to_list()
    )
    variants = {d: metrics[d]["variant"].unique(maintain_order=True).to_list() for d in DIMENSIONS}
    round_scores: dict[tuple[str, str], np.ndarray] = {}
    loo_scores: dict[tuple[str, str], np.ndarray] = {}
    base_scores: dict[tuple[str, str], np.ndarray] = {}
    out: dict[str, list[pl.DataFrame]] = {f"{d}_rank": [] for d in DIMENSIONS} | {"overall": []}
    for dim in DIMENSIONS:
        for variant in variants[dim]:
            table = metrics[dim].filter(pl.col("variant") == variant)
            columns = table["metric"].unique(maintain_order=True).to_list()
            values = _matrix(table, orgs, columns, "value")
            z = _matrix(normalised[dim].filter(pl.col("variant") == variant), orgs, columns, "normalised")
            base_scores[dim, variant] = mean_score(z)
            loo_scores[dim, variant] = leave_one_out(z)
            if items is not None:
                mine = items.filter((pl.col("dimension") == dim) & (pl.col("variant") == variant))
                rng = _rng(spec, month, dim, variant)
                drawn = resampled_values(values, orgs, columns, mine, rng, spec.rounds)
                round_scores[dim, variant] = mean_score(normalise(drawn, profile.normalisation))
            rounds = round_scores.get((dim, variant))
            out[f"{dim}_rank"].append(
                _frame(variant, orgs, rounds, loo_scores[dim, variant], base_scores[dim, variant], spec)
            )
    for variant in variants["data"]:
        # As the overall table: system and benchmark have only monthly ranks, which stand in.
        key = {d: (d, variant if variant in variants[d] else "monthly") for d in DIMENSIONS}
        rounds = None
        if items is not None:
            rounds = _overall({d: round_scores[key[d]] for d in DIMENSIONS}, profile)
        base = {d: base_scores[key[d]] for d in DIMENSIONS}
        # One variant per left-out column of any dimension: that dimension's score changes, the rest not.
        loo = {
            d: np.concatenate(
                [
                    loo_scores[key[e]] if e == d else np.broadcast_to(base[d], loo_scores[key[e]].shape)
                    for e in DIMENSIONS
                ]
            )
            for d in DIMENSIONS
        }
        out["overall"].append(
            _frame(variant, orgs, rounds, _overall(loo, profile), _overall(base, profile), spec)
        )
    return {t: pl.concat(f) if f else pl.DataFrame(schema=INTERVAL_SCHEMA) for t, f in out.items()}


def _overall(scores: dict[str, np.ndarray], profile: Profile) -> np.ndarray:
    """Overall scores over the last (org) axis from dimension scores of the same shape."""
    return combine(scores, {d: dense_ranks(s) for d, s in scores.items()}, profile)


def _frame(
    variant: str,
    orgs: list[str],
    rounds: np.ndarray | None,
    loo: np.ndarray,
    base: np.ndarray,
    spec: Intervals,
) -> pl.DataFrame:
    """The interval columns of one ranking from its round scores, leave-one-out scores and own scores."""
    rank = dense_ranks(base)
    low = high = [None] * len(orgs)
    if rounds is not None:
        low, high = _quantiles(dense_ranks(rounds), spec.level)
    loo_ranks = np.vstack([dense_ranks(loo), rank[None, :]]) if loo.size else rank[None, :]
    return pl.DataFrame(
        {
            "variant": [variant] * len(orgs),
            "org": orgs,
            "rank_low": low,
            "rank_high": high,
            "rank_best_loo": loo_ranks.min(axis=0),
            "rank_worst_loo": loo_ranks.max(axis=0),
        },
        schema=INTERVAL_SCHEMA,
    )
