"""The data-quality page of a month: gaps (platforms recorded missing), hand-input values carried forward
unreviewed, anomalies, and every check of every layer recomputed over the stored tables."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.metric_catalog import SOURCE_NAMES
from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.core.quality import Outcome
from leaderboard_pipeline.site.checks import new_orgs, rank_moves
from leaderboard_pipeline.site.layout import Column, cell, e, month_select, table, text_columns
from leaderboard_pipeline.site.tables import SiteTables, org_href


def _org_link(tables: SiteTables, org: str, month: str, anchor: str = "") -> str:
    if month not in tables.org_months(org):
        return e(org)
    return f'<a href="{e(org_href(tables, org, month))}{e(anchor)}">{e(org)}</a>'


def _gaps(tables: SiteTables, month: str) -> str:
    gaps = tables.gap_platforms(month)
    if not gaps:
        return (
            '<p class="muted">No platform is recorded missing this month: every number has all of its '
            "sources.</p>"
        )
    rows = []
    for platform, detail in gaps.items():
        affected = []
        for dim in DIMENSIONS:
            columns = (
                tables.normalised[dim].filter(pl.col("month") == month)["metric"].unique(maintain_order=True)
            )
            hit = [
                tables.metric(dim, c).label for c in columns if platform in tables.metric(dim, c).platforms()
            ]
            if hit:
                affected.append(f"{dim}: {', '.join(hit)}")
        rows.append(
            cell(SOURCE_NAMES.get(platform, platform), text=True)
            + cell(detail or "–", text=True, css="wrap")
            + cell("; ".join(affected) or "no scored metric", text=True, css="wrap")
        )
    return (
        "<p>These platforms could not be collected and the month was allowed to go without them. The numbers "
        "they feed lack that platform's share this month (marked † in the tables); a later run with the "
        "platform back replaces the month.</p>"
        + table(
            text_columns("Platform", "Why", "Numbers missing its share"),
            rows,
            css="plain",
            label=f"platforms missing in {month}",
        )
    )


def _carried(tables: SiteTables, month: str) -> str:
    carried = tables.evidence.filter((pl.col("month") == month) & pl.col("carried_from").is_not_null())
    if carried.is_empty():
        return ""
    items = []
    for r in carried.sort("org", "dimension", "metric").iter_rows(named=True):
        anchor = "#" + r["dimension"] + "-" + r["metric"]
        items.append(
            f"<li>{_org_link(tables, r['org'], month, anchor)} "
            f"{e(tables.metric(r['dimension'], r['metric']).label)} ({e(r['dimension'])}): carried forward "
            f"from {e(r['carried_from'])}</li>"
        )
    return (
        f"<h2>Hand inputs not yet reviewed</h2><p>{carried.height} value(s) were carried forward from an "
        f"earlier month and nobody has confirmed them for {e(month)} yet.</p><ul>{''.join(items)}</ul>"
    )


def read_from(location: str | None) -> str:
    """Where a manifest row was read from, as a reader can tell rows apart: a URL as it is, a file or
    folder by its last two path parts (``2025-03-07/infra-evidence.csv``, ``HuggingFace/raw-models-info.jsonl``):
    a table read from several files (the evidence of system and benchmark) has one row per file. The
    rest of a local path says nothing to a reader of the site and is not published."""
    if not location:
        return "–"
    if "://" in location:
        return location
    parts = [p for p in location.replace("\\", "/").split("/") if p]
    return "/".join(parts[-2:]) or location


def _manifest(tables: SiteTables, month: str) -> str:
    """What the month's snapshot was read or fetched from (raw.snapshot_manifest): one row per table
    and file (or platform)."""
    rows = tables.manifest.filter(pl.col("month") == month).sort("table", "source", "location")
    if rows.is_empty():
        return '<p class="muted">No snapshot manifest is stored for this month.</p>'
    body = [
        cell(r["table"], text=True)
        + cell(r["source"], text=True)
        + cell(read_from(r["location"]), text=True, css="wrap")
        + (
            cell(r["status"], '<span class="warn">missing</span>', text=True)
            if r["status"] == "missing"
            else cell(r["status"] or "ok", text=True)
        )
        + cell(r["rows"])
        + cell(r["requests"])
        + cell(r["failures"])
        + cell(r["detail"] or "", text=True, css="wrap")
        + cell(r["sha256"], f"<code>{e((r['sha256'] or '')[:12])}</code>", text=True)
        for r in rows.iter_rows(named=True)
    ]
    columns = [
        Column("Table", numeric=False),
        Column("Source", numeric=False),
        Column("Read from", numeric=False),
        Column("Status", numeric=False),
        Column("Rows"),
        Column("Requests"),
        Column("Failures"),
        Column("Detail", numeric=False),
        Column("sha256", numeric=False),
    ]
    return table(columns, body, label=f"snapshot manifest of {month}")


def quality_page(tables: SiteTables, month: str, outcomes: list[tuple[str, Outcome]]) -> str:
    failed_blocking = [o for _, o in outcomes if o.blocking and not o.passed]
    warnings = [(layer, o) for layer, o in outcomes if not o.blocking and not o.passed]
    rows = []
    for layer, o in sorted(outcomes, key=lambda lo: (lo[1].passed, lo[0], lo[1].table, lo[1].name)):
        status = (
            '<span class="pass">pass</span>'
            if o.passed
            else '<span class="fail">fail</span>'
            if o.blocking
            else '<span class="warn">warn</span>'
        )
        detail = "; ".join(f"{k}={v}" for k, v in o.metadata.items() if k != "failure_sample")
        rows.append(
            f'<td class="text" data-v="{int(o.passed)}">{status}</td>'
            + cell(layer, text=True)
            + cell(o.table, text=True)
            + cell(o.name, text=True)
            + cell("blocking" if o.blocking else "warning", text=True)
            + cell(detail, text=True, css="wrap")
        )
    index = tables.months.index(month)
    previous = tables.months[index - 1] if index else None
    moves = rank_moves(tables.overall, month)
    arrivals = new_orgs(tables.overall, month, previous)
    anomalies = [
        f"<li><strong>{e(layer)}.{e(o.table)}</strong> {e(o.name)}: "
        + e(", ".join(f"{k}={v}" for k, v in o.metadata.items() if k != "failure_sample"))
        + "</li>"
        for layer, o in warnings
    ]
    anomalies += [
        f"<li>{_org_link(tables, r['org'], month)} moved {'up' if r['delta_rank'] > 0 else 'down'} "
        f"{abs(r['delta_rank'])} places to overall rank {r['rank']}</li>"
        for r in moves.iter_rows(named=True)
    ]
    anomalies += [
        f"<li>{_org_link(tables, org, month)} is ranked for the first time since {e(previous)}</li>"
        for org in arrivals
    ]
    summary = (
        f"{len(outcomes)} checks: {sum(o.passed for _, o in outcomes)} passed, "
        f"{len(warnings)} warnings, {len(failed_blocking)} blocking failures"
    )
    return (
        f'<h1>Data quality · <span class="month">{e(month)}</span></h1>'
        f'<p class="lead">The checks the pipeline runs on every layer, recomputed over the stored tables of '
        f"{e(month)}. {e(summary)}. Warnings report what the published data itself breaks; a blocking "
        "failure would have stopped the run before anything was written.</p>"
        f'<div class="controls">{month_select(tables.months, month, "quality")}</div>'
        '<h2 id="gaps">Gaps</h2>'
        + _gaps(tables, month)
        + _carried(tables, month)
        + "<h2>Anomalies</h2>"
        + (f"<ul>{''.join(anomalies)}</ul>" if anomalies else '<p class="muted">None this month.</p>')
        + '<h2 id="manifest">Snapshot manifest</h2>'
        + _manifest(tables, month)
        + "<h2>Check results</h2>"
        + table(
            text_columns("Status", "Layer", "Table", "Check", "Kind", "Details"),
            rows,
            label=f"check results of {month}",
        )
    )
