"""What the generated pages say, read from their HTML: labels from the metric catalog, values formatted by
kind, unknown shown as unknown, the method page, org URLs, source and profile on every page, and the
trust features (rank intervals, evidence, gaps) against the contracts, on a warehouse carrying them."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.metric_catalog import describe, load_catalog
from leaderboard_pipeline.config.profiles import DIMENSIONS, load_profile
from leaderboard_pipeline.site import build_site
from leaderboard_pipeline.warehouse import read_partitions
from leaderboard_pipeline_tests.site.conftest import EVIDENCE_URL, TRUST_MONTH, build_warehouse


class Tables(HTMLParser):
    """Every table of a page: its class, header cells (with attributes) and body rows as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.cell: list[str] | None = None
        self.cell_attrs: dict = {}
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attrs.get("class") or "", "head": [], "rows": []})
        elif tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr" and self.tables:
            if not self.in_head:
                self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell, self.cell_attrs = [], attrs

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            if self.in_head:
                self.tables[-1]["head"].append((text, self.cell_attrs))
            elif self.tables[-1]["rows"]:
                self.tables[-1]["rows"][-1].append(text)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables_of(path: Path) -> list[dict]:
    parser = Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def _latest(site: Path) -> str:
    return sorted(p.stem.removeprefix("overall-") for p in site.glob("overall-*.html"))[-1]


def test_headers_are_catalog_labels_with_definitions_not_column_names(archive_site):
    month = _latest(archive_site)
    for dim in ("data", "model", "system", "benchmark"):
        [ranking, *_] = [
            t for t in tables_of(archive_site / f"{dim}-{month}.html") if "ranking" in t["class"]
        ]
        metrics = [
            (text, attrs)
            for text, attrs in ranking["head"]
            if (attrs.get("data-key") or "").startswith("metric:")
        ]
        assert metrics
        html = (archive_site / f"{dim}-{month}.html").read_text(encoding="utf-8")
        catalog = load_catalog()
        for text, attrs in metrics:
            assert "_" not in text, f"{dim}: raw column name in a header: {text}"
            column = attrs["data-key"].removeprefix("metric:")
            # The definition is text on the page (touch, keyboard), named by the header's sort button
            # (read out with it) and in its tooltip (mouse).
            button = re.search(rf'data-key="metric:{column}"[^>]*><button ([^>]*)>', html)
            assert button and f'aria-describedby="def-{column}"' in button.group(1), (dim, column)
            assert 'title="' in button.group(1), f"{dim}: {text} has no definition tooltip"
            shown = re.search(rf'<dd id="def-{column}">(.*?)</dd>', html)
            definition = describe(catalog, dim, column).definition
            assert shown and unescape(shown.group(1)) == definition, (dim, column)
    page = (archive_site / f"system-{month}.html").read_text(encoding="utf-8")
    assert ">Heterogeneous training<" in page and ">support_heterogeneous_training_frameworks<" not in page
    assert "Parallel Training and Inference Framework" in page, "headers grouped by category"


def test_values_are_formatted_by_kind_and_scores_share_one_precision(archive_site):
    month = _latest(archive_site)
    [metrics, *_] = [
        t for t in tables_of(archive_site / "org" / f"BAAI-{month}.html") if "provenance" in t["class"]
    ]
    system = [
        t for t in tables_of(archive_site / "org" / f"BAAI-{month}.html") if "provenance" in t["class"]
    ][2]
    values = {row[0]: row[1] for row in system["rows"] if len(row) > 2}
    assert values["Operators"] == "186", "a hand-input count is an integer, not 186.00"
    assert values["Cross-chip communication"] in ("yes", "no"), "a flag reads yes/no"
    counts = {row[0]: row[1] for row in metrics["rows"] if len(row) > 2}
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", counts["Language dataset downloads"]), "separators"
    score = re.compile(r"^(\d\.\d{4}|unknown|–)$")
    [overall, *_] = [t for t in tables_of(archive_site / f"overall-{month}.html") if "ranking" in t["class"]]
    heads = [text for text, _ in overall["head"]]
    score_columns = [i for i, h in enumerate(heads[-len(overall["rows"][0]) :]) if h.startswith("Score")]
    assert len(score_columns) == 5
    for row in overall["rows"]:
        assert all(score.match(row[i]) for i in score_columns), row


