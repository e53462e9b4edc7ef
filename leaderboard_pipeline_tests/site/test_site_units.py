"""The SVG chart functions, the exports in all three formats, the CLI and the Dagster wiring."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import polars as pl
import pytest

from leaderboard_pipeline import settings
from leaderboard_pipeline.cli import main
from leaderboard_pipeline.exports import STORED_TABLES, export_month
from leaderboard_pipeline.profiles import load_profile
from leaderboard_pipeline.site.charts import bar_chart, rank_chart
from leaderboard_pipeline.site.tables import slugify
from leaderboard_pipeline.warehouse import read_partitions

SVG = "{http://www.w3.org/2000/svg}"


def _svg(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def test_bar_chart_draws_one_bar_per_value_and_escapes_labels():
    root = _svg(bar_chart([("Data", 0.5), ("<script>", 1.0), ("System", None), ("Big", 3.0)], "a & b"))
    bars = root.findall(f".//{SVG}rect")
    assert len(bars) == 3, "no bar for a missing value"
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == pytest.approx(widths[1] / 2), "length proportional to the score"
    assert widths[2] == widths[1], "values above 1 are clipped to the axis"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>" in texts and "n/a" in texts
    assert root.find(f"{SVG}title").text == "a & b"


def test_rank_chart_puts_rank_one_on_top_and_breaks_lines_at_gaps():
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    root = _svg(rank_chart(months, {"Overall": [1, 3, None, 2], "Data": [2, 2, 2, 2]}, "history"))
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 3, "the gap splits Overall into two lines"
    first = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert first[0][1] < first[1][1], "rank 1 is drawn above rank 3"
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Overall", "Data", "2025-01", "2025-04", "1", "3"} <= labels


def test_rank_chart_with_one_month_and_no_ranks():
    _svg(rank_chart(["2025-01"], {"Overall": [1]}, "one"))
    root = _svg(rank_chart(["2025-01"], {"Overall": [None]}, "none"))
    assert "no ranks yet" in {t.text for t in root.iter(f"{SVG}text")}


def test_slugs_are_file_safe_and_unique_ignoring_case():
    slugs = slugify(["Princeton NLP", "princeton-nlp", "01-AI", "../etc"])
    assert len(set(slugs.values())) == 4
    assert all(s.replace("-", "").isalnum() for s in slugs.values())


def _reader(warehouse, month):
    def read(schema, table):
        return read_partitions(warehouse, schema, table, [month], settings.DEFAULT_PROFILE, read_only=True)

    return read


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_export_writes_every_score_and_metric_table(demo_warehouse, tmp_path, fmt):
    month = "2025-03"
    read = _reader(demo_warehouse, month)
    written = export_month(read, load_profile(settings.DEFAULT_PROFILE), tmp_path, fmt)
    assert all(p.suffix == f".{fmt}" for p in written)
    load = {"csv": pl.read_csv, "parquet": pl.read_parquet, "json": pl.read_json}[fmt]
    for schema, table in STORED_TABLES:
        stored = read(schema, table)
        exported = load(tmp_path / "tables" / f"{schema}-{table}.{fmt}")
        assert exported.height == stored.height > 0
        assert exported.columns == stored.columns
        assert set(exported["variant"].unique()) == set(stored["variant"].unique())
        key = ["variant", "org"] + (["metric"] if "metric" in stored.columns else [])
        value = (
            "normalised"
            if "normalised" in stored.columns
            else "score"
            if "score" in stored.columns
            else "value"
        )
        joined = stored.join(exported.select(*key, exported_value=value), on=key)
        assert joined.height == stored.height
        assert (joined[value].fill_null(-1.0) - joined["exported_value"].fill_null(-1.0)).abs().max() < 1e-12
    # The published wide layouts are still written alongside, with their names.
    for stem in ("overall-rank", "overall-accumulated-rank", "data-summary", "model-rank"):
        assert (tmp_path / f"{stem}.{fmt}").is_file()


def test_cli_site_builds_and_refuses_a_foreign_folder(demo_warehouse, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(settings.ENV_DB, str(demo_warehouse))
    out = tmp_path / "site"
    assert main(["site", "--out", str(out)]) == 0
    assert "pages" in capsys.readouterr().out and (out / "index.html").is_file()
    assert main(["site", "--out", str(out)]) == 0, "rebuilding over an earlier build is fine"
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    assert main(["site", "--out", str(foreign)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a site build" in err
    assert (foreign / "keep.txt").exists()
    assert main(["site", "--out", str(tmp_path / "x"), "--profile", "osir-published"]) == 2
    assert "no scores for profile osir-published" in capsys.readouterr().err


def test_site_asset_and_jobs(demo_warehouse, monkeypatch, tmp_path):
    import dagster as dg

    from leaderboard_pipeline.definitions import build_definitions

    monkeypatch.setenv(settings.ENV_DB, str(demo_warehouse))
    monkeypatch.setenv("LEADERBOARD_SITE_DIR", str(tmp_path / "published"))
    defs = build_definitions()
    monthly = defs.resolve_job_def("monthly_leaderboard")
    selected = monthly.asset_layer.selected_asset_keys
    assert dg.AssetKey(["scores", "overall"]) in selected
    assert dg.AssetKey(["site", "leaderboard"]) not in selected, "unpartitioned: not in the monthly job"
    result = defs.resolve_job_def("publish_site").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    [materialization] = result.asset_materializations_for_node("site__leaderboard")
    assert materialization.metadata["index"].path == str(tmp_path / "published" / "index.html")
    assert materialization.metadata["pages"].value > 10
    assert (tmp_path / "published" / "index.html").is_file()
    site_node = defs.resolve_assets_def(dg.AssetKey(["site", "leaderboard"]))
    deps = site_node.asset_deps[dg.AssetKey(["site", "leaderboard"])]
    assert dg.AssetKey(["scores", "overall"]) in deps
