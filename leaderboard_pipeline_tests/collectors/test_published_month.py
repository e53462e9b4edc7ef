"""A month of the published archive served by the mock ecosystem (`PublishedMonthEcosystem`) and collected
through the live collectors: every item is stored with the published values of every field the published
method uses (issue 16). The archive is read at run time from ../shared/reference/osir-lmts."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.collectors import huggingface
from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.sources.live import LiveSource

REGISTRY = Path(__file__).resolve().parents[2] / "data" / "registry" / "orgs.yaml"
FAST = {"rate": 10_000.0, "burst": 100, "backoff_base": 0.001, "backoff_cap": 0.01, "max_wait": 0.02}

# raw table -> the published fields the published method reads (osir-method.md §5.3-5.6)
USED = {
    "hf_models": ("downloads_last_month", "likes", "community", "descendants"),
    "hf_datasets": ("downloads_last_month", "dataset_usage"),
    "ms_models": ("total_downloads", "likes"),
    "ms_datasets": ("total_downloads",),
    "odl_datasets": ("total_downloads",),
    "baai_datasets": ("total_downloads",),
}
PER_MODEL = ("community", "descendants")  # asked only where they can reach a rank


def _collect(mock, date: str, monkeypatch, orgs=None) -> tuple[dict[str, pl.DataFrame], object]:
    eco = mock.PublishedMonthEcosystem(date).__enter__()
    try:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        settings = {**FAST, "read_timeout": 5.0}  # a loaded machine must not time a listing out
        source = LiveSource(
            REGISTRY, None, "off", orgs=orgs, platform_settings=dict.fromkeys(PLATFORMS, settings)
        )
        return source.read_month(source.months()[0]), eco
    finally:
        eco.__exit__(None, None, None)


def _expected_value(table: str, row: dict, field: str):
    value = row[field]
    if field == "likes" and value is not None and value < 0:
        return None  # the published -1: unknown, served as null
    if (
        table == "hf_models"
        and field in PER_MODEL
        and row["downloads_last_month"] < huggingface.MIN_DOWNLOADS_FOR_DETAIL
    ):
        return None  # excluded by every profile: not asked, unknown (never 0)
    return value


@pytest.mark.parametrize("date", ["2025-08-07"])
def test_a_published_month_is_collected_with_the_published_values(mock, monkeypatch, reference_archive, date):
    tables, eco = _collect(mock, date, monkeypatch)
    registry = load_registry(REGISTRY)
    published = eco.published
    for table, fields in USED.items():
        name = "model_name" if table.endswith("models") else "dataset_name"
        expected = published.expected(table, registry)
        assert expected, table
        stored = {(r["namespace"], r["name"]): r for r in tables[table].iter_rows(named=True)}
        assert len(stored) == len(expected), table  # every item, each once
        for row in expected:
            got = stored[row["repo"], row[name]]
            for field in fields:
                assert got[field] == _expected_value(table, row, field), (
                    table,
                    row["repo"],
                    row[name],
                    field,
                )
    # what the published method sums: the HF "issue" and the data "dataset_usage" of every org's items
    models = tables["hf_models"]
    counted = models.filter(pl.col("downloads_last_month") >= huggingface.MIN_DOWNLOADS_FOR_DETAIL)
    assert counted["community"].null_count() == 0 and counted["community"].sum() > 10_000
    assert tables["hf_datasets"]["dataset_usage"].null_count() == 0
    assert tables["hf_datasets"]["dataset_usage"].sum() == sum(
        r["dataset_usage"] for r in published.expected("hf_datasets", registry)
    )


def test_record_a_published_month_with_its_previous_snapshot(mock, tmp_path, reference_archive, monkeypatch):
    """`record-published` stores the folder and the snapshot it is differenced against, each under its
    month and crawl date; a replay gives the published items without the mock."""
    results = mock.record_published("2025-08-07", tmp_path, orgs=["Deepseek"])
    assert [r["date"] for r in results] == ["2025-07-07", "2025-08-07"]
    for var in (v for config in PLATFORMS.values() for v in config.url_env):
        monkeypatch.delenv(var, raising=False)
    source = LiveSource(REGISTRY, tmp_path, "replay")
    assert source.months() == ["2025-07", "2025-08"]
    for date in ("2025-07-07", "2025-08-07"):
        meta = json.loads((tmp_path / date[:7] / "_snapshot.json").read_text())
        assert meta["date_crawl"] == date and meta["orgs"] == ["Deepseek"]
        tables = source.read_month(date[:7])
        month = mock.PublishedMonthEcosystem(date).published
        ds = {r["model_name"]: r for r in month.rows["hf_models"] if r["repo"] == "deepseek-ai"}
        stored = tables["hf_models"].filter(pl.col("namespace") == "deepseek-ai")
        assert stored.height == len(ds)
        for row in stored.iter_rows(named=True):
            want = ds[row["name"]]
            assert row["downloads_last_month"] == want["downloads_last_month"]
            if want["downloads_last_month"] >= huggingface.MIN_DOWNLOADS_FOR_DETAIL:
                assert (row["community"], row["descendants"]) == (want["community"], want["descendants"])
        totals = dict(
            tables["ms_models"]
            .select(pl.concat_str("namespace", pl.lit("/"), "name"), "total_downloads")
            .rows()
        )
        for row in month.rows["ms_models"]:
            if row["repo"].casefold() == "deepseek-ai":
                assert totals[f"{row['repo']}/{row['model_name']}"] == row["total_downloads"]
        assert tables["baai_datasets"].is_empty()  # BAAI data is not a Deepseek platform


def test_previous_snapshot_is_the_published_methods(mock, reference_archive):
    module = mock._published_module()
    assert module.previous_snapshot("2025-08-07", reference_archive) == "2025-07-07"
    assert module.previous_snapshot("2024-12-13", reference_archive) == "2024-11-14"
    assert (
        module.previous_snapshot("2025-03-07", reference_archive) == "2025-02-14"
    )  # 21 days: nearest to -30
    assert module.previous_snapshot("2024-11-14", reference_archive) is None
