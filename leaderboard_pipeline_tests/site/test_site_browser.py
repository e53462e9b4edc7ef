"""The archive site in headless Chromium (Debian's /usr/bin/chromium via playwright; installed by
``ensure_chromium.sh``): search, filters, sorting, the variant toggle and month selector, compare from a
URL, a download, and every page at 390 px and 1600 px without horizontal page scroll. Every test also
asserts no script or console error and no request other than file://.

Accessibility: axe-core (from the npm registry, installed by ``ensure_axe.sh``, the engine Lighthouse
runs too) finds no WCAG 2.0-2.2 A/AA violation on the six audited pages at both widths; the keyboard
reaches a skip link and sort buttons that say their order; nothing moves while a page loads; chart text
stays at 12 px on a 360 px phone and no text is smaller than 12 px.

Screenshots of every page at both widths are written to ``SCREENSHOTS`` (git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import sync_playwright

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.warehouse import read_partitions

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = settings.PROJECT_ROOT / "out" / "site-screenshots"
# This machine's closed network makes Chromium hang on its background fetches without these.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLE = 'section[data-variant="monthly"] table.ranking'
AXE = settings.PROJECT_ROOT / "out" / "vendor" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The pages the accessibility and Lighthouse figures are measured on (bench/lighthouse.py).
AUDITED = [
    "index.html",
    "model-{latest}.html",
    "org/BAAI.html",
    "compare-{latest}.html#orgs=BAAI,Meta,Google",
    "method.html",
    "open-data-{latest}.html",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} missing: run leaderboard_pipeline_tests/site/ensure_chromium.sh first")
    profile_dir = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir per run
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1600, "height": 900},
            accept_downloads=True,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser):
    """A fresh tab; after the test, no script error, console error or non-file:// request."""
    tab = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file://") else None)
    yield tab
    tab.close()
    assert not errors, f"script errors: {errors}"
    assert not requests, f"network requests: {requests}"


def _latest(site: Path) -> tuple[str, list[str]]:
    months = sorted(p.stem.removeprefix("overall-") for p in site.glob("overall-*.html"))
    return months[-1], months


def _overall(site: Path) -> pl.DataFrame:
    warehouse = site.parent / "archive.duckdb"
    return read_partitions(warehouse, "scores", "overall", None, settings.DEFAULT_PROFILE, read_only=True)


def _open(page, site: Path, address: str) -> None:
    path, _, fragment = address.partition("#")
    page.goto((site / path).as_uri() + (f"#{fragment}" if fragment else ""))


def _visible(page, column_key: str, table: str = TABLE) -> list[str]:
    """The cell texts of one column (by its header's data-key) over the rows the filters show."""
    return page.eval_on_selector(
        table,
        """(t, key) => {
            const heads = Array.from(t.tHead.rows[t.tHead.rows.length - 1].cells);
            const i = heads.findIndex(h => h.getAttribute('data-key') === key);
            return Array.from(t.tBodies[0].rows).filter(r => !r.hidden)
                .map(r => (r.cells[i].getAttribute('data-v') ?? r.cells[i].textContent).trim());
        }""",
        column_key,
    )


