"""Cleaning and merge rules on small hand-made frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.contract.months import previous_month
from leaderboard_pipeline.contract.raw_tables import conform
from leaderboard_pipeline.core.cleaning import clean_datasets, clean_models, merge

DEFAULT = load_profile("methodology").cleaning
PUBLISHED = load_profile("osir-published").cleaning
# Crawl days 30 days apart, so a difference needs no scaling to the 30-day window.
CRAWLED = {"2025-01": dt.date(2025, 1, 15), "2025-02": dt.date(2025, 2, 14)}


def raw(table: str, rows: list[dict], month: str = "2025-02") -> pl.DataFrame:
    return conform(
        table, pl.DataFrame([{"month": month, "date_crawl": CRAWLED[month], "link": "", **r} for r in rows])
    )


REGISTRY = pl.DataFrame(
    {
        "month": ["2025-02"] * 3,
        "org": ["OpenBMB", "OpenBMB", "Qwen Org"],
        "platform": ["HuggingFace", "ModelScope", "ModelScope"],
        "namespace": ["openbmb", "OpenBMB", "Qwen"],
    }
)
MODEL_LABELS = pl.DataFrame(
    {
        "month": ["2025-02"] * 3,
        "key": ["openbmb/MiniCPM", "Qwen/Qwen-7B", "Qwen/tiny"],
        "modality": ["Language", "Language", "Language"],
        "is_large_model": [True, True, False],
    }
)


def test_previous_month_rolls_over_the_year():
    assert previous_month("2025-01") == "2024-12"
    assert previous_month("2025-10") == "2025-09"


def test_org_resolution_ignores_case_by_default_but_not_in_published_profile():
    frame = raw("ms_models", [{"namespace": "openbmb", "name": "MiniCPM", "total_downloads": 500}])
    previous = raw(
        "ms_models", [{"namespace": "openbmb", "name": "MiniCPM", "total_downloads": 100}], "2025-01"
    )
    ours = clean_models(frame, "ms_models", REGISTRY, MODEL_LABELS, DEFAULT, previous)
    assert ours["org"].to_list() == ["OpenBMB"]
    assert ours["downloads_month"].to_list() == [400]
    assert ours["excluded"].to_list() == [None]
    published = clean_models(frame, "ms_models", REGISTRY, MODEL_LABELS, PUBLISHED, previous)
    assert published.is_empty()  # ModelScope lists "OpenBMB", the records say "openbmb": dropped


def test_modelscope_filters_first_month_small_and_non_large_models():
    frame = raw(
        "ms_models",
        [
            {"namespace": "Qwen", "name": "Qwen-7B", "total_downloads": 1000},
            {"namespace": "Qwen", "name": "Qwen-7B", "total_downloads": 1000},  # listed twice
            {"namespace": "Qwen", "name": "tiny", "total_downloads": 900},
            {"namespace": "Qwen", "name": "new-one", "total_downloads": 900},
        ],
    )
    previous = raw(
        "ms_models",
        [
            {"namespace": "Qwen", "name": "Qwen-7B", "total_downloads": 960},
            {"namespace": "Qwen", "name": "tiny", "total_downloads": 100},
        ],
        "2025-01",
    )
    ours = clean_models(frame, "ms_models", REGISTRY, MODEL_LABELS, DEFAULT, previous)
    assert ours.select("name", "excluded").rows() == [
        ("Qwen-7B", "fewer than 50 monthly downloads"),
        ("tiny", "not a large model"),
        ("new-one", "no previous total"),
    ]
    published = clean_models(frame, "ms_models", REGISTRY, MODEL_LABELS, PUBLISHED, previous)
    assert published.height == 4  # the duplicate stays and is counted twice


def test_language_models_under_the_parameter_threshold_are_excluded_when_counts_are_known():
    frame = raw(
        "hf_models",
        [
            {
                "namespace": "openbmb",
                "name": "MiniCPM",
                "downloads_last_month": 900,
                "parameters": 135_000_000,
            },
        ],
    )
    ours = clean_models(frame, "hf_models", REGISTRY, MODEL_LABELS, DEFAULT)
    assert ours["excluded"].to_list() == ["language model under the parameter threshold"]
    published = clean_models(frame, "hf_models", REGISTRY, MODEL_LABELS, PUBLISHED)
    assert published["excluded"].to_list() == [None]


DATASET_LABELS = pl.DataFrame(
    {
        "month": ["2025-02"] * 2,
        "key": ["Qwen/set", "Qwen/gone"],
        "modality": ["Language", "Language"],
        "lifecycle": ["Fine-tuning", "Fine-tuning"],
        "is_valid": [True, True],
    }
)


def test_dataset_counters_that_go_down_and_first_months():
    frame = raw(
        "ms_datasets",
        [
            {"namespace": "Qwen", "name": "set", "total_downloads": 80},
            {"namespace": "Qwen", "name": "gone", "total_downloads": 50},
        ],
    )
    previous = raw("ms_datasets", [{"namespace": "Qwen", "name": "set", "total_downloads": 100}], "2025-01")
    ours = clean_datasets(frame, "ms_datasets", REGISTRY, DATASET_LABELS, DEFAULT, previous)
    assert ours["downloads_month"].to_list() == [0, 0]  # clamped; first month counts 0
    published = clean_datasets(frame, "ms_datasets", REGISTRY, DATASET_LABELS, PUBLISHED, previous)
    assert published["downloads_month"].to_list() == [-20, 0]  # kept negative, dropped at merge


def _clean_row(platform_rows: list[dict]) -> pl.DataFrame:
    base = {
        "month": "2025-02",
        "modality": "Language",
        "likes": 1,
        "community": 0,
        "descendants": 0,
        "date_crawl": CRAWLED["2025-02"],
        "excluded": None,
    }
    return pl.DataFrame([{**base, **r} for r in platform_rows])


def test_merge_precedence_and_sums():
    hf = _clean_row(
        [
            {
                "platform": "HuggingFace",
                "org": "Q",
                "namespace": "Qwen",
                "name": "M",
                "downloads_month": 100,
                "row": 0,
            }
        ]
    )
    ms = _clean_row(
        [
            {
                "platform": "ModelScope",
                "org": "Q",
                "namespace": "qwen",
                "name": "m",
                "downloads_month": 5,
                "row": 0,
                "modality": "Vision",
            },
            {
                "platform": "ModelScope",
                "org": "Q",
                "namespace": "x",
                "name": "neg",
                "downloads_month": -3,
                "row": 1,
            },
        ]
    )
    merged = merge({"hf_models": hf, "ms_models": ms}, DEFAULT, "models")
    row = merged.filter(pl.col("item") == "Q/m").row(0, named=True)
    # ModelScope comes first in the precedence: its namespace and modality win; downloads add up.
    assert (row["namespace"], row["modality"], row["downloads_month"], row["platforms"]) == (
        "qwen",
        "Vision",
        105,
        "ModelScope,HuggingFace",
    )
    assert merged.filter(pl.col("item") == "Q/neg")["downloads_month"].to_list() == [0]
    published = merge({"hf_models": hf, "ms_models": ms}, PUBLISHED, "models")
    assert published.height == 3  # "M" and "m" are different items when case matters


def test_merge_keeps_unknown_counters_unknown():
    """Likes nobody reports stay unknown in the merged item (never 0); known ones add up."""
    unknown = {"platform": "HuggingFace", "org": "Q", "namespace": "Qwen", "downloads_month": 100, "row": 0}
    hf = _clean_row([{**unknown, "name": "a", "likes": None}, {**unknown, "name": "b", "likes": 7, "row": 1}])
    ms = _clean_row([{**unknown, "platform": "ModelScope", "name": "b", "likes": None, "community": None}])
    merged = merge({"hf_models": hf, "ms_models": ms}, DEFAULT, "models").sort("item")
    assert merged.select("item", "likes", "community").rows() == [("Q/a", None, 0), ("Q/b", 7, 0)]
