"""The site of the full reference archive opens from disk: every internal link, stylesheet, script and
month-selector target resolves to a generated file (and every #fragment to an id on that page), and
nothing is fetched from the network."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.site.tables import load
from leaderboard_pipeline.warehouse import stored_months


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.ids: set[str] = set()
        self.referenced: set[str] = set()  # ids named by aria-describedby / aria-labelledby
        self.in_month_select = False  # only the month selector's options are pages; filters' are not

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for name in ("aria-describedby", "aria-labelledby"):
            self.referenced.update((attributes.get(name) or "").split())
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.links.append((f"{tag}.{name}", attributes[name]))
        if tag == "select":
            self.in_month_select = "month-select" in (attributes.get("class") or "")
        if tag == "option" and attributes.get("value") and self.in_month_select:
            self.links.append(("option.value", attributes["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.in_month_select = False


def _parse(path: Path) -> References:
    parser = References()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_reference_resolves(archive_site):
    pages = sorted(archive_site.rglob("*.html"))
    parsed = {p.resolve(): _parse(p) for p in pages}
    broken, remote_assets, checked = [], [], 0
    for page, refs in parsed.items():
        for attribute, value in refs.links:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                # Links out (platform pages, evidence) are fine; assets loaded from elsewhere are not.
                if attribute in ("link.href", "script.src", "img.src"):
                    remote_assets.append(f"{page.name}: {value}")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.is_file() or archive_site.resolve() not in target.parents:
                broken.append(f"{page.relative_to(archive_site.resolve())}: {value}")
            elif (
                parts.fragment
                and "=" not in parts.fragment  # page state (#orgs=..., #v=...), not an anchor
                and target.suffix == ".html"
                and parts.fragment not in parsed[target].ids
            ):
                broken.append(f"{page.relative_to(archive_site.resolve())}: {value} (no such id)")
        broken += [f"{page.name}: no element #{i} to describe or label" for i in refs.referenced - refs.ids]
    assert not broken, f"{len(broken)} broken references, e.g. {broken[:10]}"
    assert not remote_assets, remote_assets[:5]
    assert checked > 1000


def test_archive_site_covers_every_month_and_org(archive_site):
    warehouse = archive_site.parent / "archive.duckdb"
    months = stored_months(warehouse, "scores", "overall", settings.DEFAULT_PROFILE)
    assert len(months) >= 6
    tables = load(warehouse, load_profile(settings.DEFAULT_PROFILE))
    for month in months:
        for stem in (
            "overall",
            "data",
            "model",
            "system",
            "benchmark",
            "quality",
            "compare",
            "open-data",
        ):
            assert (archive_site / f"{stem}-{month}.html").is_file()
    # Every org has its latest page under its own spelling, and a page for every month it is ranked.
    pages = {p.stem for p in (archive_site / "org").glob("*.html")}
    expected = set(tables.slugs.values()) | {
        f"{tables.slugs[org]}-{m}" for org in tables.orgs() for m in tables.org_months(org)
    }
    assert pages == expected
    assert {"BAAI", "ShanghaiAILab", "Princeton-NLP", f"BAAI-{months[0]}"} <= pages
    index = (archive_site / "index.html").read_text(encoding="utf-8")
    assert f"Overall ranking · {months[-1]}" in index