def test_search_filters_sorting_and_the_state_in_the_url(archive_site, page):
    latest, months = _latest(archive_site)
    overall = _overall(archive_site)
    monthly = overall.filter((pl.col("month") == latest) & (pl.col("variant") == "monthly"))
    page.goto((archive_site / "index.html").as_uri())
    assert page.is_visible(TABLE) and not page.is_visible('section[data-variant="accumulated"] table')
    assert sorted(_visible(page, "org")) == sorted(monthly["org"].to_list()), "one row per ranked org"

    # Search narrows the table to the matching organisations, and says how many it shows.
    page.fill('input[data-filter="q"]', "ba")
    expected = sorted(o for o in monthly["org"] if "ba" in o.lower())
    assert 0 < len(expected) < monthly.height
    assert sorted(_visible(page, "org")) == expected
    assert page.inner_text(".filters output") == f"{len(expected)} of {monthly.height} organisations"
    assert "q=ba" in page.url

    # Movers: only the orgs that moved up.
    page.fill('input[data-filter="q"]', "")
    page.select_option('select[data-filter="move"]', "up")
    ups = monthly.filter(pl.col("delta_rank") > 0)
    assert ups.height > 0 and sorted(_visible(page, "org")) == sorted(ups["org"].to_list())
    page.select_option('select[data-filter="move"]', "")

    # Dimension filter + rank range: the model columns only, ranked 1-5 in the model dimension.
    model = read_partitions(
        archive_site.parent / "archive.duckdb",
        "scores",
        "model_rank",
        [latest],
        settings.DEFAULT_PROFILE,
        read_only=True,
    ).filter((pl.col("variant") == "monthly") & (pl.col("rank") <= 5))
    page.select_option('select[data-filter="g"]', "model")
    page.fill('input[data-filter="from"]', "1")
    page.fill('input[data-filter="to"]', "5")
    assert sorted(_visible(page, "org")) == sorted(model["org"].to_list())
    assert all(1 <= int(r) <= 5 for r in _visible(page, "rank:model"))
    assert not page.is_visible(f'{TABLE} th[data-key="rank:data"]'), "other dimensions' columns hidden"
    assert page.is_visible(f'{TABLE} th[data-key="rank:model"]')

    # The filters survive the variant toggle and the month selector (they travel in the fragment).
    page.click('button[data-state="v"][data-value="accumulated"]')
    accumulated = 'section[data-variant="accumulated"] table.ranking'
    assert page.is_visible(accumulated) and not page.is_visible(TABLE)
    assert all(1 <= int(r) <= 5 for r in _visible(page, "rank:model", accumulated))
    page.select_option("select.month-select", f"overall-{months[-2]}.html")
    page.wait_for_url(f"**/overall-{months[-2]}.html#*")
    assert page.input_value('input[data-filter="to"]') == "5" and "v=accumulated" in page.url
    assert page.is_visible(accumulated) and all(
        1 <= int(r) <= 5 for r in _visible(page, "rank:model", accumulated)
    )

    # Sorting: organisation A to Z, then Z to A; a score column high to low. aria-sort says the order
    # from the start (by rank) and moves to the column sorted by.
    page.goto((archive_site / "index.html").as_uri())
    names = _visible(page, "org")
    assert page.get_attribute(f'{TABLE} th[data-key="rank"]', "aria-sort") == "ascending"
    page.click(f'{TABLE} th[data-key="org"]')
    assert _visible(page, "org") == sorted(names, key=str.lower)
    assert page.get_attribute(f'{TABLE} th[data-key="org"]', "aria-sort") == "ascending"
    assert page.get_attribute(f'{TABLE} th[data-key="rank"]', "aria-sort") is None
    page.click(f'{TABLE} th[data-key="org"]')
    assert _visible(page, "org") == sorted(names, key=str.lower, reverse=True)
    assert page.get_attribute(f'{TABLE} th[data-key="org"]', "aria-sort") == "descending"
    page.click(f'{TABLE} th[data-key="score"]')
    scores = [float(v) for v in _visible(page, "score")]
    assert scores == sorted(scores, reverse=True)


def test_dimension_page_values_normalised_toggle_and_category_filter(archive_site, page):
    latest, _ = _latest(archive_site)
    page.goto((archive_site / f"model-{latest}.html").as_uri())
    cell = page.locator(f"{TABLE} tbody tr:first-child td[data-n]").first
    raw, normalised = cell.inner_text(), cell.get_attribute("data-n")
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", raw), raw
    page.click('button[data-state="show"][data-value="normalised"]')
    assert cell.inner_text() == normalised and re.fullmatch(r"\d\.\d{4}|–", normalised)
    assert "show=normalised" in page.url
    page.click('button[data-state="show"][data-value="values"]')
    assert cell.inner_text() == raw
    first_group = page.get_attribute(f'{TABLE} th[data-key^="metric:"]', "data-g")
    page.select_option('select[data-filter="g"]', first_group)
    shown = page.eval_on_selector_all(
        f'{TABLE} thead tr:last-child th[data-key^="metric:"]', "hs => hs.filter(h => h.offsetParent).length"
    )
    everything = page.locator(f'{TABLE} thead tr:last-child th[data-key^="metric:"]').count()
    assert 0 < shown < everything


