"""Scoring functions on hand-computed cases, without Dagster."""

from __future__ import annotations

import math

import polars as pl
import pytest

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.core.scoring import (
    dimension_scores,
    log2_discount,
    normalise,
    overall,
    score_month,
    with_delta,
)


def metrics(
    rows: list[tuple[str, str, float]], month: str = "2025-01", variant: str = "monthly"
) -> pl.DataFrame:
    orgs = list(dict.fromkeys(r[0] for r in rows))
    return pl.DataFrame(
        {
            "month": [month] * len(rows),
            "variant": [variant] * len(rows),
            "org": [r[0] for r in rows],
            "position": [orgs.index(r[0]) + 1 for r in rows],
            "metric": [r[1] for r in rows],
            "value": [float(r[2]) for r in rows],
        },
        schema_overrides={"position": pl.Int32},
    )


def values(frame: pl.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["org"], frame[column], strict=True))


def test_minmax_and_max_normalisation_by_hand():
    m = metrics([("a", "x", 10), ("b", "x", 30), ("c", "x", 20)])
    mm = normalise(m, "minmax")
    assert mm["normalised"].to_list() == [0.0, 1.0, 0.5]
    mx = normalise(m, "max")
    assert mx["normalised"].to_list() == pytest.approx([1 / 3, 1.0, 2 / 3])


def test_constant_and_all_zero_columns_are_left_out_not_nan():
    m = metrics([("a", "x", 5), ("a", "y", 0), ("a", "z", 1), ("b", "x", 5), ("b", "y", 0), ("b", "z", 3)])
    mm = normalise(m, "minmax")
    # x constant (5, 5) and y all-zero carry no information: null, not NaN
    assert mm.filter(pl.col("metric") == "x")["normalised"].is_null().all()
    assert mm.filter(pl.col("metric") == "y")["normalised"].is_null().all()
    assert not mm["normalised"].is_nan().any()
    scores = dimension_scores(mm)
    assert values(scores, "score") == {"a": 0.0, "b": 1.0}  # the mean over z only
    mx = normalise(m, "max")
    assert mx.filter(pl.col("metric") == "x")["normalised"].to_list() == [1.0, 1.0]  # constant positive: 1.0
    assert mx.filter(pl.col("metric") == "y")["normalised"].is_null().all()  # max 0 -> left out


def test_mean_skips_null_and_dense_rank_shares_ties():
    m = metrics(
        [
            ("a", "x", 4),
            ("a", "y", 0),
            ("b", "x", 4),
            ("b", "y", 0),
            ("c", "x", 2),
            ("c", "y", 2),
            ("d", "x", 0),
            ("d", "y", 0),
        ]
    )
    scores = dimension_scores(normalise(m, "max"))
    assert values(scores, "score") == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.75, "d": 0.0})
    assert values(scores, "rank") == {"c": 1, "a": 2, "b": 2, "d": 3}  # dense: no gap after a tie


def test_single_org_gets_rank_one_and_score_zero():
    scores = dimension_scores(normalise(metrics([("solo", "x", 7), ("solo", "y", 0)]), "minmax"))
    assert values(scores, "score") == {"solo": 0.0}
    assert values(scores, "rank") == {"solo": 1}


def test_delta_rank_is_last_minus_this_and_null_for_new_orgs():
    now = dimension_scores(normalise(metrics([("a", "x", 1), ("b", "x", 3), ("new", "x", 2)]), "max"))
    before = dimension_scores(normalise(metrics([("a", "x", 3), ("b", "x", 1)], month="2024-12"), "max"))
    delta = values(with_delta(now, before), "delta_rank")
    assert delta == {"a": 1 - 3, "b": 2 - 1, "new": None}


def test_log2_discount_values():
    assert log2_discount(1) == 1.0
    assert log2_discount(3) == 0.5
    assert log2_discount(2) == pytest.approx(0.6309297535714575)


def _ranks(pairs: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": ["2025-01"] * len(pairs),
            "variant": ["monthly"] * len(pairs),
            "org": list(pairs),
            "position": pl.Series(range(1, len(pairs) + 1), dtype=pl.Int32),
            "score": [1.0 / r for r in pairs.values()],
            "rank": list(pairs.values()),
        }
    )


def test_overall_rank_discount_with_published_weights():
    profile = load_profile("osir-published")
    dims = {
        "data": _ranks({"a": 1, "b": 2}),
        "model": _ranks({"a": 2, "b": 1}),
        "system": _ranks({"a": 1, "b": 2}),
        "benchmark": _ranks({"a": 1, "b": 1}),
    }
    out = overall(dims, profile)
    g = log2_discount
    a = (1 / 6) * g(1) + 0.5 * g(2) + (1 / 6) * g(1) + (1 / 6) * g(1)
    b = (1 / 6) * g(2) + 0.5 * g(1) + (1 / 6) * g(2) + (1 / 6) * g(1)
    assert values(out, "score") == pytest.approx({"a": a, "b": b}, abs=1e-15)
    assert values(out, "rank") == {"b": 1, "a": 2}  # the model dimension weighs half


def test_overall_mean_is_average_of_dimension_scores():
    profile = load_profile("methodology")
    dims = {d: _ranks({"a": 1, "b": 2}) for d in ("data", "model", "system", "benchmark")}
    dims["model"] = _ranks({"a": 2, "b": 1})
    out = overall(dims, profile)
    assert values(out, "score") == pytest.approx({"a": (1 + 0.5 + 1 + 1) / 4, "b": (0.5 + 1 + 0.5 + 0.5) / 4})


def test_score_month_end_to_end_small():
    profile = load_profile("methodology")
    current = {
        "data": metrics([("a", "n", 1), ("b", "n", 3)]),
        "model": metrics([("a", "n", 5), ("b", "n", 1)]),
        "system": metrics([("a", "n", 1), ("b", "n", 1)]),  # constant: no information
        "benchmark": metrics([("a", "n", 0), ("b", "n", 2)]),
    }
    normalised, ranks, total = score_month(current, None, profile)
    assert values(ranks["system"], "rank") == {"a": 1, "b": 1}
    assert values(total, "score") == pytest.approx({"a": 0.25, "b": 0.5})
    assert total["delta_rank"].is_null().all()
    assert not any(math.isnan(v) for v in total["score"])
