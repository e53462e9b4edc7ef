"""Metric tables: counts per modality/lifecycle, curated inputs, accumulation bounded by the month."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.metrics import accumulate, data_metrics, model_metrics, ranked_orgs
from leaderboard_pipeline.profiles import load_profile

PROFILE = load_profile("methodology")


def orgs(*names: str, month: str = "2025-02") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": [month] * len(names),
            "org": list(names),
            "position": pl.Series(range(1, len(names) + 1), dtype=pl.Int32),
        }
    )


CURATED = pl.DataFrame(
    {
        "month": ["2025-02"] * 3,
        "dimension": ["data", "data", "model"],
        "metric": ["operators", "operators", "num_adapted_chips"],
        "org": ["A", "*", "*"],
        "value": [24.0, 0.0, 1.0],
        "evidence": ["x"] * 3,
    }
)


def by_metric(frame: pl.DataFrame, org: str) -> dict[str, float]:
    rows = frame.filter(pl.col("org") == org)
    return dict(zip(rows["metric"], rows["value"], strict=True))


def test_data_metrics_count_modalities_lifecycles_and_curated_lists():
    datasets = pl.DataFrame(
        {
            "month": ["2025-02"] * 3,
            "org": ["A", "A", "B"],
            "modality": ["Language", None, "Vision"],
            "lifecycle": ["Pre-training", "Evaluation", "Fine-tuning"],
            "downloads_month": [10, 5, 7],
            "dataset_usage": [3, 4, None],
        }
    )
    other = pl.DataFrame(
        {
            "month": ["2025-02"] * 3,
            "org": ["B", "B", "C"],
            "name": ["web", "web", "site"],
            "modality": ["Language", "Language", "Speech"],
            "lifecycle": ["Pre-training", "Fine-tuning", "Pre-training"],
        }
    )
    out = data_metrics(datasets, other, CURATED, orgs("A", "B"), PROFILE, "monthly")
    a, b = by_metric(out, "A"), by_metric(out, "B")
    assert (a["num_language"], a["downloads_language"], a["dataset_usage"], a["operators"]) == (1, 10, 7, 24)
    assert a["num_pretraining"] == 1 and a["downloads_pretraining"] == 10
    # the curated dataset listed twice (two lifecycles) counts once per modality, once per lifecycle
    assert (b["num_language"], b["num_pretraining"], b["num_finetuning"], b["operators"]) == (1, 1, 2, 0)
    assert set(out["org"]) == {"A", "B"}  # C is not ranked
    assert out.filter(pl.col("org") == "A")["metric"].to_list() == list(PROFILE.metric_columns("data"))


def test_model_metrics_include_embodied_by_default_and_curated_defaults():
    models = pl.DataFrame(
        {
            "month": ["2025-02"] * 2,
            "org": ["A", "A"],
            "modality": ["Embodied", "Language"],
            "downloads_month": [50, 70],
            "descendants": [1, 2],
            "likes": [3, 4],
            "community": [5, 6],
        }
    )
    a = by_metric(model_metrics(models, CURATED, orgs("A"), PROFILE, "monthly"), "A")
    assert (a["num_embodied"], a["downloads_embodied"], a["descendants"], a["likes"], a["issue"]) == (
        1,
        50,
        3,
        7,
        11,
    )
    assert a["num_adapted_chips"] == 1.0


def test_accumulation_is_bounded_by_the_partition_month():
    merged = pl.DataFrame(
        {
            "month": ["2025-01", "2025-02", "2025-03"],
            "item": ["A/m"] * 3,
            "org": ["A"] * 3,
            "namespace": ["a"] * 3,
            "name": ["m"] * 3,
            "modality": ["Language"] * 3,
            "downloads_month": [10, 20, 40],
            "likes": [1, 5, 3],
            "community": [0, 0, 0],
            "descendants": [0, 0, 0],
        }
    )
    acc = accumulate(merged, "2025-02", "models", PROFILE.cleaning)
    assert acc.select("month", "downloads_month", "likes").rows() == [("2025-02", 30, 5)]


def test_ranked_orgs_follow_the_hand_input_order():
    inputs = pl.DataFrame(
        {"month": ["m"] * 4, "org": ["B", "B", "A", "A"], "position": pl.Series([1, 1, 2, 2], dtype=pl.Int32)}
    )
    assert ranked_orgs(inputs)["org"].to_list() == ["B", "A"]