def test_compare_three_orgs_from_a_url(archive_site, page):
    latest, _ = _latest(archive_site)
    chosen = ["BAAI", "Meta", "Google"]
    page.goto((archive_site / f"compare-{latest}.html").as_uri() + "#orgs=" + ",".join(chosen))
    headers = page.eval_on_selector_all(
        "table.compare-scores thead th.org", "hs => hs.map(h => h.textContent)"
    )
    assert headers == chosen
    checked = page.eval_on_selector_all("input[data-pick]:checked", "bs => bs.map(b => b.value)")
    assert sorted(checked) == sorted(chosen)
    api = json.loads((archive_site / "api" / "v1" / latest / "overall.json").read_text(encoding="utf-8"))
    ranks = {r["org"]: r["rank"] for r in api["variants"]["monthly"]}
    overall_row = page.eval_on_selector_all(
        "table.compare-scores tbody tr:first-child td", "ts => ts.map(t => t.getAttribute('data-v'))"
    )
    assert [int(v) for v in overall_row] == [ranks[o] for o in chosen]
    charts = page.locator(".history-charts svg")
    assert charts.count() == 5
    for i in range(5):
        series = charts.nth(i).evaluate(
            "s => new Set(Array.from(s.querySelectorAll('circle.marker')).map(c => c.getAttribute('class'))).size"
        )
        assert series == 3
    assert page.locator("table.compare-metrics tbody tr").count() > 40
    # Only a short status is live (announced on every change), not the whole comparison.
    live = page.eval_on_selector_all("[aria-live]", "es => es.map(e => [e.id, e.textContent])")
    assert ("compare-status", "Comparing BAAI, Meta and Google.") in [tuple(x) for x in live]
    assert all(len(text) < 200 for _, text in live) and "comparison" not in [i for i, _ in live]
    # Picking a fourth updates the shareable URL; a fifth cannot be picked.
    page.check('input[data-pick][value="Ali"]')
    assert "orgs=BAAI,Meta,Google,Ali" in page.url
    assert page.inner_text("#compare-status") == "Comparing BAAI, Meta, Google and Ali (at most 4)."
    assert page.locator("input[data-pick]:disabled").count() == page.locator("input[data-pick]").count() - 4


def test_a_download_link_returns_the_file(archive_site, page, tmp_path):
    latest, _ = _latest(archive_site)
    page.goto((archive_site / f"model-{latest}.html").as_uri())
    link = page.locator('section[data-variant="monthly"] p.downloads a:has-text("ranking CSV")')
    href = link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "model-rank.csv"
    download.value.save_as(saved)
    assert saved.read_bytes() == (archive_site / href).read_bytes()
    frame = pl.read_csv(saved)
    table_ranks = dict(zip(_visible(page, "org"), map(int, _visible(page, "rank")), strict=True))
    assert dict(zip(frame["org"], frame["rank"], strict=True)) == table_ranks


PAGES = [
    "index.html",
    "overall-{first}.html",
    "data-{latest}.html",
    "model-{latest}.html",
    "system-{latest}.html",
    "benchmark-{latest}.html",
    "compare-{latest}.html#orgs=BAAI,Meta,Google",
    "method.html",
    "quality-{latest}.html",
    "open-data-{latest}.html",
    "org/BAAI.html",
    "org/ShanghaiAILab-{first}.html",
]


@pytest.mark.parametrize("width", [390, 1600])
def test_every_page_fits_the_viewport_and_is_screenshotted(archive_site, page, width):
    latest, months = _latest(archive_site)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    for name in PAGES:
        address = name.format(first=months[0], latest=latest)
        path, _, fragment = address.partition("#")
        page.goto((archive_site / path).as_uri() + (f"#{fragment}" if fragment else ""))
        scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll[0] <= scroll[1], f"{address} at {width} px scrolls sideways: {scroll}"
        stem = path.replace("/", "_").removesuffix(".html")
        page.screenshot(path=str(SCREENSHOTS / f"{stem}-{width}.png"), full_page=True)
    # A wide table scrolls inside its box, with rank and organisation staying in view.
    page.goto((archive_site / f"model-{latest}.html").as_uri())
    org = page.locator(f"{TABLE} tbody tr:first-child td.sticky-2")
    before = org.bounding_box()["x"]
    page.eval_on_selector('section[data-variant="monthly"] .table-wrap', "w => { w.scrollLeft = 400; }")
    assert org.bounding_box()["x"] == pytest.approx(before, abs=1)
    if width == 390:
        assert page.eval_on_selector(
            'section[data-variant="monthly"] .table-wrap', "w => w.scrollWidth > w.clientWidth"
        ), "the model table is wider than a phone: it scrolls inside its box"


