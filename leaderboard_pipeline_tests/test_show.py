"""`leaderboard show` on a terminal: the default table within 100 columns, and `--metrics` readable at
100 columns (one block per org, every metric whole), whatever the terminal says its width is."""

from __future__ import annotations

import re

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.cli.show_table import metric_blocks, ranking_lines
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, raw_layer, scores_layer
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.warehouse import read_partitions, write_layer


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demo's tables, written through the layer functions (what the assets run)."""
    path = tmp_path_factory.mktemp("show") / "demo.duckdb"
    profile = load_profile(settings.DEFAULT_PROFILE)
    source = make_source("demo")
    months = source.months()
    raw = raw_layer([source.read_month(m) for m in months])
    clean = clean_layer(raw, months, profile)
    metrics = metrics_layer(clean["models"], clean["datasets"], raw, months, profile, clean["snapshots"])
    scores = scores_layer(metrics, months, profile)
    for layer, tables in (("raw", raw), ("clean", clean), ("metrics", metrics), ("scores", scores)):
        write_layer(path, layer, tables, months, profile=profile.name, source="demo")
    return path


def show(capsys, monkeypatch, db, columns: int, *args: str) -> list[str]:
    monkeypatch.setenv(settings.ENV_DB, str(db))
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["show", *args]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("dimension", ["overall", "data", "model", "system", "benchmark"])
def test_the_default_table_fits_100_columns(demo_db, capsys, monkeypatch, dimension):
    for columns in (100, 220):
        lines = show(capsys, monkeypatch, demo_db, columns, "--dimension", dimension)
        assert max(len(line) for line in lines) <= 100
        assert lines[1].split()[:4] == ["rank", "org", "score", "change"]
        ranked = [line for line in lines[2:] if line[:4].strip().isdigit()]
        assert len(ranked) == 6 and all(line.split()[1] != "…" for line in ranked)
        if dimension == "overall":
            assert {"data", "model", "system", "benchmark"} <= set(lines[1].split())


def test_metrics_are_one_block_per_org_with_every_column_whole(demo_db, capsys, monkeypatch):
    lines = show(capsys, monkeypatch, demo_db, 100, "--dimension", "model", "--metrics", "--top", "2")
    assert max(len(line) for line in lines) <= 100
    normalised = read_partitions(demo_db, "scores", "model_normalised", ["2025-03"], "methodology")
    top = read_partitions(demo_db, "scores", "model_rank", ["2025-03"], "methodology").filter(
        pl.col("variant") == "monthly", pl.col("rank") <= 2
    )
    blocks = re.split(r"\n(?=\s{0,3}\d+  )", "\n".join(lines[1:]))
    assert len(blocks) == 2
    for org, block in zip(top.sort("rank")["org"], blocks, strict=True):
        rows = normalised.filter(pl.col("org") == org, pl.col("variant") == "monthly")
        assert rows.height > 20 and f"  {org}  score " in block.splitlines()[0]
        for metric, value in rows.select("metric", "normalised").iter_rows():
            shown = "n/a" if value is None else f"{value:.4f}"
            # the whole metric name, then its value (names are padded to one width)
            assert f" {metric} " in block and shown in block.split(f" {metric} ", 1)[1][:40]
    # a wider terminal puts more metrics on a line, never cuts them
    wide = show(capsys, monkeypatch, demo_db, 200, "--dimension", "model", "--metrics", "--top", "2")
    assert len(wide) < len(lines) and max(len(line) for line in wide) <= 200


def test_long_and_hostile_names_keep_the_table_in_bounds():
    table = pl.DataFrame(
        {
            "org": ["An Organisation With A Very Long Name Indeed", "Evil\x1b[31mRed", "Ok"],
            "a_rather_long_metric_name_for_a_narrow_terminal": [0.5, None, 1.0],
            "score": [0.9, 0.5, 0.1],
            "rank": [1, 2, 3],
            "delta_rank": [None, 0, -2],
        }
    )
    lines = ranking_lines(table, "model")
    assert max(len(line) for line in lines) <= 100
    assert "\x1b" not in "\n".join(lines) and "Evil\\x1b[31mRed" in "\n".join(lines)
    assert lines[1].split()[-1] == "new" and lines[3].split()[-1] == "-2"
    blocks = metric_blocks(table, "model", width=60)
    assert max(len(line) for line in blocks) <= 60 and "\x1b" not in "\n".join(blocks)
    assert "An Organisation With A Very Long Name Indeed" in blocks[0]
