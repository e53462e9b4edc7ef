"""How sure each rank is: bootstrap rank intervals over each org's items, and the leave-one-metric-out range.

**Bootstrap** (``rank_low``, ``rank_high``). An org's item-based metric values are sums over its items
(models, datasets, code repositories; the metrics layer has them). Each round draws a weight for every item from
Poisson(1) — the Poisson bootstrap: resampling with replacement where the number of draws is itself
random, so an org with one item is not certain of it (weight 0, 1, 2, ... with probabilities 0.37, 0.37,
0.18, ...) and counts vary as much as downloads — recomputes the metric values, normalises, scores and
ranks every dimension and the overall ranking exactly as the profile does, and reports the central
``level`` share (2.5-97.5 % by default) of the org's ranks over the rounds, widened to include the rank
itself. Values without items (hand inputs, curated constants) stay fixed in every round: a ranking
with nothing to resample at all (a dimension of hand inputs only, as system and benchmark in the archive)
gets null ``rank_low`` / ``rank_high``: it was not resampled, and a range of one rank would read as
certainty about hand inputs nobody can resample.

**Leave one metric out** (``rank_best_loo``, ``rank_worst_loo``): the best and worst rank of the org over
the profile as it is and the variants that drop one scored metric column (for overall: one column of any
dimension), the effect of the method's choice of columns.

Everything is numpy over (rounds x orgs x metrics) arrays; the only Python loops are over dimensions and
over orgs for one matrix product each, never over rounds. The bootstrap runs in the metrics layer, where
the items are (``metrics.rank_bootstrap``); the leave-one-out range in the score layer, from the
normalised tables.
"""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from leaderboard_pipeline.config.profiles import DIMENSIONS, Intervals, Profile

INTERVAL_COLUMNS = ("rank_low", "rank_high", "rank_best_loo", "rank_worst_loo")
_RANKING = {"ranking": pl.String, "variant": pl.String, "org": pl.String}
BOOTSTRAP_SCHEMA = {"month": pl.String, **_RANKING, "rank_low": pl.Int64, "rank_high": pl.Int64}
LOO_SCHEMA = {**_RANKING, "rank_best_loo": pl.Int64, "rank_worst_loo": pl.Int64}
# Poisson(1) by table lookup on 16 random bits: class k covers round(2^16 P(X < k)) .. round(2^16 P(X <= k)),
# so each probability is exact to 2^-16 (the mass above 8 is below that and folds into 8).
_LEVELS = 1 << 16
_EDGES = np.round(np.cumsum([math.exp(-1) / math.factorial(k) for k in range(9)]) * _LEVELS).astype(np.int64)
_POISSON_TABLE = np.searchsorted(_EDGES, np.arange(_LEVELS), side="right").astype(np.float32)


def poisson_weights(rng: np.random.Generator, rounds: int, items: int) -> np.ndarray:
    """(rounds x items) Poisson(1) draws as float32."""
    bits = np.frombuffer(rng.bytes(rounds * items * 2), dtype=np.uint16).reshape(rounds, items)
    return np.take(_POISSON_TABLE, bits)


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
    if (
        table.height == len(orgs) * len(columns)
        and table["org"].gather_every(len(columns) or 1).to_list() == orgs
    ):
        # The layers write every org x every metric, org by org in metric order: no pivot needed.
        flat = table[value].cast(pl.Float64).to_numpy()
        if table["metric"].head(len(columns)).to_list() == columns:
            return flat.astype(np.float64).reshape(len(orgs), len(columns))
    wide = table.pivot(on="metric", index="org", values=value).select("org", *columns)
    wide = pl.DataFrame({"org": orgs}).join(wide, on="org", how="left", maintain_order="left")
    return (
        wide.select(columns).cast(pl.Float64).to_numpy().astype(np.float64).reshape(len(orgs), len(columns))
    )


def _rng(spec: Intervals, month: str, dimension: str) -> np.random.Generator:
    """One stream per (month, dimension): the same month gives the same rounds in any run."""
    return np.random.default_rng([spec.seed, zlib.crc32(month.encode()), zlib.crc32(dimension.encode())])


def item_index(items: pl.DataFrame, orgs: list[str]) -> tuple[pl.DataFrame, np.ndarray]:
    """Number the distinct items of ``items`` (one dimension, any variants) grouped by org in ``orgs``
    order: (the rows with their item number ``i`` and org number ``o``, the org number of each item)."""
    codes = items.filter(pl.col("org").is_in(orgs)).with_columns(
        o=pl.col("org").replace_strict({o: i for i, o in enumerate(orgs)}, return_dtype=pl.Int64)
    )
    keys = codes.select("o", "item").unique().sort("o", "item").with_row_index("i")
    return codes.join(keys, on=["o", "item"]), keys["o"].to_numpy()


