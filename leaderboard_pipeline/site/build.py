"""``build_site``: write every page, download and API file of the static site from one warehouse."""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.contract.untrusted import clean_text
from leaderboard_pipeline.site import descriptions as describe
from leaderboard_pipeline.site.api import write_api
from leaderboard_pipeline.site.candidates_page import candidates_page
from leaderboard_pipeline.site.checks import month_outcomes
from leaderboard_pipeline.site.compare_page import compare_page
from leaderboard_pipeline.site.layout import Frame, page
from leaderboard_pipeline.site.method_page import method_page
from leaderboard_pipeline.site.open_data import open_data_page, write_downloads
from leaderboard_pipeline.site.org_page import OrgData, org_page
from leaderboard_pipeline.site.quality_page import quality_page
from leaderboard_pipeline.site.rankings import dimension_page, overall_page
from leaderboard_pipeline.site.tables import load

# The site's own stylesheet, script and icon, package files copied as they are (no CDN, no framework:
# the site must open from disk).
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
ASSETS = ("site.css", "site.js", "favicon.svg")


def asset_versions() -> dict[str, str]:
    """asset -> the first 10 hex digits of its sha256: pages link ``assets/site.css?v=<that>``, so a
    changed file gets a new address and hosts can let browsers keep assets a year (docs/site.md)."""
    return {a: hashlib.sha256((ASSETS_DIR / a).read_bytes()).hexdigest()[:10] for a in ASSETS}


@dataclass(frozen=True)
class SiteReport:
    index: Path
    pages: int
    bytes: int
    seconds: float
    files: int = 0  # every file written: pages, assets, downloads, API


def build_site(warehouse: Path, profile: Profile, out: Path, source: str | None = None) -> SiteReport:
    """Render the site into ``out`` (emptied first, so no file of an older build lingers).

    ``source`` (demo | archive | live) is shown on every page and in the API; without it the site says
    what the stored snapshot manifests say.
    """
    started = time.perf_counter()
    tables = load(Path(warehouse), profile, source)
    now = datetime.now(UTC)
    frame = Frame(tables.source, profile.name, now.strftime("%Y-%m-%d %H:%M UTC"), asset_versions())
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    (out / "org").mkdir()
    for asset in ASSETS:
        shutil.copyfile(ASSETS_DIR / asset, out / "assets" / asset)
    count = 0

    def write(path: str, title: str, body: str, month: str, current: str, description: str = "") -> None:
        nonlocal count
        html = page(
            title,
            body,
            depth=path.count("/"),
            month=month,
            current=current,
            frame=frame,
            description=description,
        )
        # every page, whatever helper wrote a value into it: no control or bidi-override characters
        (out / path).write_text(clean_text(html), encoding="utf-8")
        count += 1

    latest = tables.latest
    checks = month_outcomes(Path(warehouse), profile, tables.months)
    files = write_downloads(tables, out)
    for month in tables.months:
        overall = overall_page(tables, month)
        summary = describe.overall(tables, month)
        write(f"overall-{month}.html", f"Overall {month}", overall, month, "overall", summary)
        if month == latest:
            write("index.html", f"Overall {month}", overall, month, "overall", summary)
        for dim in DIMENSIONS:
            write(
                f"{dim}-{month}.html",
                f"{dim.title()} {month}",
                dimension_page(tables, dim, month),
                month,
                dim,
                describe.dimension(tables, dim, month),
            )
        write(
            f"quality-{month}.html",
            f"Data quality {month}",
            quality_page(tables, month, checks[month]),
            month,
            "quality",
            describe.quality(tables, month),
        )
        write(
            f"compare-{month}.html",
            f"Compare {month}",
            compare_page(tables, month),
            month,
            "compare",
            describe.compare(tables, month),
        )
        write(
            f"open-data-{month}.html",
            f"Open data {month}",
            open_data_page(tables, month, files[month], out),
            month,
            "open-data",
            describe.open_data(tables, month),
        )
        write(
            f"candidates-{month}.html",
            f"Candidates {month}",
            candidates_page(tables, month),
            month,
            "candidates",
        )
    write("method.html", "Method", method_page(tables), latest, "method", describe.method(tables))
    data = OrgData(tables)
    ranks_of = describe.org_ranks(tables)
    for org in tables.orgs():
        slug = tables.slugs[org]
        months = tables.org_months(org)
        for month in months:
            body = org_page(data, org, month)
            summary = describe.org(tables, org, month, ranks_of)
            write(f"org/{slug}-{month}.html", f"{org} {month}", body, month, "", summary)
            if month == months[-1]:
                write(f"org/{slug}.html", org, body, month, "", summary)
    write_api(tables, out, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    written = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in written)
    return SiteReport(out / "index.html", count, size, time.perf_counter() - started, len(written))
