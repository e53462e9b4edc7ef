"""The metrics of the stated method where the data has them: two live months recorded from the mock
ecosystem and replayed, and the bundled demo (its cassette month is live, its earlier months are in the
published archive layout, which has no licences, parameter counts, tags or code repositories)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.config.settings import DATA_DIR
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS, RAW_TABLES
from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, scores_layer
from leaderboard_pipeline.core.metrics import ranked_orgs, repo_metrics
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.sources.live import LiveSource

PROFILE = load_profile("methodology")
ORGS = ["BAAI", "Ali", "Huawei", "Meta"]  # Huawei: Gitee and GitCode repositories too
MONTHS = ["2026-11", "2026-12"]
FAST = {"rate": 10_000.0, "burst": 100, "backoff_base": 0.001, "backoff_cap": 0.01, "max_wait": 0.02}
NEW = {
    "data": [f"num_domain_{d}" for d in ("medicine", "finance", "code")],
    "model": ["num_open_licence", "downloads_open_licence", "num_gated", "num_params_1b_to_10b"],
    "system": ["repo_contributors", "repo_commits", "repo_stars_gained", "repo_new_contributors"],
    "benchmark": ["repo_contributors", "repo_commits", "repo_stars_gained"],
}


def _mock():
    path = Path(__file__).parent / "collectors" / "mock_ecosystem.py"
    spec = importlib.util.spec_from_file_location("method_mock_ecosystem", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _inputs(months: list[str], orgs: list[str], metric: str) -> pl.DataFrame:
    rows = [
        {"month": m, "org": o, "position": i + 1, "metric": metric, "value": float(i + 1)}
        for m in months
        for i, o in enumerate(orgs)
    ]
    return pl.DataFrame(rows, schema=RAW_SCHEMAS["system_inputs"])


def raw_orgs(raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return ranked_orgs(raw["system_inputs"].filter(pl.col("month") == MONTHS[-1]))


def _layers(raw: dict[str, pl.DataFrame], months: list[str]):
    clean = clean_layer(raw, months, PROFILE)
    metrics = metrics_layer(clean["models"], clean["datasets"], raw, months, PROFILE)
    return clean, metrics, scores_layer(metrics, months, PROFILE)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Two consecutive months recorded from the mock, replayed offline, with hand inputs of our own."""
    mock = _mock()
    cassettes = tmp_path_factory.mktemp("cassettes")
    settings = dict.fromkeys(PLATFORMS, FAST)
    with pytest.MonkeyPatch.context() as mp, mock.MockEcosystem() as eco:
        for var, url in eco.env().items():
            mp.setenv(var, url)
        for month in MONTHS:
            LiveSource(
                DATA_DIR / "registry" / "orgs.yaml",
                cassettes,
                "record",
                orgs=ORGS,
                platform_settings=settings,
            ).read_month(month)
    replay = LiveSource(DATA_DIR / "registry" / "orgs.yaml", cassettes, "replay")
    read = [replay.read_month(m) for m in MONTHS]
    raw = {t: pl.concat([r[t] for r in read], how="vertical_relaxed") for t in RAW_TABLES}
    raw["system_inputs"] = _inputs(MONTHS, ORGS, "num_operators")
    raw["benchmark_inputs"] = _inputs(MONTHS, ORGS, "num_leaderboards")
    return (*_layers(raw, MONTHS), raw)


def _values(metrics: dict, dim: str, month: str, variant: str = "monthly") -> pl.DataFrame:
    return metrics[dim].filter((pl.col("month") == month) & (pl.col("variant") == variant))


def test_live_months_fill_the_new_columns(live):
    clean, metrics, scores, _ = live
    for dim, columns in NEW.items():
        rows = _values(metrics, dim, "2026-12").filter(pl.col("metric").is_in(columns))
        assert rows.height == len(columns) * len(ORGS) and rows["value"].null_count() == 0, (dim, rows)
    # the first month has no snapshot before it: what is gained since last month is unknown, the rest known
    first = _values(metrics, "system", "2026-11")
    assert first.filter(pl.col("metric") == "repo_stars_gained")["value"].is_null().all()
    assert first.filter(pl.col("metric") == "repo_commits")["value"].null_count() == 0
    for table in ("model_rank", "overall"):
        ranked = scores[table].filter(pl.col("month") == "2026-12")
        assert ranked["rank_low"].null_count() == 0 and ranked["rank_best_loo"].null_count() == 0


def test_every_counted_model_has_one_openness_class_and_one_scale_class(live):
    clean, metrics, _, _ = live
    models = clean["models"].filter(pl.col("month") == "2026-12").group_by("org").len()
    values = _values(metrics, "model", "2026-12")
    for prefix, classes in (
        ("num_", ("open_licence", "restricted_licence", "gated", "unknown_licence")),
        ("num_params_", ("under_1b", "1b_to_10b", "10b_to_100b", "100b_plus", "unknown")),
    ):
        per_org = (
            values.filter(pl.col("metric").is_in([prefix + c for c in classes]))
            .group_by("org")
            .agg(pl.col("value").sum())
        )
        assert dict(per_org.iter_rows()) == {o: float(n) for o, n in models.iter_rows()}


def test_gitee_and_gitcode_repositories_count_stars_but_report_no_commits(live):
    *_, raw = live
    repos = raw["code_repos"]
    _, items = repo_metrics(
        repos.filter(pl.col("month") == "2026-12"),
        repos.filter(pl.col("month") == "2026-11"),
        "system",
        raw_orgs(raw),
    )
    huawei = items.filter(pl.col("org") == "Huawei")
    hosted = huawei.filter(~pl.col("item").str.starts_with("github:"))
    assert hosted.height and hosted.filter(pl.col("metric") == "repo_commits")["value"].is_null().all()
    assert hosted.filter(pl.col("metric") == "repo_stars_gained")["value"].null_count() == 0
    assert huawei.filter(pl.col("metric") == "repo_commits")["value"].drop_nulls().len() > 0  # GitHub


@pytest.fixture(scope="module")
def demo():
    source = make_source("demo", None)
    months = source.months()
    read = [source.read_month(m) for m in months]
    raw = {t: pl.concat([r[t] for r in read], how="vertical_relaxed") for t in RAW_TABLES}
    return months, _layers(raw, months)


def test_demo_live_month_has_the_new_columns_and_its_archive_months_do_not(demo):
    _, (_, metrics, scores) = demo
    months = metrics["data"]["month"].unique().sort().to_list()  # the ranked months (with hand inputs)
    live_month, earlier = months[-1], months[:-1]
    assert len(earlier) >= 2
    for dim, columns in NEW.items():
        if dim in ("system", "benchmark"):
            columns = [c for c in columns if c not in ("repo_stars_gained", "repo_new_contributors")]
        for month in months:
            rows = _values(metrics, dim, month).filter(pl.col("metric").is_in(columns))
            known = rows.height > 0 and rows["value"].null_count() == 0
            assert known == (month == live_month), (dim, month)
    # accumulated: the live month's models carry licences, so the accumulated openness is known there
    assert (
        _values(metrics, "model", live_month, "accumulated")
        .filter(pl.col("metric") == "num_open_licence")["value"]
        .null_count()
        == 0
    )
    assert scores["overall"].filter(pl.col("month") == live_month)["rank_low"].null_count() == 0
