"""CSV and Parquet downloads of every table of every month, written by ``exports.export_month`` (the same
files ``leaderboard export`` writes), and the page that lists them with the JSON API."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from leaderboard_pipeline.site.exports import export_month
from leaderboard_pipeline.site.layout import cell, e, month_select, table, text_columns
from leaderboard_pipeline.site.tables import ACCUMULATED, SiteTables

FORMATS = ("csv", "parquet")
FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet"}
DOWNLOADS = "downloads"


def write_downloads(tables: SiteTables, out: Path) -> dict[str, list[Path]]:
    """month -> every file written under ``downloads/<month>/``, in both formats."""
    frames = {
        **{("scores", "overall"): tables.overall},
        **{("scores", f"{d}_rank"): f for d, f in tables.ranks.items()},
        **{("scores", f"{d}_normalised"): f for d, f in tables.normalised.items()},
        **{("metrics", d): f for d, f in tables.metrics.items()},
    }
    by_month = {key: frame.partition_by("month", as_dict=True) for key, frame in frames.items()}
    written: dict[str, list[Path]] = {}
    for month in tables.months:

        def read(schema: str, name: str, month: str = month) -> pl.DataFrame | None:
            parts = by_month.get((schema, name))
            if parts is None:
                return None
            return parts.get((month,), frames[(schema, name)].clear())

        folder = out / DOWNLOADS / month
        written[month] = [p for fmt in FORMATS for p in export_month(read, tables.profile, folder, fmt)]
    return written


def ranking_stem(tables: SiteTables, ranking: str, variant: str) -> str | None:
    """The export file stem of a ranking (``model-rank``, ``infra-rank``, ``data-accumulated-rank``)."""
    if variant == "accumulated" and ranking not in (*ACCUMULATED, "overall"):
        return None
    name = tables.profile.export_files.get(ranking, ranking)
    return f"{name}-{'rank' if variant == 'monthly' else 'accumulated-rank'}"


def summary_stem(tables: SiteTables, dimension: str) -> str:
    return f"{tables.profile.export_files.get(dimension, dimension)}-summary"


def file_links(month: str, stem: str, depth: int = 0) -> list[tuple[str, str]]:
    up = "../" * depth
    return [(FORMAT_NAMES[fmt], f"{up}{DOWNLOADS}/{month}/{stem}.{fmt}") for fmt in FORMATS]


def open_data_page(tables: SiteTables, month: str, files: list[Path], out: Path) -> str:
    """Every download of the month, the JSON API files and where their schemas are."""
    by_stem: dict[str, dict[str, Path]] = {}
    for path in files:
        stem = str(path.relative_to(out / DOWNLOADS / month).with_suffix(""))
        by_stem.setdefault(stem, {})[path.suffix.lstrip(".")] = path
    rows = []
    for stem in sorted(by_stem, key=lambda s: (s.startswith("tables/"), s)):
        paths = by_stem[stem]
        links = " · ".join(
            f'<a href="{e(paths[fmt].relative_to(out).as_posix())}">{FORMAT_NAMES[fmt]}</a> '
            f'<span class="muted">{paths[fmt].stat().st_size / 1024:.1f} kB</span>'
            for fmt in FORMATS
            if fmt in paths
        )
        what = "stored table (long, both variants)" if stem.startswith("tables/") else "published layout"
        rows.append(cell(stem, text=True) + cell(what, text=True) + f'<td class="text">{links}</td>')
    api = [
        ("api/v1/index.json", "months, rankings, profile, source, generated-at, code version", "index"),
        *(
            (f"api/v1/{month}/{r}.json", f"the {r} ranking of {month} with its metrics", "ranking")
            for r in ("overall", *tables.profile.dimensions)
        ),
        ("api/v1/orgs/<org>.json", "every score and rank of one organisation, every month", "org"),
    ]
    api_rows = [
        cell(path, e(path) if "<" in path else f'<a href="{e(path)}">{e(path)}</a>', text=True)
        + cell(what, text=True)
        + f'<td class="text"><a href="api/v1/schema/{schema}.json">{schema}.json</a></td>'
        for path, what, schema in api
    ]
    return (
        f"<h1>Open data · {e(month)}</h1>"
        '<p class="lead">Everything on these pages as files: the rankings and metric tables of the month as '
        "CSV and Parquet (the same files <code>leaderboard export</code> writes), and a versioned JSON API "
        "with a JSON Schema per file for badges, dashboards and papers. Unknown values are empty cells "
        "(CSV) or <code>null</code> (JSON), never 0.</p>"
        f'<div class="controls">{month_select(tables.months, month, "open-data")}</div>'
        "<h2>Downloads</h2>"
        + table(text_columns("File", "Layout", "Download"), rows, css="plain", label=f"downloads of {month}")
        + "<h2>JSON API (v1)</h2>"
        + table(
            text_columns("File", "Content", "Schema"),
            api_rows,
            css="plain",
            label="JSON API files",
        )
        + '<p class="muted">Documented with examples in <code>docs/site.md</code> of the pipeline. '
        "Within v1 fields are only ever added (the schemas with them); a field that changes meaning or "
        "disappears starts v2.</p>"
    )