def contributions(codes: pl.DataFrame, items: int, columns: list[str]) -> np.ndarray:
    """(items x columns) float32 contributions of the numbered rows (``item_index``) to ``columns``."""
    codes = codes.filter(pl.col("metric").is_in(columns)).with_columns(
        m=pl.col("metric").replace_strict({c: i for i, c in enumerate(columns)}, return_dtype=pl.Int64)
    )
    out = np.zeros((items, len(columns)), dtype=np.float32)
    np.add.at(
        out, (codes["i"].to_numpy(), codes["m"].to_numpy()), codes["value"].to_numpy().astype(np.float32)
    )
    return out


def resampled_values(
    values: np.ndarray, org_of: np.ndarray, contributions: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """(rounds x orgs x columns): each org's values with its item-based part recomputed from the
    rounds' item ``weights`` (rounds x items). Values without items stay as they are."""
    out = np.broadcast_to(values, (len(weights), *values.shape)).copy()
    if not len(org_of):
        return out
    starts = np.flatnonzero(np.r_[True, org_of[1:] != org_of[:-1]])
    ends = np.r_[starts[1:], len(org_of)]
    for start, end in zip(starts, ends, strict=True):  # one small matrix product per org
        block = contributions[start:end]
        drawn = weights[:, start:end] @ block  # rounds x columns
        out[:, org_of[start], :] += drawn - block.sum(axis=0, dtype=np.float64)
    return out


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


def _layout(metrics: dict[str, pl.DataFrame]) -> tuple[str, list[str], dict[str, list[str]]]:
    """(month, ranked orgs in position order, variants per dimension) of one month's metric tables."""
    monthly = metrics["data"].filter(pl.col("variant") == "monthly").sort("position", maintain_order=True)
    orgs = monthly["org"].unique(maintain_order=True).to_list()
    variants = {d: metrics[d]["variant"].unique(maintain_order=True).to_list() for d in DIMENSIONS}
    return metrics["data"]["month"][0], orgs, variants


def _overall_keys(variants: dict[str, list[str]]) -> dict[str, dict[str, tuple[str, str]]]:
    """variant of the overall ranking -> the (dimension, variant) it combines: as the overall table,
    system and benchmark have only monthly ranks, which stand in for the accumulated ones."""
    return {v: {d: (d, v if v in variants[d] else "monthly") for d in DIMENSIONS} for v in variants["data"]}


def bootstrap_ranks(metrics: dict[str, pl.DataFrame], items: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """``rank_low`` / ``rank_high`` of every ranking of one month from resampled items.

    ``metrics``: the month's metric tables, scored columns only (both variants); ``items``: the items
    behind their values (``metrics.interval_items``: dimension, variant, org, item, metric, value).
    A ranking whose values have no items (hand inputs only) gets its own rank in every round.
    Returns (month, ranking, variant, org, rank_low, rank_high); ranking is a dimension or "overall".
    """
    # Single-threaded BLAS: for these small products its thread pool costs far more than it saves
    # (25 products: 5 ms on one thread, 340 ms on two threads of a loaded two-core machine).
    with threadpool_limits(limits=1, user_api="blas"):
        return _bootstrap_ranks(metrics, items, profile)


# Bytes the rounds of one block may take (the item weights and the resampled values): the rounds are
# drawn and scored block by block, so memory stays bounded however many orgs and items a month has.
BLOCK_BYTES = 256 * 1024 * 1024


def round_blocks(rounds: int, items: int, cells: int, budget: int = BLOCK_BYTES) -> list[int]:
    """Sizes of the blocks the ``rounds`` are drawn in: as many rounds as fit ``budget`` (4 bytes a weight
    per item, 8 bytes a value per org x column), even, so that every block but the last draws a whole
    number of the generator's 32-bit words and the blocks draw exactly the bytes one draw would."""
    per_round = 4 * items + 8 * cells
    size = max(2, min(rounds, budget // max(per_round, 1)))
    size -= size % 2
    return [size] * (rounds // size) + ([rounds % size] if rounds % size else [])


def _bootstrap_ranks(
    metrics: dict[str, pl.DataFrame], items: pl.DataFrame, profile: Profile, budget: int = BLOCK_BYTES
) -> pl.DataFrame:
    spec = profile.intervals
    month, orgs, variants = _layout(metrics)
    parts = items.partition_by("dimension", as_dict=True)
    rounds: dict[tuple[str, str], np.ndarray] = {}
    fixed: set[tuple[str, str]] = set()  # rankings with nothing to resample
    for dim in DIMENSIONS:
        # One draw per item and round, shared by the dimension's monthly and accumulated rankings.
        codes, org_of = item_index(parts.get((dim,), items.clear()), orgs)
        inputs = {}
        for variant in variants[dim]:
            table = metrics[dim].filter(pl.col("variant") == variant)
            columns = table["metric"].unique(maintain_order=True).to_list()
            values = _matrix(table, orgs, columns, "value")
            # A column nobody has a value in (unknown this month) is null in every round: leave it out.
            known = ~np.isnan(values).all(axis=0)
            columns, values = [c for c, k in zip(columns, known, strict=True) if k], values[:, known]
            mine = codes.filter(pl.col("variant") == variant)
            if mine.is_empty():  # nothing to resample: every round is the month itself
                own = mean_score(normalise(values, profile.normalisation))
                rounds[dim, variant] = np.broadcast_to(own, (spec.rounds, len(orgs)))
                fixed.add((dim, variant))
                continue
            inputs[variant] = (values, contributions(mine, len(org_of), columns))
            rounds[dim, variant] = np.empty((spec.rounds, len(orgs)))
        if not inputs:
            continue
        rng, start = _rng(spec, month, dim), 0
        cells = max(v.size for v, _ in inputs.values())
        for size in round_blocks(spec.rounds, len(org_of), cells, budget):
            weights = poisson_weights(rng, size, len(org_of))
            for variant, (values, contributed) in inputs.items():
                drawn = resampled_values(values, org_of, contributed, weights)
                rounds[dim, variant][start : start + size] = mean_score(
                    normalise(drawn, profile.normalisation)
                )
            start += size
    for variant, key in _overall_keys(variants).items():
        rounds["overall", variant] = _overall({d: rounds[key[d]] for d in DIMENSIONS}, profile)
        if all(key[d] in fixed for d in DIMENSIONS):
            fixed.add(("overall", variant))
    frames = []
    for (ranking, variant), scores in rounds.items():
        if (ranking, variant) in fixed:
            # not resampled: null, never a range of one rank that would read as certainty
            low = high = pl.Series([None] * len(orgs), dtype=pl.Int64)
        else:
            low, high = (pl.Series(b, dtype=pl.Int64) for b in _quantiles(dense_ranks(scores), spec.level))
        frames.append(
            pl.DataFrame(
                {"ranking": ranking, "variant": variant, "org": orgs, "rank_low": low, "rank_high": high}
            )
        )
    return pl.concat(frames).select(pl.lit(month).alias("month"), pl.all()).cast(BOOTSTRAP_SCHEMA)


def leave_one_out_ranks(normalised: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """``rank_best_loo`` / ``rank_worst_loo`` of every ranking of one month: the best and worst rank over
    the profile as it is and each variant that drops one scored column (overall: of any dimension).

    Returns (ranking, variant, org, rank_best_loo, rank_worst_loo)."""
    _, orgs, variants = _layout(normalised)
    base, loo = {}, {}
    for dim in DIMENSIONS:
        for variant in variants[dim]:
            table = normalised[dim].filter(pl.col("variant") == variant)
            z = _matrix(table, orgs, table["metric"].unique(maintain_order=True).to_list(), "normalised")
            base[dim, variant], loo[dim, variant] = mean_score(z), leave_one_out(z)
    for variant, key in _overall_keys(variants).items():
        own = {d: base[key[d]] for d in DIMENSIONS}
        # One variant per left-out column of any dimension: that dimension's score changes, the rest not.
        dropped = {
            d: np.concatenate(
                [loo[key[e]] if e == d else np.broadcast_to(own[d], loo[key[e]].shape) for e in DIMENSIONS]
            )
            for d in DIMENSIONS
        }
        base["overall", variant], loo["overall", variant] = _overall(own, profile), _overall(dropped, profile)
    frames = []
    for (ranking, variant), scores in base.items():
        ranks = np.vstack([dense_ranks(loo[ranking, variant]), dense_ranks(scores)[None, :]])
        frames.append(
            pl.DataFrame(
                {
                    "ranking": ranking,
                    "variant": variant,
                    "org": orgs,
                    "rank_best_loo": ranks.min(axis=0),
                    "rank_worst_loo": ranks.max(axis=0),
                }
            )
        )
    return pl.concat(frames).cast(LOO_SCHEMA)


def _overall(scores: dict[str, np.ndarray], profile: Profile) -> np.ndarray:
    """Overall scores over the last (org) axis from dimension scores of the same shape."""
    return combine(scores, {d: dense_ranks(s) for d, s in scores.items()}, profile)