def test_unknown_likes_show_unknown_never_zero(archive_site):
    """The archive's dataset likes are -1 (unknown) on every platform: the site must not print 0."""
    month = _latest(archive_site)
    page = archive_site / "org" / f"BAAI-{month}.html"
    [datasets] = [
        t
        for t in tables_of(page)
        if [h for h, _ in t["head"]][:1] == ["Name"] and "Lifecycle" in [h for h, _ in t["head"]]
    ]
    likes = [row[4] for row in datasets["rows"]]
    assert likes and all(v == "unknown" for v in likes), likes
    [models] = [t for t in tables_of(page) if "Descendants" in [h for h, _ in t["head"]]]
    assert any(row[4] not in ("unknown", "0") for row in models["rows"]), "known model likes are shown"


def test_method_page_explains_instead_of_dumping_a_docstring(archive_site):
    page = (archive_site / "method.html").read_text(encoding="utf-8")
    assert "Pure polars" not in page and "``" not in page and "<pre>" not in page
    definitions = [t for t in tables_of(archive_site / "method.html") if "definitions" in t["class"]]
    assert len(definitions) == 4
    warehouse = archive_site.parent / "archive.duckdb"
    metrics = pl.concat(
        [
            read_partitions(warehouse, "metrics", d, None, settings.DEFAULT_PROFILE, read_only=True)
            for d in DIMENSIONS
        ]
    )
    known = set(metrics.filter(pl.col("value").is_not_null())["metric"])
    columns = set(metrics["metric"])
    for table in definitions:
        for row in table["rows"]:
            if len(row) > 1:  # category rows span the table
                label, kind, definition, sources, months = row
                assert label and kind and definition != "(no definition in the metric catalog)", row
                # the label cell ends with the column name (a <code> element)
                column = max((c for c in columns if label.endswith(c)), key=len)
                if column in known:
                    assert months.startswith("every month") or re.search(r"\d{4}-\d{2}", months), row
                else:  # the archive lacks the field (licences, parameter counts, tags): never 0
                    assert months == "no month", row


def test_org_urls_keep_the_org_spelling_and_every_month_has_a_page(archive_site):
    baai = archive_site / "org" / "BAAI.html"
    assert baai.is_file() and not (archive_site / "org" / "baai.html").exists()
    months = sorted(p.stem.removeprefix("overall-") for p in archive_site.glob("overall-*.html"))
    for month in months:
        page = (archive_site / "org" / f"BAAI-{month}.html").read_text(encoding="utf-8")
        assert f'<h1>BAAI · <span class="month">{month}</span></h1>' in page
    overall = (archive_site / f"overall-{months[0]}.html").read_text(encoding="utf-8")
    assert f'href="org/BAAI-{months[0]}.html"' in overall, "a month's ranking links that month's org page"


