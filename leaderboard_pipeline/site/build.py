"""``build_site``: write every page of the static site from one warehouse and profile."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from leaderboard_pipeline.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.site import pages
from leaderboard_pipeline.site.checks import month_outcomes
from leaderboard_pipeline.site.layout import page
from leaderboard_pipeline.site.static import CSS, JS
from leaderboard_pipeline.site.tables import load


@dataclass(frozen=True)
class SiteReport:
    index: Path
    pages: int
    bytes: int
    seconds: float


def build_site(warehouse: Path, profile: Profile, out: Path) -> SiteReport:
    """Render the site into ``out`` (emptied first, so no page of an older build lingers)."""
    started = time.perf_counter()
    tables = load(Path(warehouse), profile)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC") + f", profile {profile.name}"
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    (out / "org").mkdir()
    (out / "assets" / "site.css").write_text(CSS.lstrip(), encoding="utf-8")
    (out / "assets" / "site.js").write_text(JS.lstrip(), encoding="utf-8")
    count = 0

    def write(path: str, title: str, body: str, month: str, current: str) -> None:
        nonlocal count
        depth = path.count("/")
        html = page(title, body, depth=depth, month=month, current=current, generated=generated)
        (out / path).write_text(html, encoding="utf-8")
        count += 1

    latest = tables.latest
    checks = month_outcomes(Path(warehouse), profile, tables.months)
    for month in tables.months:
        overall = pages.overall_page(tables, month)
        write(f"overall-{month}.html", f"Overall {month}", overall, month, "overall")
        if month == latest:
            write("index.html", f"Overall {month}", overall, month, "overall")
        for dim in DIMENSIONS:
            write(
                f"{dim}-{month}.html",
                f"{dim.title()} {month}",
                pages.dimension_page(tables, dim, month),
                month,
                dim,
            )
        write(
            f"quality-{month}.html",
            f"Data quality {month}",
            pages.quality_page(tables, month, checks[month]),
            month,
            "quality",
        )
    write("method.html", "Method", pages.method_page(tables), latest, "method")
    for org in tables.orgs():
        write(f"org/{tables.slugs[org]}.html", org, pages.org_page(tables, org), latest, "")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return SiteReport(out / "index.html", count, size, time.perf_counter() - started)
