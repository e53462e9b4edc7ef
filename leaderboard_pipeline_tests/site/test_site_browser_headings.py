"""Headings on a phone (390 px, Debian's Chromium via playwright as in test_site_browser.py): a heading
may wrap, but never inside its month (`Compare organisations · 2025-` / `08`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from leaderboard_pipeline_tests.site.test_site_browser import CHROMIUM, CHROMIUM_ARGS

# The top of each character of the month in the page's h1 (one value: the month is on one line).
MONTH_LINES = """(month) => {
    const h = document.querySelector('h1');
    const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (let i = 0; i < n.length; i++) chars.push([n, i]);
    }
    const text = chars.map(([n, i]) => n.data[i]).join('');
    const at = text.lastIndexOf(month);
    const range = document.createRange();
    const tops = new Set();
    for (const [n, i] of chars.slice(at, at + month.length)) {
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        tops.add(Math.round(range.getClientRects()[0].top));
    }
    return [at, tops.size, h.getClientRects().length ? h.getBoundingClientRect().height : 0];
}"""


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} missing: run leaderboard_pipeline_tests/site/ensure_chromium.sh first")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-headings")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 390, "height": 800},
        )
        tab = context.new_page()
        yield tab
        context.close()


def test_no_heading_breaks_inside_its_month_on_a_phone(archive_site, phone):
    months = sorted(p.stem.removeprefix("compare-") for p in archive_site.glob("compare-*.html"))
    longest = max((p for p in (archive_site / "org").glob(f"*-{months[-1]}.html")), key=lambda p: len(p.name))
    pages = [
        *(f"compare-{m}.html" for m in months),
        f"quality-{months[-1]}.html",
        f"open-data-{months[-1]}.html",
        f"overall-{months[-1]}.html",
        f"org/{longest.name}",
    ]
    wrapped = 0
    for name in pages:
        month = next(m for m in months if m in name)
        phone.goto((archive_site / name).as_uri())
        at, lines, height = phone.evaluate(MONTH_LINES, month)
        assert at >= 0, f"{name}: no {month} in the heading"
        assert lines == 1, f"{name}: the heading breaks inside {month}"
        wrapped += height > 40  # the heading did wrap (before the month): the case that broke
    assert wrapped > 0, "no heading wraps at 390 px: the test would prove nothing"
