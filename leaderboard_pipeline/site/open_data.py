"""CSV and Parquet downloads of every table of every month, written by ``exports.export_month`` (the same
files ``leaderboard export`` writes), and the page that lists them with the JSON API."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from leaderboard_pipeline.contract.months import previous_month
from leaderboard_pipeline.site.exports import export_all_months, export_month
from leaderboard_pipeline.site.layout import cell, e, month_select, table, text_columns
from leaderboard_pipeline.site.tables import ACCUMULATED, SiteTables

FORMATS = ("csv", "parquet")
FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet"}
DOWNLOADS = "downloads"
ALL_MONTHS = "all-months"  # downloads/all-months/: every month at once, one file per ranking and summary


def write_downloads(tables: SiteTables, out: Path) -> dict[str, list[Path]]:
    """month -> every file written under ``downloads/<month>/``, in both formats; and every month at
    once under ``downloads/all-months/`` (key ``ALL_MONTHS``)."""
    frames = {
        **{("scores", "overall"): tables.overall},
        **{("scores", f"{d}_rank"): f for d, f in tables.ranks.items()},
        **{("scores", f"{d}_normalised"): f for d, f in tables.normalised.items()},
        **{("metrics", d): f for d, f in tables.metrics.items()},
        ("raw", "snapshot_manifest"): tables.manifest,  # the hand inputs' text form (published layout)
    }
    by_month = {key: frame.partition_by("month", as_dict=True) for key, frame in frames.items()}

    def reader(month: str):
        def read(schema: str, name: str) -> pl.DataFrame | None:
            parts = by_month.get((schema, name))
            if parts is None:
                return None
            return parts.get((month,), frames[(schema, name)].clear())

        return read

    written: dict[str, list[Path]] = {}
    for month in tables.months:
        read, previous = reader(month), reader(previous_month(month))
        folder = out / DOWNLOADS / month
        written[month] = [
            p for fmt in FORMATS for p in export_month(read, tables.profile, folder, fmt, previous)
        ]
    reads = {month: reader(month) for month in tables.months}
    written[ALL_MONTHS] = [
        p
        for fmt in FORMATS
        for p in export_all_months(reads, tables.profile, out / DOWNLOADS / ALL_MONTHS, fmt)
    ]
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


def _by_stem(files: list[Path], folder: Path) -> dict[str, dict[str, Path]]:
    by_stem: dict[str, dict[str, Path]] = {}
    for path in files:
        stem = str(path.relative_to(folder).with_suffix("").as_posix())
        by_stem.setdefault(stem, {})[path.suffix.lstrip(".")] = path
    return by_stem


def _links(paths: dict[str, Path], out: Path) -> str:
    return " · ".join(
        f'<a href="{e(paths[fmt].relative_to(out).as_posix())}">{FORMAT_NAMES[fmt]}</a> '
        f'<span class="muted">{paths[fmt].stat().st_size / 1024:.1f} kB</span>'
        for fmt in FORMATS
        if fmt in paths
    )


def open_data_page(tables: SiteTables, month: str, files: list[Path], out: Path) -> str:
    """Every download of the month, every month at once, the JSON API files and where their schemas are."""
    by_stem = _by_stem(files, out / DOWNLOADS / month)
    rows = []
    for stem in sorted(by_stem, key=lambda s: (s.startswith("tables/"), s)):
        what = (
            "stored table (long, both variants)"
            if stem.startswith("tables/")
            else "what the month's ranks are missing (no rows: nothing)"
            if stem == "gaps"
            else "published layout"
        )
        rows.append(
            cell(stem, text=True)
            + cell(what, text=True)
            + f'<td class="text">{_links(by_stem[stem], out)}</td>'
        )
    every = out / DOWNLOADS / ALL_MONTHS
    all_stems = _by_stem([p for p in every.glob("*") if p.is_file()], every) if every.is_dir() else {}
    span = f"{tables.months[0]} … {tables.months[-1]}" if len(tables.months) > 1 else tables.months[0]
    all_rows = [
        cell(stem, text=True)
        + cell(span, text=True)
        + f'<td class="text">{_links(all_stems[stem], out)}</td>'
        for stem in sorted(all_stems)
    ]
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
        f'<h1>Open data · <span class="month">{e(month)}</span></h1>'
        '<p class="lead">Everything on these pages as files: the rankings and metric tables of the month as '
        "CSV and Parquet (the same files <code>leaderboard export</code> writes), "
        '<a href="#all-months">every month at once</a>, and a versioned JSON API '
        "with a JSON Schema per file for badges, dashboards and papers. Unknown values are empty cells "
        "(CSV) or <code>null</code> (JSON), never 0.</p>"
        f'<div class="controls">{month_select(tables.months, month, "open-data")}</div>'
        "<h2>Downloads</h2>"
        + table(text_columns("File", "Layout", "Download"), rows, css="plain", label=f"downloads of {month}")
        + '<h2 id="all-months">Every month at once</h2>'
        + '<p class="muted">One file per ranking and per summary with every month, a <code>month</code> '
        "column first, months oldest first and each month's rows in its own file's order; a column a month "
        "does not have (a metric added later, the first month's delta rank) is empty there.</p>"
        + table(
            text_columns("File", "Months", "Download"),
            all_rows,
            css="plain",
            label="downloads of every month",
        )
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
