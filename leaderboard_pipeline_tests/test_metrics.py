"""Metric tables: counts per modality/lifecycle, curated inputs, accumulation bounded by the month, and the
metrics of the stated method (openness, model scale, industry domains, contributor activity) computed by
hand: known where the source has the field, null (never 0) where it does not."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS
from leaderboard_pipeline.core.metrics import (
    accumulate,
    data_metrics,
    input_metrics,
    interval_items,
    model_metrics,
    ranked_orgs,
    repo_metrics,
)

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
    out, items = data_metrics(datasets, other, CURATED, orgs("A", "B"), PROFILE, "monthly")
    a, b = by_metric(out, "A"), by_metric(out, "B")
    assert (a["num_language"], a["downloads_language"], a["dataset_usage"], a["operators"]) == (1, 10, 7, 24)
    assert a["num_pretraining"] == 1 and a["downloads_pretraining"] == 10
    # the curated dataset listed twice (two lifecycles) counts once per modality, once per lifecycle
    assert (b["num_language"], b["num_pretraining"], b["num_finetuning"], b["operators"]) == (1, 1, 2, 0)
    assert set(out["org"]) == {"A", "B"}  # C is not ranked
    assert out.filter(pl.col("org") == "A")["metric"].to_list() == list(PROFILE.metric_columns("data"))
    # No tags at all (the published archive): the domain counts are unknown, not 0.
    assert a["num_domain_medicine"] is None and b["num_domain_code"] is None
    # The items behind the values add up to them (B's curated dataset is one item, in two lifecycles).
    kept = interval_items(items, "data", "monthly", orgs("A", "B"), PROFILE)
    assert kept.filter((pl.col("org") == "B") & (pl.col("metric") == "num_finetuning"))["value"].sum() == 2


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
    a = by_metric(model_metrics(models, CURATED, orgs("A"), PROFILE, "monthly")[0], "A")
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


def _models(**columns) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "month": ["2025-02"] * n,
        "item": [f"A/m{i}" for i in range(n)],
        "org": ["A"] * n,
        "modality": ["Language"] * n,
        "downloads_month": [100] * n,
        "descendants": [0] * n,
        "likes": [0] * n,
        "community": [0] * n,
    }
    return pl.DataFrame(base | columns)


def test_openness_counts_models_and_downloads_per_licence_class_and_gating():
    models = _models(
        downloads_month=[10, 20, 40, 80, 160],
        licence=["apache-2.0", "mit", "llama3.1", "apache-2.0", None],
        licence_class=["open", "open", "restricted", "open", "unknown"],
        gated=[False, None, False, True, False],
        parameters=[None] * 5,
    )
    a = by_metric(model_metrics(models, CURATED, orgs("A"), PROFILE, "monthly")[0], "A")
    # the gated Apache model counts as gated, not open: access needs approval whatever the licence
    assert (a["num_open_licence"], a["downloads_open_licence"]) == (2, 30)
    assert (a["num_restricted_licence"], a["downloads_restricted_licence"]) == (1, 40)
    assert (a["num_gated"], a["downloads_gated"]) == (1, 80)
    assert (a["num_unknown_licence"], a["downloads_unknown_licence"]) == (1, 160)
    # no parameter count anywhere this month: model scale is unknown, not 0
    assert a["num_params_under_1b"] is None and a["num_params_unknown"] is None


def test_model_scale_classes_and_unknown_licences_in_a_month_that_has_them():
    models = _models(
        parameters=[
            135_000_000,
            999_999_999,
            1_000_000_000,
            7_600_000_000,
            70_000_000_000,
            671_000_000_000,
            None,
        ],
        licence_class=["open", None, None, None, None, None, None],
        licence=["mit", None, None, None, None, None, None],
        gated=[None] * 7,
    )
    a = by_metric(model_metrics(models, CURATED, orgs("A", "B"), PROFILE, "monthly")[0], "A")
    assert [
        a[f"num_params_{c}"] for c in ("under_1b", "1b_to_10b", "10b_to_100b", "100b_plus", "unknown")
    ] == [
        2,
        2,
        1,
        1,
        1,
    ]
    # licences are known this month: an item without one is of unknown licence
    assert (a["num_open_licence"], a["num_unknown_licence"]) == (1, 6)
    b = by_metric(model_metrics(models, CURATED, orgs("A", "B"), PROFILE, "monthly")[0], "B")
    assert b["num_open_licence"] == 0 and b["num_params_1b_to_10b"] == 0  # known: B has no models


def test_industry_domains_count_each_dataset_once_per_domain():
    datasets = pl.DataFrame(
        {
            "month": ["2025-02"] * 4,
            "item": ["A/d0", "A/d1", "A/d2", "A/d3"],
            "org": ["A"] * 4,
            "modality": ["Language"] * 4,
            "lifecycle": ["Fine-tuning"] * 4,
            "downloads_month": [1, 2, 3, 4],
            "dataset_usage": [0] * 4,
            "domains": [["finance", "medicine"], ["medicine"], [], None],
        }
    )
    empty_other = pl.DataFrame(
        schema={
            "month": pl.String,
            "org": pl.String,
            "name": pl.String,
            "modality": pl.String,
            "lifecycle": pl.String,
        }
    )
    a = by_metric(data_metrics(datasets, empty_other, CURATED, orgs("A"), PROFILE, "monthly")[0], "A")
    assert (a["num_domain_medicine"], a["num_domain_finance"], a["num_domain_law"]) == (2, 1, 0)


CODE_REPO = RAW_SCHEMAS["code_repos"]


def _repos(month: str, rows: list[tuple]) -> pl.DataFrame:
    """(org, dimension, platform, repo, stars, forks, contributors, commits)"""
    return pl.DataFrame(
        [
            {"month": month, "org": o, "dimension": d, "platform": p, "repo": r, "stars": s, "forks": f}
            | {"open_issues": 0, "contributors": c, "commits_last_month": m}
            for o, d, p, r, s, f, c, m in rows
        ],
        schema=CODE_REPO,
    )


def test_contributor_activity_differences_against_last_month():
    last = _repos(
        "2025-01",
        [
            ("A", "system", "github", "a/one", 100, 10, 5, 3),
            ("A", "system", "github", "a/two", 50, 5, 2, 1),
            ("B", "system", "gitee", "b/g", 10, 1, None, None),
        ],
    )
    this = _repos(
        "2025-02",
        [
            ("A", "system", "github", "a/one", 130, 12, 7, 4),
            ("A", "system", "github", "A/Two", 45, 6, 2, 2),  # lost 5 stars: gains 0; renamed case: same repo
            ("A", "system", "github", "a/new", 9, 0, 1, 1),  # no snapshot last month: its gains are unknown
            ("A", "benchmark", "github", "a/eval", 1, 1, 1, 1),
            ("B", "system", "gitee", "b/g", 13, 1, None, None),  # Gitee reports no contributors / commits
        ],
    )
    values, items = repo_metrics(this, last, "system", orgs("A", "B", "C"))
    inputs = pl.DataFrame(
        {
            "month": ["2025-02"] * 3,
            "org": list("ABC"),
            "metric": ["num_operators"] * 3,
            "value": [1.0, 2.0, 3.0],
        }
    )
    grid = input_metrics(inputs, CURATED, orgs("A", "B", "C"), PROFILE, "system", values)
    assert grid.filter(pl.col("org") == "A")["metric"].to_list() == [
        "num_operators",
        *PROFILE.metric_columns("system"),
    ]
    a, b, c = (by_metric(grid, o) for o in "ABC")
    assert (a["repo_contributors"], a["repo_commits"], a["repo_new_contributors"]) == (10, 7, 2)
    assert (a["repo_stars_gained"], a["repo_forks_gained"]) == (30, 3)
    assert (b["repo_stars_gained"], b["repo_commits"], b["repo_contributors"]) == (3, None, None)
    assert c["repo_commits"] == 0  # no repository of the org: no activity we know of
    first, _ = repo_metrics(this, None, "system", orgs("A"))  # no snapshot last month at all
    first = by_metric(input_metrics(inputs, CURATED, orgs("A"), PROFILE, "system", first), "A")
    assert first["repo_stars_gained"] is None and first["repo_commits"] == 7
    # no code repositories at all this month (the published archive): every activity column is unknown
    none, _ = repo_metrics(this.clear(), None, "system", orgs("A"))
    archive = input_metrics(inputs, CURATED, orgs("A"), PROFILE, "system", none)
    assert archive.filter(pl.col("metric").str.starts_with("repo_"))["value"].is_null().all()
    assert by_metric(archive, "A")["num_operators"] == 1


def test_accumulation_can_leave_out_the_first_month_as_published():
    merged = pl.DataFrame(
        {
            "month": ["2024-11", "2025-01", "2025-02"],
            "item": ["A/m"] * 3,
            "org": ["A"] * 3,
            "namespace": ["a"] * 3,
            "name": ["m"] * 3,
            "modality": ["Language"] * 3,
            "downloads_month": [5, 20, 40],
            "likes": [9, 5, 3],
            "community": [0, 0, 0],
            "descendants": [0, 0, 0],
        }
    )
    published = load_profile("osir-published").cleaning
    assert accumulate(merged, "2025-02", "models", published).select("downloads_month", "likes").rows() == [
        (60, 5)
    ]
    assert accumulate(merged, "2025-02", "models", PROFILE.cleaning).select(
        "downloads_month", "likes"
    ).rows() == [(65, 9)]
