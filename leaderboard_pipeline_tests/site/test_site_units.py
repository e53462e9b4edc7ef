"""The SVG chart functions, the exports in all three formats, the CLI and the Dagster wiring."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.site import layout
from leaderboard_pipeline.site.charts import WIDTH, bar_chart, distribution_chart, movers_chart, rank_chart
from leaderboard_pipeline.site.exports import STORED_TABLES, export_month
from leaderboard_pipeline.site.formatting import format_value, known_count, month_ranges
from leaderboard_pipeline.site.tables import intervals, slugify
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


def test_rank_chart_keeps_the_axis_labels_clear_and_coinciding_lines_visible():
    months = ["2025-01", "2025-02", "2025-03"]
    root = _svg(rank_chart(months, {"Overall": [1, 1, 1], "Data": [1, 1, 1], "Model": [2, 1, 1]}, "t"))
    one = next(t for t in root.iter(f"{SVG}text") if t.text == "1")
    markers = [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]  # not the legend
    leftmost = min(float(c.get("cx")) - float(c.get("r")) for c in markers)
    assert leftmost > float(one.get("x")) + 4, "the first month's markers do not cover the '1' label"
    widths = [float(p.get("stroke-width")) for p in root.findall(f".//{SVG}polyline")]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1], (
        "series drawn first are wider, so lines on the same rank stay visible underneath"
    )
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert "Data, 2025-02: rank 1" in titles, "each marker names its series, month and rank"


def test_rank_chart_marks_the_current_month():
    root = _svg(rank_chart(["2025-01", "2025-02"], {"Overall": [2, 1]}, "t", current="2025-02"))
    band = root.find(f".//{SVG}rect[@class='current']")
    marker = root.findall(f".//{SVG}circle")[1]
    assert float(band.get("x")) < float(marker.get("cx")) < float(band.get("x")) + float(band.get("width"))


def test_rank_chart_with_one_month_and_no_ranks():
    _svg(rank_chart(["2025-01"], {"Overall": [1]}, "one"))
    root = _svg(rank_chart(["2025-01"], {"Overall": [None]}, "none"))
    assert "no ranks yet" in {t.text for t in root.iter(f"{SVG}text")}


def test_movers_chart_draws_ups_right_and_downs_left_of_the_axis():
    root = _svg(movers_chart([("Up", 3), ("Down", -1)], "moves"))
    axis = float(root.find(f".//{SVG}line").get("x1"))
    up, down = root.findall(f".//{SVG}rect")
    assert float(up.get("x")) == axis and float(down.get("x")) + float(down.get("width")) == pytest.approx(
        axis
    )
    assert float(up.get("width")) == pytest.approx(3 * float(down.get("width")), abs=0.2), "proportional"
    assert "up" in up.get("class") and "down" in down.get("class")
    assert "no rank changes" in {t.text for t in _svg(movers_chart([], "none")).iter(f"{SVG}text")}


def test_distribution_chart_has_one_dot_per_org_and_stacks_equal_scores():
    root = _svg(
        distribution_chart([("A", 0.0), ("B", 0.01), ("C", 1.0), ("D", 0.5)], "d", width=420, bins=40)
    )
    dots = {c.find(f"{SVG}title").text.split(":")[0]: c for c in root.iter(f"{SVG}circle")}
    assert set(dots) == {"A", "B", "C", "D"}
    x = {k: float(c.get("cx")) for k, c in dots.items()}
    y = {k: float(c.get("cy")) for k, c in dots.items()}
    assert x["A"] == x["B"] and y["A"] != y["B"], "same bin: stacked, not drawn over each other"
    assert x["A"] < x["D"] < x["C"]


def test_charts_fit_a_phone_so_their_text_is_not_scaled_down():
    """A chart wider than a 360 px screen's content box would be scaled down, and its 12 px text with it."""
    months = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]
    series = {
        name: [(i % 25) + 1 for i in range(24)]
        for name in ("Overall", "Data", "Model", "System", "Benchmark")
    }
    charts = [
        bar_chart([("Benchmark", 0.5), ("A very long organisation name", 0.2)], "b"),
        rank_chart(months, series, "r", current="2025-03"),
        movers_chart([("An organisation with a long name", 3), ("B", -2)], "m"),
        distribution_chart([("A", 0.1), ("B", 0.9)], "d"),
    ]
    assert WIDTH <= 340
    for markup in charts:
        root = _svg(markup)
        assert float(root.get("width")) <= WIDTH and root.get("viewBox").split()[2] == root.get("width")
        for text in root.iter(f"{SVG}text"):
            anchor = text.get("text-anchor") or "start"
            if anchor == "start" and text.text and not text.text[0].isdigit():
                assert float(text.get("x")) + 7 * len(text.text) <= WIDTH + 2, (
                    f"{text.text!r} runs off the chart"
                )
    # Month labels of a long history stay apart, the last month always labelled.
    root = _svg(charts[1])
    ticks = [t for t in root.iter(f"{SVG}text") if t.text and t.text[:2] == "20"]
    xs = [float(t.get("x")) for t in ticks]
    assert ticks[-1].text == "2025-12" and all(b - a >= 55 for a, b in zip(xs, xs[1:], strict=False))
    # The legend sits under the plot, one entry per series.
    plot_bottom = max(
        float(line.get("y1")) for line in root.iter(f"{SVG}line") if line.get("class") == "grid"
    )
    legend = [t for t in root.iter(f"{SVG}text") if t.text in series]
    assert len(legend) == 5 and all(float(t.get("y")) > plot_bottom + 20 for t in legend)