def test_org_page_charts_and_platform_links(archive_site, page):
    latest, months = _latest(archive_site)
    page.goto((archive_site / "org" / "BAAI.html").as_uri())
    assert page.locator("#scores-chart svg rect.bar").count() == 5
    assert page.locator("#rank-chart svg polyline").count() >= 5
    box = page.locator("#rank-chart svg").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert page.locator('#models ~ div a[href^="https://"]').count() > 0, "platform links behind the numbers"
    page.select_option("select.month-select", f"BAAI-{months[0]}.html")
    page.wait_for_url(f"**/org/BAAI-{months[0]}.html*")
    assert page.inner_text("h1") == f"BAAI · {months[0]}"


@pytest.mark.parametrize("width", [390, 1600])
def test_a_month_with_gaps_says_so_on_its_overall_page(gap_site, page, width):
    """The gap is visible where the ranks are, the unranked dimension shows no ranks, and the note leads
    to the data-quality page's gaps."""
    from leaderboard_pipeline_tests.site.conftest import GAP_MONTH

    page.set_viewport_size({"width": width, "height": 900})
    page.goto((gap_site / f"overall-{GAP_MONTH}.html").as_uri())
    note = page.locator('main .gap-note[role="note"]').first
    assert note.is_visible()
    text = " ".join(note.inner_text().split())
    assert f"{GAP_MONTH} is ranked with gaps" in text
    assert "Hugging Face was not collected" in text and "OpenDataLab was not collected" in text
    assert f"The model dimension is not ranked in {GAP_MONTH}" in text
    assert set(_visible(page, "rank:model")) == {""}, "no model rank in a month the model is not ranked"
    assert all(int(r) >= 1 for r in _visible(page, "rank:data"))
    scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll[0] <= scroll[1], f"the gap note makes the page scroll sideways at {width} px: {scroll}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"overall-gaps-{width}.png"), full_page=True)
    note.locator("a", has_text="data quality").click()
    page.wait_for_url(f"**/quality-{GAP_MONTH}.html#gaps")
    assert page.locator("#gaps").is_visible()
    # the month before has every source: no note
    page.goto((gap_site / "overall-2025-02.html").as_uri())
    assert page.locator("main .gap-note").count() == 0


