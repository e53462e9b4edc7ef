"""Rank intervals: the Poisson bootstrap over items and the leave-one-metric-out range, on built cases."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.contract.raw_tables import empty_raw
from leaderboard_pipeline.core.intervals import (
    INTERVAL_COLUMNS,
    bootstrap_ranks,
    dense_ranks,
    poisson_weights,
)
from leaderboard_pipeline.core.layers import scores_layer
from leaderboard_pipeline.core.metrics import ITEM_SCHEMA, input_metrics, interval_items, model_metrics
from leaderboard_pipeline.core.scoring import score_month, scored
from leaderboard_pipeline.site.exports import ranking_table

PROFILE = load_profile("methodology")
PUBLISHED = load_profile("osir-published")
NO_CURATED = empty_raw("curated_metrics")


def test_dense_ranks_match_the_scoring_convention():
    assert dense_ranks(np.array([[3.0, 1.0, 3.0, 2.0], [0.0, 0.0, 0.0, 5.0]])).tolist() == [
        [1, 3, 1, 2],
        [2, 2, 2, 1],
    ]


def test_poisson_weights_have_the_poisson_law():
    w = poisson_weights(np.random.default_rng(1), 1000, 1000)
    assert w.dtype == np.float32 and w.min() == 0
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.var() == pytest.approx(1.0, abs=0.02)
    assert (w == 0).mean() == pytest.approx(math.exp(-1), abs=0.005)


def orgs(*names: str, month: str = "2025-03") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": [month] * len(names),
            "org": list(names),
            "position": pl.Series(range(1, len(names) + 1), dtype=pl.Int32),
        }
    )


def _month(month: str, spread: dict[str, list[int]]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Metric tables of one month where only the model dimension differs between orgs: ``spread`` gives
    each org's models' downloads. Data has no datasets, system and benchmark one equal hand input."""
    ranked = orgs(*spread, month=month)
    rows = [(org, d) for org, downloads in spread.items() for d in downloads]
    models = pl.DataFrame(
        {
            "month": [month] * len(rows),
            "item": [f"{o}/m{i}" for i, (o, _) in enumerate(rows)],
            "org": [o for o, _ in rows],
            "modality": ["Language"] * len(rows),
            "downloads_month": [d for _, d in rows],
            "descendants": [0] * len(rows),
            "likes": [0] * len(rows),
            "community": [0] * len(rows),
        }
    )
    model, items = model_metrics(models, NO_CURATED, ranked, PROFILE, "monthly")
    inputs = ranked.select("month", "org", metric=pl.lit("num_operators"), value=pl.lit(1.0))
    flat = input_metrics(inputs, NO_CURATED, ranked, PROFILE, "system")
    tables = {
        "data": model.with_columns(value=pl.lit(0.0)),
        "model": model,
        "system": flat,
        "benchmark": flat,
    }
    return tables, interval_items(items, "model", "monthly", ranked, PROFILE)


def _bootstrap(tables: dict[str, pl.DataFrame], items: pl.DataFrame) -> pl.DataFrame:
    return bootstrap_ranks({d: scored(t, PROFILE, d) for d, t in tables.items()}, items, PROFILE)


def _by_org(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["org"]: r for r in frame.filter(pl.col("variant") == "monthly").iter_rows(named=True)}


def test_a_dominant_org_is_sure_of_rank_one_and_a_one_item_org_is_not():
    # Solo's one model has three quarters of Big's downloads; P, Q and R have many small models.
    spread = {
        "Big": [1_000_000] * 40,
        "Solo": [30_000_000],
        "P": [150_000] * 30,
        "Q": [100_000] * 20,
        "R": [60_000] * 10,
    }
    tables, items = _month("2025-03", spread)
    _, ranks, overall = score_month(tables, None, PROFILE, _bootstrap(tables, items))
    model = _by_org(ranks["model"])
    assert (model["Big"]["rank_low"], model["Big"]["rank_high"]) == (1, 1)
    assert (_by_org(overall)["Big"]["rank_low"], _by_org(overall)["Big"]["rank_high"]) == (1, 1)
    width = {org: r["rank_high"] - r["rank_low"] for org, r in model.items()}
    # One item drawn 0, 1, 2, ... times: from second place to last, the widest of all.
    assert (model["Solo"]["rank_low"], model["Solo"]["rank_high"]) == (2, 5)
    assert width["Solo"] > max(w for org, w in width.items() if org != "Solo")
    for r in model.values():
        assert r["rank_low"] <= r["rank"] <= r["rank_high"]
        assert r["rank_best_loo"] <= r["rank"] <= r["rank_worst_loo"]


def test_same_seed_same_intervals_whichever_months_are_in_the_run():
    march, march_items = _month("2025-03", {"A": [10, 20, 30], "B": [25, 25], "C": [5] * 8})
    feb, feb_items = _month("2025-02", {"A": [1, 2], "B": [3], "C": [4]})
    bootstrap = {"rank_bootstrap": pl.concat([_bootstrap(feb, feb_items), _bootstrap(march, march_items)])}
    both = {d: pl.concat([feb[d], march[d]]) for d in march} | bootstrap
    alone = {**march, "rank_bootstrap": _bootstrap(march, march_items)}
    columns = ["org", "rank", *INTERVAL_COLUMNS]
    one = scores_layer(alone, ["2025-03"], PROFILE)["model_rank"].select(columns)
    two = scores_layer(both, ["2025-02", "2025-03"], PROFILE)["model_rank"].filter(
        pl.col("month") == "2025-03"
    )
    assert one.equals(two.select(columns))
    assert not one["rank_low"].is_null().any()


