"""The demo site in headless Chromium (Debian's /usr/bin/chromium via playwright; installed by
``ensure_chromium.sh``): one row per org, sorting, the variant toggle, the month selector, both charts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import sync_playwright

from leaderboard_pipeline import settings
from leaderboard_pipeline.warehouse import read_partitions

CHROMIUM = Path("/usr/bin/chromium")
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


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} missing: run leaderboard_pipeline_tests/site/ensure_chromium.sh first")
    profile_dir = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir per run
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # Anything but file:// is a network request the site must not make.
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file://") else None)
        yield page, errors, requests
        context.close()


def _column(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"{table} tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent.trim())"
    )


def test_demo_site_in_chromium(demo_site, demo_warehouse, browser_page, tmp_path):
    page, errors, requests = browser_page
    shots: list[Path] = []

    def shot(name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    overall = read_partitions(
        demo_warehouse, "scores", "overall", None, settings.DEFAULT_PROFILE, read_only=True
    )
    latest = overall["month"].max()
    orgs = overall.filter((pl.col("month") == latest) & (pl.col("variant") == "monthly"))["org"]

    page.goto((demo_site / "index.html").as_uri())
    table = 'section[data-variant="monthly"] table'
    assert page.is_visible(table)
    assert not page.is_visible('section[data-variant="accumulated"] table')
    names = _column(page, table, 2)
    assert sorted(names) == sorted(orgs.to_list()), "one row per ranked org"
    assert _column(page, table, 0) == sorted(_column(page, table, 0), key=int), "ranked order first"
    shot("overall")

    # Sorting by a column reorders the rows: organisation name, A to Z, then Z to A.
    page.click(f'{table} th:has-text("Organisation")')
    ascending = _column(page, table, 2)
    assert ascending == sorted(names, key=str.lower) and ascending != names
    page.click(f'{table} th:has-text("Organisation")')
    assert _column(page, table, 2) == sorted(names, key=str.lower, reverse=True)
    page.click(f'{table} th:has-text("Model score")')
    model_scores = [float(v) for v in _column(page, table, 7)]
    assert model_scores == sorted(model_scores, reverse=True)
    shot("overall-sorted-by-model-score")

    # The toggle swaps monthly for accumulated; the month selector loads another month's page.
    page.click('.toggle button[data-variant="accumulated"]')
    assert page.is_visible('section[data-variant="accumulated"] table')
    assert not page.is_visible(table)
    earlier = sorted(overall["month"].unique().to_list())[0]
    page.select_option("select.month-select", f"overall-{earlier}.html")
    page.wait_for_url(f"**/overall-{earlier}.html#accumulated")
    assert page.is_visible('section[data-variant="accumulated"] table'), (
        "the variant survives the month switch"
    )
    shot("overall-earlier-month-accumulated")

    # An organisation page: both charts drawn, with a bar per dimension and a line per ranking.
    page.goto((demo_site / "index.html").as_uri())
    top = _column(page, table, 2)[0]
    page.click(f'{table} a:has-text("{top}")')
    page.wait_for_selector("#scores-chart svg")
    assert page.is_visible("#scores-chart svg") and page.is_visible("#rank-chart svg")
    assert page.locator("#scores-chart svg rect.bar").count() == 5
    assert page.locator("#rank-chart svg polyline").count() >= 5
    box = page.locator("#rank-chart svg").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert page.locator('a[href^="https://"]').count() > 0, "platform links behind the numbers"
    shot(f"org-{top}")

    for name in ("method.html", f"quality-{latest}.html", f"model-{latest}.html"):
        page.goto((demo_site / name).as_uri())
        shot(name.removesuffix(".html"))

    assert not errors, f"script errors: {errors}"
    assert not requests, f"network requests: {requests}"
    print("\nscreenshots:\n" + "\n".join(f"  {p}" for p in shots))