@pytest.mark.parametrize("width", [390, 1600])
def test_axe_finds_no_wcag_a_or_aa_violation(archive_site, page, width):
    """axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules (target size, contrast, names, scrollable
    regions, ...) on the six audited pages, on a phone and on a wide screen."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run leaderboard_pipeline_tests/site/ensure_axe.sh (make browser)")
    script = AXE.read_text(encoding="utf-8")
    latest, _ = _latest(archive_site)
    page.set_viewport_size({"width": width, "height": 900})
    found, checked = [], 0
    for address in AUDITED:
        _open(page, archive_site, address.format(latest=latest))
        page.add_script_tag(content=script)
        # preload off: axe would fetch the stylesheet again, which file:// pages may not do.
        result = page.evaluate(
            """tags => axe.run(document, {preload: false, runOnly: {type: 'tag', values: tags}})
                .then(r => ({passes: r.passes.length, violations: r.violations.map(v =>
                    `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0].target.join(' ')}`)}))""",
            AXE_TAGS,
        )
        checked += result["passes"]
        found += [f"{address}: {v}" for v in result["violations"]]
    assert not found, f"axe at {width} px: {found}"
    assert checked > 60, "axe ran its rules"


def test_the_keyboard_reaches_a_skip_link_and_sort_buttons(archive_site, page):
    page.goto((archive_site / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.is_visible("a.skip") and page.locator("a.skip").bounding_box()["y"] >= 0, "shown when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), "past the site navigation"
    # A sort control is a button inside its header: Enter and Space sort, aria-sort follows.
    names = _visible(page, "org")
    page.focus(f'{TABLE} th[data-key="org"] button')
    page.keyboard.press("Enter")
    assert _visible(page, "org") == sorted(names, key=str.lower)
    page.keyboard.press(" ")
    assert _visible(page, "org") == sorted(names, key=str.lower, reverse=True)
    assert page.get_attribute(f'{TABLE} th[data-key="org"]', "aria-sort") == "descending"


def _tops(page) -> dict[str, float]:
    """Document position of every block of the page the reader sees in the first screen."""
    return page.evaluate(
        """() => {
            const out = {};
            document.querySelectorAll('main > *, main section > *, footer').forEach((el, i) => {
                const box = el.getBoundingClientRect();
                if (box.height && box.top + scrollY < innerHeight) out[i + ' ' + el.tagName + '.' + el.className] = box.top + scrollY;
            });
            return out;
        }"""
    )


@pytest.mark.parametrize("width", [390, 1600])
def test_nothing_moves_when_the_script_runs(archive_site, page, width, tmp_path):
    """What the first paint shows (before the deferred site.js runs) is laid out as it is after: no
    variant hidden late, no control appearing late, compare's result filling space held for it (a
    layout shift, Lighthouse's CLS). The page is opened once without site.js and once with it."""
    latest, _ = _latest(archive_site)
    page.set_viewport_size({"width": width, "height": 800})
    pages = [
        "index.html",
        "model-{latest}.html",
        "model-{latest}.html#v=accumulated",
        "system-{latest}.html#v=accumulated",
        "compare-{latest}.html#orgs=BAAI,Meta,Google",
        "org/BAAI.html",
    ]
    moved = []
    for address in pages:
        path = address.format(latest=latest).partition("#")[0]
        fragment = address.partition("#")[2]
        for variant in ("with", "without"):
            copy = tmp_path / variant
            if not copy.exists():
                shutil.copytree(archive_site / "assets", copy / "assets")
            html = (archive_site / path).read_text(encoding="utf-8")
            if variant == "without":
                html, n = re.subn(r'<script[^>]*src="[^"]*site\.js[^"]*"[^>]*></script>', "", html)
                assert n == 1
            (copy / path).parent.mkdir(parents=True, exist_ok=True)
            (copy / path).write_text(html, encoding="utf-8")
        _open(page, tmp_path / "without", path + (f"#{fragment}" if fragment else ""))
        before = _tops(page)
        _open(page, tmp_path / "with", path + (f"#{fragment}" if fragment else ""))
        after = _tops(page)
        assert before, address
        moved += [
            f"{address}: {key} {top:.0f} -> {after.get(key)}"
            for key, top in before.items()
            if after.get(key) is None or abs(after[key] - top) > 1
        ]
    assert not moved, f"at {width} px: {moved}"


def test_chart_text_stays_readable_on_a_360_px_phone(archive_site, page):
    """Charts scale down to fit the screen; their text must not shrink below 12 px with them."""
    latest, _ = _latest(archive_site)
    page.set_viewport_size({"width": 360, "height": 800})
    small, seen = [], 0
    for address in (
        "index.html",
        "model-{latest}.html",
        "org/BAAI.html",
        "compare-{latest}.html#orgs=BAAI,Meta,Google,Ali",
    ):
        _open(page, archive_site, address.format(latest=latest))
        sizes = page.evaluate(
            """() => Array.from(document.querySelectorAll('svg.chart text'))
                .filter(t => t.getClientRects().length)
                .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])"""
        )
        seen += len(sizes)
        small += [f"{address}: {text!r} at {size:.1f} px" for text, size in sizes if size < 11.9]
    assert seen > 100 and not small, small[:10]


def test_no_text_is_smaller_than_12_px_on_a_phone(archive_site, page):
    latest, _ = _latest(archive_site)
    page.set_viewport_size({"width": 390, "height": 900})
    small = []
    for address in AUDITED:
        _open(page, archive_site, address.format(latest=latest))
        small += page.evaluate(
            """() => {
                const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode())) {
                    const el = node.parentElement;
                    if (!node.nodeValue.trim() || el.closest('svg') || !el.getClientRects().length) continue;
                    const size = parseFloat(getComputedStyle(el).fontSize);
                    if (size < 12) out.push(`${location.pathname.split('/').pop()}: ${el.tagName}.${el.className} "${node.nodeValue.trim().slice(0, 20)}" ${size} px`);
                }
                return out;
            }"""
        )
    assert not small, small[:10]