def test_leave_one_metric_out_by_hand():
    """x: a=1, b=0, c=0.4; y: a=0, b=1, c=0.4; z: c=1 (Min-Max). Scores a 1/3, b 1/3, c 0.6: c 1, a b 2.
    Without x: c, b, a; without y: c, a, b; without z: a = b first, c second."""
    values = {"a": (10, 0, 0), "b": (0, 10, 0), "c": (4, 4, 10)}
    rows = [(org, m, float(v)) for org, vs in values.items() for m, v in zip("xyz", vs, strict=True)]
    table = pl.DataFrame(
        {
            "month": ["2025-03"] * 9,
            "variant": ["monthly"] * 9,
            "org": [r[0] for r in rows],
            "position": pl.Series([1, 1, 1, 2, 2, 2, 3, 3, 3], dtype=pl.Int32),
            "metric": [r[1] for r in rows],
            "value": [r[2] for r in rows],
        }
    )
    _, ranks, _ = score_month(dict.fromkeys(("data", "model", "system", "benchmark"), table), None, PROFILE)
    got = {
        r["org"]: (r["rank"], r["rank_best_loo"], r["rank_worst_loo"], r["rank_low"])
        for r in ranks["model"].iter_rows(named=True)
    }
    assert got == {"a": (2, 1, 3, None), "b": (2, 1, 3, None), "c": (1, 1, 2, None)}  # no items: no bootstrap


def test_profiles_without_intervals_leave_the_columns_null_and_out_of_the_rank_files():
    tables, items = _month("2025-03", {"A": [10, 20], "B": [5]})
    _, ranks, overall = score_month(tables, None, PUBLISHED, _bootstrap(tables, items))
    assert all(ranks["model"][c].is_null().all() and overall[c].is_null().all() for c in INTERVAL_COLUMNS)
    normalised, mine, _ = score_month(tables, None, PROFILE, _bootstrap(tables, items))
    stored = {("scores", "model_rank"): mine["model"], ("scores", "model_normalised"): normalised["model"]}
    ours = ranking_table(lambda s, t: stored.get((s, t)), PROFILE, "model")
    assert ours.columns[-4:] == list(INTERVAL_COLUMNS)
    stored[("scores", "model_rank")] = ranks["model"]
    theirs = ranking_table(lambda s, t: stored.get((s, t)), PUBLISHED, "model")
    assert not set(INTERVAL_COLUMNS) & set(theirs.columns)


def test_items_are_only_kept_for_profiles_that_compute_intervals():
    tables, items = _month("2025-03", {"A": [10, 20], "B": [5]})
    assert items.schema == ITEM_SCHEMA and items.height > 0
    assert items.filter(pl.col("value") == 0).is_empty()
    assert interval_items(items, "model", "monthly", orgs("A", "B"), PUBLISHED).is_empty()


def test_a_month_without_benchmark_inputs_is_not_ranked_nor_resampled():
    from leaderboard_pipeline.contract.raw_tables import RAW_TABLES, empty_raw
    from leaderboard_pipeline.core.cleaning import merged_schema_frame
    from leaderboard_pipeline.core.layers import metrics_layer

    raw = {t: empty_raw(t) for t in RAW_TABLES}
    raw["system_inputs"] = pl.DataFrame(
        {
            "month": ["2025-03"] * 2,
            "org": ["A", "B"],
            "position": [1, 2],
            "metric": ["x"] * 2,
            "value": [1.0, 2.0],
        },
        schema=raw["system_inputs"].schema,
    )
    models, datasets = merged_schema_frame("models"), merged_schema_frame("datasets")
    tables = metrics_layer(models, datasets, raw, ["2025-03"], PROFILE)
    assert tables["benchmark"].is_empty() and tables["rank_bootstrap"].is_empty()
    assert scores_layer(tables, ["2025-03"], PROFILE)["overall"].is_empty()


def test_rounds_drawn_in_blocks_give_exactly_the_ranks_of_one_draw():
    """Memory stays bounded (issue 19: a Hub-scale month) by drawing the rounds block by block; the blocks
    draw the very same weights, so the intervals do not change."""
    from leaderboard_pipeline.core.intervals import _bootstrap_ranks, round_blocks

    assert round_blocks(1000, 10, 10, budget=10**12) == [1000]
    assert round_blocks(1000, 10, 10, budget=1) == [2] * 500
    assert round_blocks(7, 10, 10, budget=1) == [2, 2, 2, 1]  # even blocks, the remainder last
    assert sum(round_blocks(1000, 999_999, 3, budget=256 << 20)) == 1000
    spread = {"Big": [1_000_000] * 40, "Solo": [30_000_000], "P": [150_000] * 30, "Q": [100_000] * 21}
    tables, items = _month("2025-03", spread)
    scored_tables = {d: scored(t, PROFILE, d) for d, t in tables.items()}
    whole = _bootstrap_ranks(scored_tables, items, PROFILE, budget=10**12)
    for budget in (1, 1000, 5000):  # blocks of 2 rounds, and uneven last blocks
        assert _bootstrap_ranks(scored_tables, items, PROFILE, budget=budget).equals(whole)
