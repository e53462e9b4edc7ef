"""An organisation's page for one month: its ranks (with history), every metric value with where it
comes from (platform pages of the items, the evidence of hand inputs and curated values, the
data-quality page for gaps), and its top models and datasets."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.curated import DEFAULT_ORG
from leaderboard_pipeline.config.metric_catalog import SOURCE_NAMES
from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.contract.months import previous_month
from leaderboard_pipeline.site.charts import bar_chart, rank_chart
from leaderboard_pipeline.site.formatting import format_score, format_value, known_count
from leaderboard_pipeline.site.layout import (
    Column,
    Row,
    cell,
    downloads,
    e,
    grouped_rows,
    month_select,
    score_cell,
    table,
    text_columns,
    unknown_html,
    value_cell,
)
from leaderboard_pipeline.site.rankings import gap_banner, gap_notes
from leaderboard_pipeline.site.tables import ACCUMULATED, RANKINGS, SiteTables, category_of

ITEMS_SHOWN = 15


def _parts(frame: pl.DataFrame, keys: list[str]) -> dict[tuple, pl.DataFrame]:
    return frame.partition_by(keys, as_dict=True)


class OrgData:
    """The tables behind org pages split by (month, org) once, instead of filtered on every page."""

    def __init__(self, tables: SiteTables) -> None:
        self.tables = tables
        key = ["month", "org"]
        self.models = _parts(tables.models, key)
        self.datasets = _parts(tables.datasets, key)
        self.other = _parts(tables.other_datasets, key)
        # (month, org, dimension, metric) -> evidence rows; (month, dimension, metric) -> {org: curated row}
        self.evidence: dict[tuple, list[dict]] = {}
        for r in tables.evidence.iter_rows(named=True):
            self.evidence.setdefault((r["month"], r["org"], r["dimension"], r["metric"]), []).append(r)
        self.curated: dict[tuple, dict[str, dict]] = {}
        for r in tables.curated.iter_rows(named=True):
            self.curated.setdefault((r["month"], r["dimension"], r["metric"]), {})[r["org"]] = r
        self.normalised = {d: _parts(f, key) for d, f in tables.normalised.items()}
        self.history = {
            name: frame.filter(pl.col("variant") == "monthly")
            for name, frame in {"overall": tables.overall, **tables.ranks}.items()
        }

    def get(self, parts: dict[tuple, pl.DataFrame], *key: str) -> pl.DataFrame | None:
        return parts.get(tuple(key))


def _link(text: str | None) -> str:
    if not text:
        return ""
    if text.startswith(("https://", "http://")):
        return f'<a href="{e(text)}" rel="noopener">{e(text)}</a>'
    return e(text)


def _history(data: OrgData, org: str) -> dict[str, list[int | None]]:
    months = data.tables.months
    out = {}
    for name, frame in data.history.items():
        ranks = dict(frame.filter(pl.col("org") == org).select("month", "rank").iter_rows())
        out[name.title()] = [ranks.get(m) for m in months]
    return out


def _provenance(data: OrgData, org: str, month: str, dimension: str, metric: str) -> str:
    """Where a value comes from, as links: evidence of a hand input or curated value, the platform
    pages of the items (the tables below), and a gap when one of its platforms is missing."""
    tables = data.tables
    entry = tables.metric(dimension, metric)
    parts = []
    missing = tables.missing_sources(month, dimension, metric)
    if missing:
        names = ", ".join(SOURCE_NAMES.get(p, p) for p in missing)
        parts.append(
            f'<a class="gap" href="../quality-{e(month)}.html#gaps">{e(names)} missing this month</a>'
        )
    curated = data.curated.get((month, dimension, metric))
    if curated:
        row = curated.get(org) or curated.get(DEFAULT_ORG)
        if row is not None:
            default = "" if org in curated else " (the default for orgs not listed)"
            return " · ".join([*parts, f"curated{default}: {_link(row['evidence'])}"])
    if dimension in ("system", "benchmark"):
        rows = data.evidence.get((month, org, dimension, metric), [])
        if not rows:
            parts.append('hand input · <span class="muted">no evidence recorded</span>')
        for r in rows:
            text = "hand input"
            if r["url"]:
                text += f' · <a href="{e(r["url"])}" rel="noopener">evidence</a>'
            if r["note"]:
                text += f" · {e(r['note'])}"
            if r["carried_from"]:
                text += (
                    f' · <span class="carried">carried forward from {e(r["carried_from"])}, '
                    "not yet reviewed</span>"
                )
            parts.append(text)
        return " · ".join(parts)
    if "huggingface.census" in entry.sources:  # not the items below: every public item of the Hub
        parts.append(f'<a href="../candidates-{e(month)}.html">the Hub census</a>')
        return " · ".join(parts)
    if entry.platforms() == ("openi",):
        parts.append('OpenI repositories <span class="muted">(raw.openi_models / raw.openi_datasets)</span>')
        return " · ".join(parts)
    anchor = "models" if dimension == "model" else "datasets"
    names = [SOURCE_NAMES.get(p, p) for p in entry.platforms() if p not in ("labels", "curated")]
    curated = " + curated list" if "curated.other_source_datasets" in entry.sources else ""
    parts.append(
        f'<a href="#{anchor}">{anchor} below</a> <span class="muted">({e(", ".join(names))}{curated})</span>'
    )
    return " · ".join(parts)


def _metric_tables(data: OrgData, org: str, month: str) -> str:
    tables = data.tables
    out = []
    for dim in DIMENSIONS:
        rows = data.get(data.normalised[dim], month, org)
        if rows is None:
            continue
        monthly = rows.filter(pl.col("variant") == "monthly")
        accumulated = dict(
            rows.filter(pl.col("variant") == "accumulated").select("metric", "value").iter_rows()
        )
        groups: dict[str, list[Row]] = {}
        for r in monthly.iter_rows(named=True):
            metric = r["metric"]
            entry = tables.metric(dim, metric)
            # The definition is on the method page (one copy, not one per org page and month).
            label = f'<a id="{e(dim)}-{e(metric)}" href="../method.html#{e(dim)}-{e(metric)}">{e(entry.label)}</a>'
            cells = (
                cell(entry.label, label, text=True)
                + value_cell(r["value"], entry.kind)
                + (
                    cell(
                        None,
                        '<span class="muted">not scored</span>',
                        title="no information this month (every org equal): not scored",
                    )
                    if r["normalised"] is None and r["value"] is not None
                    else score_cell(r["normalised"])
                )
            )
            if dim in ACCUMULATED:
                cells += value_cell(accumulated.get(metric), entry.kind)
            cells += f'<td class="text wrap">{_provenance(data, org, month, dim, metric)}</td>'
            groups.setdefault(category_of(tables.profile, dim, metric), []).append(cells)
        columns = [Column("Metric", numeric=False), Column("Value", note="this month"), Column("Normalised")]
        if dim in ACCUMULATED:
            columns.append(Column("Accumulated", note="up to this month"))
        columns.append(Column("Where it comes from", numeric=False))
        out.append(
            f'<h3 id="{e(dim)}">{e(dim.title())}</h3>'
            + gap_notes(tables, month, dim, monthly["metric"].to_list(), depth=1)
            + table(
                columns,
                grouped_rows(len(columns), groups.items()),
                css="plain provenance",
                label=f"{dim} numbers of {org}, {month}",
            )
        )
    return "".join(out)


LIKES_UNKNOWN = "the platforms do not report likes for this item"


def _items(frame: pl.DataFrame | None, title: str, anchor: str) -> str:
    if frame is None or frame.is_empty():
        return f'<h3 id="{e(anchor)}">{e(title)}</h3><p class="muted">None counted this month.</p>'
    extra = "descendants" if "descendants" in frame.columns else "lifecycle"
    columns = [
        Column("Name", numeric=False),
        Column("Modality", numeric=False),
        Column(extra.title(), numeric=extra != "lifecycle"),
        Column("Downloads", note="this month", sorted="descending"),
        Column("Likes"),
        Column("Platform pages", numeric=False),
    ]
    rows = []
    for r in (
        frame.sort("downloads_month", descending=True, nulls_last=True)
        .head(ITEMS_SHOWN)
        .iter_rows(named=True)
    ):
        links = " ".join(
            f'<a href="{e(link["url"])}" rel="noopener">{e(link["platform"])}</a>'
            for link in (r["links"] or [])
            if (link["url"] or "").startswith(("https://", "http://"))  # never javascript: or data:
        )
        likes = known_count(r["likes"]) if r.get("likes_known") else None
        rows.append(
            cell(f"{r['namespace']}/{r['name']}", text=True, css="wrap")
            + (cell(r["modality"], text=True) if r["modality"] else cell(None, unknown_html(), text=True))
            + (value_cell(r[extra], "count") if extra == "descendants" else cell(r[extra] or "–", text=True))
            + value_cell(r["downloads_month"], "downloads")
            + value_cell(likes, "count", unknown_reason=LIKES_UNKNOWN)
            + f'<td class="text">{links}</td>'
        )
    more = f" (top {ITEMS_SHOWN} of {frame.height})" if frame.height > ITEMS_SHOWN else ""
    caption = "Likes read <em>unknown</em> where none of the item's platforms reports them."
    return f'<h3 id="{e(anchor)}">{e(title)}{e(more)}</h3>' + table(
        columns, rows, caption=caption, label=title.lower()
    )


def _other(frame: pl.DataFrame | None) -> str:
    if frame is None or frame.is_empty():
        return ""
    rows = [
        cell(r["name"], text=True, css="wrap")
        + cell(r["modality"], text=True)
        + cell(r["lifecycle"], text=True)
        + f'<td class="text wrap">{_link(r["link"])}</td>'
        for r in frame.iter_rows(named=True)
    ]
    columns = text_columns("Dataset", "Modality", "Lifecycle", "Where")
    return (
        f"<details><summary>Datasets published outside the four platforms ({frame.height}, curated)</summary>"
        + table(columns, rows, label="datasets published elsewhere")
        + "</details>"
    )


def hub_share(tables: SiteTables, org: str, month: str) -> str:
    """The org's share of the Hub's downloads and its derivative reach that month (the census)."""
    row = tables.census.filter((pl.col("month") == month) & (pl.col("org") == org))
    if row.is_empty():
        return (
            unknown_html("no Hub census this month")
            + ' <span class="muted">(no Hub census this month)</span>'
        )
    r = row.row(0, named=True)

    def share(part: int, whole: int) -> str:
        return format_value(part / whole, "share") if whole else unknown_html("nothing downloaded on the Hub")

    return (
        f"{share(r['model_downloads'], r['hub_model_downloads'])} of model downloads, "
        f"{share(r['dataset_downloads'], r['hub_dataset_downloads'])} of dataset downloads; "
        f"{format_value(r['derivative_models'], 'count')} derivative models "
        f"({format_value(r['derivative_downloads'], 'downloads')} downloads) "
        f'<a href="../candidates-{e(month)}.html">census</a>'
    )


def org_page(data: OrgData, org: str, month: str) -> str:
    tables = data.tables
    months = tables.org_months(org)
    slug = tables.slugs[org]
    current = tables.overall.filter(
        (pl.col("org") == org) & (pl.col("month") == month) & (pl.col("variant") == "monthly")
    ).row(0, named=True)
    scores = []
    for dim in DIMENSIONS:
        row = tables.ranks[dim].filter(
            (pl.col("org") == org) & (pl.col("month") == month) & (pl.col("variant") == "monthly")
        )
        scores.append((dim.title(), row["score"][0] if row.height else None))
    scores.append(("Overall", current["score"]))
    bars = bar_chart(scores, f"{org}: score per dimension, {month}")
    history = _history(data, org)
    lines = rank_chart(tables.months, history, f"{org}: monthly rank per month", current=month)
    history_rows = []
    for i, m in enumerate(tables.months):
        if m not in months:
            continue
        link = f'<a href="{e(slug)}-{e(m)}.html">{e(m)}</a>'
        history_rows.append(
            cell(m, link, text=True) + "".join(cell(history[name.title()][i]) for name in RANKINGS)
        )
    history_table = table(
        [
            Column("Month", numeric=False, sorted="ascending"),
            *(Column(f"{n.title()} rank", ascending=True) for n in RANKINGS),
        ],
        history_rows,
        label=f"rank history of {org}",
    )
    change = current["delta_rank"]
    last = tables.previous_ranked(month)
    since = "last month" if last is None or last == previous_month(month) else last
    delta_text = (
        ("new this month" if months.index(month) else "first ranked month")
        if change is None
        else f"no change since {since}"
        if change == 0
        else f"{'up' if change > 0 else 'down'} {abs(change)} since {since}"
    )
    rank = str(current["rank"])
    if tables.profile.intervals is not None and current.get("rank_low") is None:
        rank += ' <span class="muted">(not resampled this month: no interval)</span>'
    if current.get("rank_low") is not None and current.get("rank_high") is not None:
        rank += f' <span class="muted">(95 % interval {current["rank_low"]}–{current["rank_high"]}'
        if current.get("rank_best_loo") is not None and current.get("rank_worst_loo") is not None:
            rank += f"; leaving one metric out {current['rank_best_loo']}–{current['rank_worst_loo']}"
        rank += ")</span>"
    # Compare with the organisations ranked just above and below this one.
    ranked = (
        tables.overall.filter((pl.col("month") == month) & (pl.col("variant") == "monthly"))
        .sort("rank", "position")["org"]
        .to_list()
    )
    at = ranked.index(org)
    rivals = ",".join([org, *[o for o in ranked[max(0, at - 1) : at + 2] if o != org]][:3])
    return (
        f'<h1>{e(org)} · <span class="month">{e(month)}</span></h1>'
        f'<div class="controls">{month_select(months, month, slug)}</div>'
        + gap_banner(tables, month, depth=1)
        + f'<dl class="facts"><dt>Overall rank</dt><dd>{rank} '
        f'(<a href="../overall-{e(month)}.html">ranking</a>; {e(delta_text)})</dd>'
        f"<dt>Overall score</dt><dd>{format_score(current['score'])}</dd>"
        f"<dt>Ranked in</dt><dd>{len(months)} of {len(tables.months)} months</dd>"
        f"<dt>Share of the Hub</dt><dd>{hub_share(tables, org, month)}</dd>"
        f'<dt>Open data</dt><dd><a href="../api/v1/orgs/{e(slug)}.json">history as JSON</a> · '
        f'<a href="../compare-{e(month)}.html#orgs={e(rivals)}">compare with others</a></dd></dl>'
        + '<div class="charts">'
        f'<figure id="scores-chart">{bars}<figcaption>Monthly score per dimension, {e(month)}</figcaption></figure>'
        f'<figure id="rank-chart">{lines}<figcaption>Monthly rank per month (1 = top; a gap: not ranked; '
        "the shaded band: this page's month; every number in the "
        '<a href="#history">rank history</a>)</figcaption></figure></div>'
        f'<h2 id="history">Rank history</h2>{history_table}'
        f"<h2>Every number of {e(month)} and where it comes from</h2>"
        + _metric_tables(data, org, month)
        + f"<h2>Behind the numbers, {e(month)}</h2>"
        + _items(data.get(data.models, month, org), "Top models by monthly downloads", "models")
        + _items(data.get(data.datasets, month, org), "Top datasets by monthly downloads", "datasets")
        + _other(data.get(data.other, month, org))
        + downloads([("every table of the month", f"../open-data-{month}.html")])
    )