def test_a_known_value_carries_no_unknown_reason():
    reason = "the platforms do not report likes for this item"
    assert "title" not in layout.value_cell(12, "count", unknown_reason=reason)
    assert layout.value_cell(None, "count", unknown_reason=reason) == (
        f'<td data-v=""><span class="unknown" title="{reason}">unknown</span></td>'
    )


def test_sortable_headers_are_buttons_that_say_the_order_from_the_start():
    columns = [
        layout.Column("Rank", sorted="ascending", tip="best first", described_by="def-rank"),
        layout.Column("Score"),
    ]
    html = layout.table(columns, ["<td>1</td><td>0.5</td>"], label="a ranking")
    assert '<th scope="col" data-type="num" aria-sort="ascending"><button type="button" class="sort" ' in html
    assert 'title="best first" aria-describedby="def-rank">Rank</button></th>' in html
    assert html.count("aria-sort") == 1, "only the column the rows are sorted by"
    assert '<div class="table-wrap" role="region" aria-label="a ranking" tabindex="0">' in html
    plain = layout.table(columns, [], css="plain")
    assert "<button" not in plain and "aria-sort" not in plain, "a table that does not sort has no controls"


def test_slugs_keep_the_spelling_and_stay_unique_ignoring_case():
    slugs = slugify(["Princeton NLP", "princeton-nlp", "01-AI", "../etc", "BAAI"])
    assert slugs["BAAI"] == "BAAI" and slugs["Princeton NLP"] == "Princeton-NLP" and slugs["01-AI"] == "01-AI"
    assert len({s.lower() for s in slugs.values()}) == 5
    assert all(s.replace("-", "").isalnum() for s in slugs.values())


def test_values_are_formatted_by_kind_and_unknown_is_unknown():
    assert format_value(186.0, "count") == "186"
    assert format_value(12345678.0, "downloads") == "12,345,678"
    assert format_value(0.1234, "share") == "12.3 %"
    assert (format_value(1.0, "flag"), format_value(0.0, "flag")) == ("yes", "no")
    assert format_value(0.5, "score") == "0.5000"
    assert format_value(2.5, "number") == "2.5"
    assert format_value(None, "count") == format_value(float("nan"), "downloads") == "unknown"
    assert (known_count(-1), known_count(-3), known_count(0), known_count(7)) == (None, None, 0, 7)


def test_month_ranges_summarise_which_months_have_values():
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert month_ranges(months, set(months)) == "every month (2025-01 … 2025-04)"
    assert month_ranges(months, {"2025-02", "2025-03"}) == "2025-02 … 2025-03"
    assert month_ranges(months, {"2025-01", "2025-04"}) == "2025-01, 2025-04"
    assert month_ranges(months, set()) == "no month"


def test_intervals_are_the_contract_columns_that_carry_values():
    frame = pl.DataFrame({"rank": [1, 2], "rank_low": [1, 1], "rank_high": [None, None]})
    assert intervals(frame) == ["rank_low"]
    assert intervals(pl.DataFrame({"rank": [1]})) == []


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
    assert main(["site", "--out", str(out), "--source", "demo"]) == 0, (
        "rebuilding over an earlier build is fine"
    )
    assert "source <strong>demo</strong>" in (out / "index.html").read_text(encoding="utf-8")
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
