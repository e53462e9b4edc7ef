"""The open-data downloads beyond one month: every month at once (one file per ranking and summary with
a `month` column, CSV and Parquet), linked from the open-data page; and the summary deltas of months
that have a previous month."""

from __future__ import annotations

import re

import polars as pl
import pytest

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.warehouse import stored_months

RANKING_STEMS = (
    *(f"{d}-rank" for d in ("overall", "data", "model", "system", "benchmark")),
    *(f"{d}-accumulated-rank" for d in ("overall", "data", "model")),
)
SUMMARY_STEMS = tuple(f"{d}-summary" for d in ("data", "model", "system", "benchmark"))


def _months(site) -> list[str]:
    return stored_months(site.parent / "archive.duckdb", "scores", "overall", settings.DEFAULT_PROFILE)


@pytest.mark.parametrize("stem", RANKING_STEMS + SUMMARY_STEMS)
def test_every_month_at_once_is_each_month_file_with_a_month_column(archive_site, stem):
    months = _months(archive_site)
    folder = archive_site / "downloads" / "all-months"
    csv = pl.read_csv(folder / f"{stem}.csv", infer_schema_length=None)
    parquet = pl.read_parquet(folder / f"{stem}.parquet")
    assert csv.columns[0] == parquet.columns[0] == "month"
    assert sorted(set(csv["month"])) == months and csv["month"].is_sorted()
    assert csv.height == parquet.height
    for month in months:
        one = pl.read_csv(archive_site / "downloads" / month / f"{stem}.csv", infer_schema_length=None)
        rows = csv.filter(pl.col("month") == month).drop("month").select(one.columns)
        # the same rows in the same order; the other columns (other months' metrics) are empty here
        assert rows["org"].to_list() == one["org"].to_list(), (stem, month)
        for column in one.columns[1:]:
            a, b = rows[column].cast(pl.Float64), one[column].cast(pl.Float64)
            assert ((a - b).abs().fill_null(0.0) < 1e-12).all() and (a.is_null() == b.is_null()).all()
        extra = [c for c in csv.columns if c not in one.columns and c != "month"]
        assert all(csv.filter(pl.col("month") == month)[c].null_count() == one.height for c in extra)
        parquet_rows = parquet.filter(pl.col("month") == month)
        assert parquet_rows["org"].to_list() == one["org"].to_list()


def test_the_open_data_page_links_every_month_at_once(archive_site):
    months = _months(archive_site)
    page = (archive_site / f"open-data-{months[-1]}.html").read_text()
    assert 'id="all-months"' in page and 'href="#all-months"' in page
    links = set(re.findall(r'href="(downloads/all-months/[^"]+)"', page))
    assert links == {
        f"downloads/all-months/{s}.{fmt}" for s in RANKING_STEMS + SUMMARY_STEMS for fmt in ("csv", "parquet")
    }
    assert all((archive_site / link).is_file() for link in links)
    assert f"{months[0]} … {months[-1]}" in page


def test_summary_deltas_are_downloads_of_every_month_with_a_previous_one(archive_site):
    months = _months(archive_site)
    first = archive_site / "downloads" / months[0]
    assert not list(first.glob("*-summary-delta.*"))  # the first ranked month has no previous summary
    for month in months[1:]:
        for stem in ("data", "model"):
            delta = pl.read_csv(archive_site / "downloads" / month / f"{stem}-summary-delta.csv")
            this = pl.read_csv(archive_site / "downloads" / month / f"{stem}-summary.csv")
            assert set(this["org"]) <= set(delta["org"])
            assert delta.columns == this.columns
        page = (archive_site / f"open-data-{month}.html").read_text()
        assert f'href="downloads/{month}/data-summary-delta.csv"' in page
