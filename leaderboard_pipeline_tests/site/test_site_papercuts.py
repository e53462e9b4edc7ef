"""Small site defects a new user met: the rank chart's axis labels evenly spaced, the data-quality
manifest telling apart the rows of a table read from several files."""

from __future__ import annotations

import re

import pytest

from leaderboard_pipeline.site import quality_page
from leaderboard_pipeline.site.charts import rank_chart


def _rank_labels(svg: str) -> list[tuple[int, float]]:
    # the rank labels are the axis texts anchored at their end (the month labels are centred)
    return [
        (int(label), float(y))
        for y, label in re.findall(
            r'<text class="tick" x="[\d.]+" y="([\d.]+)" text-anchor="end"[^>]*>(\d+)</text>', svg
        )
    ]


@pytest.mark.parametrize("worst", range(1, 61))
def test_rank_axis_labels_are_evenly_spaced(worst):
    months = ["2025-01", "2025-02", "2025-03"]
    svg = rank_chart(months, {"overall": [1, worst, max(1, worst // 2)]}, "ranks")
    labels = _rank_labels(svg)
    ranks = [r for r, _ in labels]
    ys = [y for _, y in labels]
    assert ranks[0] == 1 and ranks[-1] >= worst and 2 <= len(labels) <= 7, ranks
    gaps = [b - a for a, b in zip(ys, ys[1:], strict=False)]
    steps = {b - a for a, b in zip(ranks, ranks[1:], strict=False)}
    # not 9 and 10 crowded together (positions are written to 0.1 px)
    assert max(gaps) - min(gaps) < 0.15 and len(steps) == 1, (worst, ranks, ys)


def test_the_worst_rank_is_drawn_at_its_place_on_the_axis():
    svg = rank_chart(["2025-01", "2025-02"], {"overall": [1, 10]}, "ranks")
    labels = dict(_rank_labels(svg))  # 1, 3, 5, 7, 9, 11
    marker_y = float(re.search(r'cy="([\d.]+)" r="[\d.]+"><title>overall, 2025-02: rank 10', svg)[1])
    assert labels[9] < marker_y < labels[11]
    assert abs(marker_y - (labels[9] + labels[11]) / 2) < 0.2


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (
            "/srv/leaderboard/data/inputs/snapshots/2025-03-07/infra-evidence.csv",
            "2025-03-07/infra-evidence.csv",
        ),
        (
            "/srv/archive/snapshots/2025-03-07/HuggingFace/raw-models-info.jsonl",
            "HuggingFace/raw-models-info.jsonl",
        ),
        ("https://huggingface.co", "https://huggingface.co"),
        ("orgs.yaml", "orgs.yaml"),
        (None, "–"),
    ],
)
def test_read_from_names_the_file_without_the_local_path(location, shown):
    assert quality_page.read_from(location) == shown


def _manifest_rows(html: str) -> list[list[str]]:
    section = html.split('id="manifest"', 1)[1].split("<h2", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells:
            rows.append([re.sub(r"<[^>]+>", "", c) for c in cells])
    return rows


def test_each_manifest_row_says_which_file_it_is(demo_site):
    html = (demo_site / "quality-2025-03.html").read_text(encoding="utf-8")
    assert "<th" in html.split('id="manifest"', 1)[1] and "Read from" in html.split('id="manifest"', 1)[1]
    rows = _manifest_rows(html)
    evidence = sorted(r[2] for r in rows if r[0] == "input_evidence")
    assert evidence == ["2025-03-07/eval-evidence.csv", "2025-03-07/infra-evidence.csv"]
    pairs = [(r[0], r[2]) for r in rows]
    assert len(pairs) == len(set(pairs))  # no two rows alike
    assert not any(r[2].startswith("/") for r in rows)  # no local path on a published page


def test_every_page_names_an_icon_that_is_served(demo_site):
    """Failed before: no page named an icon, so every browser asked for /favicon.ico and got a 404. A
    page that names its icon (`<link rel="icon">`) is never asked for /favicon.ico."""
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        links = re.findall(r'<link rel="icon" href="([^"]+)"', page.read_text())
        assert len(links) == 1, page
        path = links[0].split("?")[0]  # a version query for caches
        assert (page.parent / path).resolve().is_file(), (page, links[0])