def test_every_page_says_its_source_and_profile(demo_site):
    pages = list(demo_site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "source <strong>demo</strong>" in text and "profile <a" in text, path.name
        assert f"<strong>{settings.DEFAULT_PROFILE}</strong>" in text, path.name


def test_without_a_source_the_site_says_what_the_manifest_says(demo_warehouse, tmp_path):
    build_site(demo_warehouse, load_profile(settings.DEFAULT_PROFILE), tmp_path / "site")
    text = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "source <strong>demo + live:replay</strong>" in text


def test_no_rank_interval_is_shown_where_the_profile_computes_none(demo_warehouse, tmp_path):
    """osir-published computes no intervals (the published leaderboard never did): none are shown."""
    published = load_profile("osir-published")
    warehouse = build_warehouse(tmp_path / "published.duckdb", "demo", profile=published)
    build_site(warehouse, published, tmp_path / "site", source="demo")
    month = _latest(tmp_path / "site")
    assert 'class="ci"' not in (tmp_path / "site" / f"overall-{month}.html").read_text(encoding="utf-8")
    assert "not computed by this profile" in (tmp_path / "site" / "method.html").read_text(encoding="utf-8")


def test_rank_intervals_are_shown_where_the_profile_computes_them(demo_site):
    month = _latest(demo_site)
    assert 'class="ci"' in (demo_site / f"overall-{month}.html").read_text(encoding="utf-8")


def test_rank_intervals_are_shown_next_to_each_rank(trust_site):
    overall = (trust_site / f"overall-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert re.search(
        r'data-v="1">1<span class="ci" title="95 % of resamples rank it 1 to 2; leaving one '
        r'metric out: 1 to 3">1–2</span>',
        overall,
    )
    org = (trust_site / "org" / f"BAAI-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert "95 % interval" in org and "leaving one metric out" in org
    assert "bootstrap resamples" in (trust_site / "method.html").read_text(encoding="utf-8")


def test_hand_inputs_link_their_evidence_and_carried_values_are_marked(trust_site):
    org = (trust_site / "org" / f"BAAI-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert f'<a href="{EVIDENCE_URL}" rel="noopener">evidence</a> · FlagGems operator list' in org
    assert "carried forward from 2025-02, not yet reviewed" in org
    assert org.count("no evidence recorded") > 5, "values without evidence say so"
    quality = (trust_site / f"quality-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert (
        "Hand inputs not yet reviewed" in quality
        and f"BAAI-{TRUST_MONTH}.html#benchmark-num_leaderboards" in quality
    )


def test_a_missing_platform_is_a_gap_on_the_quality_dimension_and_org_pages(trust_site):
    quality = (trust_site / f"quality-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert 'id="gaps"' in quality and "OpenDataLab: GET /api/datasets: connection refused" in quality
    data = trust_site / f"data-{TRUST_MONTH}.html"
    text = data.read_text(encoding="utf-8")
    assert "OpenDataLab was not collected in 2025-03" in text
    [ranking, *_] = [t for t in tables_of(data) if "ranking" in t["class"]]
    heads = [h for h, a in ranking["head"] if (a.get("data-key") or "").startswith("metric:")]
    offset = len(ranking["rows"][0]) - len(heads)
    marked = {heads[i] for row in ranking["rows"] for i in range(len(heads)) if row[offset + i].endswith("†")}
    assert (
        "Language datasets" in marked
        and "Dataset usage" not in marked
        and "Data-processing operators" not in marked
    )
    model = (trust_site / f"model-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert "not collected" not in model and "†" not in model, "no model metric comes from OpenDataLab"
    # the model ranking is whole, but its month is not: said once, without marking any model number
    assert "has gaps in other dimensions (OpenDataLab (data))" in model
    org = (trust_site / "org" / f"BAAI-{TRUST_MONTH}.html").read_text(encoding="utf-8")
    assert "OpenDataLab missing this month" in org and f"../quality-{TRUST_MONTH}.html#gaps" in org
    assert "OpenDataLab was not collected" in org and f"{TRUST_MONTH} is ranked with gaps" in org
    earlier = (trust_site / "data-2025-02.html").read_text(encoding="utf-8")
    assert "not collected" not in earlier, "a gap belongs to its month only"


def test_method_page_reports_the_repositories_behind_contributor_activity(demo_site):
    from leaderboard_pipeline.config.registry import load_registry, repo_coverage

    coverage = repo_coverage(load_registry(settings.DATA_DIR / "registry" / "orgs.yaml"))
    [listed] = [
        t
        for t in tables_of(demo_site / "method.html")
        if [h for h, _ in t["head"]][:3] == ["Organisation", "Dimension", "Category"]
    ]
    assert len(listed["rows"]) == coverage.height
    flagscale = [r for r in listed["rows"] if "FlagOpen/FlagScale" in r[4]]
    assert flagscale and flagscale[0][0] == "BAAI" and flagscale[0][1] == "system"


class Head(HTMLParser):
    """What a page's head declares: its description, icon, scripts; and every title attribute with the
    text of the element that carries it."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.description: str | None = None
        self.icons: list[str] = []
        self.scripts: list[dict] = []
        self.titled: list[tuple[str, str]] = []  # (title, text of the element)
        self.open: list[list] = []  # [tag, title, text parts]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "description":
            self.description = attrs.get("content")
        if tag == "link" and "icon" in (attrs.get("rel") or "").split():
            self.icons.append(attrs.get("href") or "")
        if tag == "script":
            self.scripts.append(attrs)
        if tag not in self.VOID:
            self.open.append([tag, attrs.get("title"), []])

    def handle_endtag(self, tag):
        while self.open:
            name, title, text = self.open.pop()
            if title is not None:
                self.titled.append((title, "".join(text)))
            if self.open:
                self.open[-1][2].extend(text)
            if name == tag:
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2].append(data)


def head_of(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_describes_itself_for_search_engines(archive_site):
    """A description that says what the page ranks and for which month (org pages: whose), an icon that
    exists, and no script that blocks the first paint."""
    pages = sorted(archive_site.rglob("*.html"))
    seen: dict[str, Path] = {}
    for path in pages:
        head = head_of(path)
        name = path.relative_to(archive_site).as_posix()
        assert head.description and 60 <= len(head.description) <= 240, (name, head.description)
        month = re.search(r"\d{4}-\d{2}", path.stem)
        if month:
            assert month.group() in head.description, (name, head.description)
        if path.parent.name == "org":
            h1 = re.search(
                r'<h1>(.*?) · <span class="month">(\d{4}-\d{2})</span></h1>', path.read_text(encoding="utf-8")
            )
            assert h1, name
            assert head.description.startswith(f"{unescape(h1.group(1))}, {h1.group(2)}: overall rank"), name
        for dim in ("data", "model", "system", "benchmark"):
            if path.stem.startswith(f"{dim}-"):
                assert head.description.startswith(f"{dim.title()} ranking of "), name
        # index.html is the latest overall page, org/X.html the org's latest month: same text, same page.
        alias = name == "index.html" or (path.parent.name == "org" and not month)
        if not alias:
            assert head.description not in seen, (
                f"{name} and {seen.get(head.description)} share a description"
            )
            seen[head.description] = path
        [icon] = head.icons
        assert (path.parent / icon.split("?")[0]).is_file(), (name, icon)
        for script in head.scripts:
            assert "src" not in script or "defer" in script, f"{name}: a script that blocks rendering"
    index = head_of(archive_site / "index.html").description
    assert index.startswith("Overall ranking of 25 organisations") and "2025-08" in index, index


def test_a_known_value_never_says_it_is_unknown(archive_site):
    """Over every org page: a tooltip saying a value is not reported or unknown sits on a value that
    reads unknown, never on a number (it used to say "do not report likes" over known likes)."""
    pages = sorted((archive_site / "org").glob("*.html"))
    assert len(pages) > 200
    unknown_with_reason = 0
    wrong = []
    for path in pages:
        for title, text in head_of(path).titled:
            if re.search(r"do not report|not reported|unknown", title, flags=re.I):
                if text.strip() != "unknown":
                    wrong.append(f"{path.name}: {text.strip()!r} titled {title!r}")
                else:
                    unknown_with_reason += 1
    assert not wrong, f"{len(wrong)} known values say they are unknown, e.g. {wrong[:5]}"
    assert unknown_with_reason > 100, "unknown likes still say why"


def test_every_dot_of_a_distribution_chart_is_named_in_text(archive_site):
    """A dot's organisation is in a tooltip (mouse only) and in the list under the chart (touch,
    keyboard, screen readers), with the same score."""
    month = _latest(archive_site)
    figures = 0
    for name in ("index.html", f"model-{month}.html", f"data-{month}.html"):
        html = (archive_site / name).read_text(encoding="utf-8")
        for figure in re.findall(r'<figure class="distribution">(.*?)</figure>', html):
            dots = sorted(unescape(t) for t in re.findall(r"<circle [^>]*><title>(.*?)</title>", figure))
            listed = sorted(
                unescape(f"{org}: {score}") for org, score in re.findall(r"<li>(.*?) ([\d.]+)</li>", figure)
            )
            assert dots and dots == listed, (name, dots[:3], listed[:3])
            figures += 1
    assert figures >= 12
