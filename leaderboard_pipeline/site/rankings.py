"""The ranking pages of a month: overall (with each dimension's rank and score) and one per dimension
(with every metric column). Both are searchable, filterable and sortable, and link their downloads."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.metric_catalog import SOURCE_NAMES
from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.site.charts import distribution_chart, movers_chart
from leaderboard_pipeline.site.formatting import format_score, format_value, is_unknown
from leaderboard_pipeline.site.layout import (
    Column,
    Row,
    cell,
    delta,
    downloads,
    e,
    filters,
    month_select,
    rank_cell,
    score_cell,
    sortable,
    table,
    toggle,
    unknown_html,
    variant_toggle,
)
from leaderboard_pipeline.site.open_data import file_links, ranking_stem, summary_stem
from leaderboard_pipeline.site.tables import (
    ACCUMULATED,
    INTERVALS,
    SiteTables,
    category_of,
    has_previous,
    intervals,
    org_href,
    rank_rows,
    variants_of,
)

MOVERS_SHOWN = 10


def lead_columns() -> list[Column]:
    """The columns every ranking table starts with: rank, organisation, rank change, score."""
    return [
        Column("Rank", ascending=True, key="rank", sticky=1, sorted="ascending"),
        Column("Organisation", numeric=False, key="org", sticky=2),
        Column("Δ rank", note="vs last month", key="delta"),
        Column("Score", key="score"),
    ]


def lead_cells(tables: SiteTables, row: dict, month: str, previous: bool) -> str:
    org = row["org"]
    return (
        rank_cell(row["rank"], *(row.get(c) for c in INTERVALS), css="sticky-1")
        + f'<td class="text sticky-2" data-v="{e(org)}"><a href="{e(org_href(tables, org, month))}">{e(org)}</a></td>'
        + delta(row["delta_rank"], previous)
        + score_cell(row["score"])
    )


def interval_note(frame: pl.DataFrame) -> str:
    if not intervals(frame):
        return ""
    return (
        " The small range under a rank is its 95 % interval over bootstrap resamples of the items behind "
        "the metrics (method page)."
    )


def _movers(frame: pl.DataFrame, title: str) -> str:
    moved = (
        frame.filter(pl.col("delta_rank").is_not_null() & (pl.col("delta_rank") != 0))
        .sort([pl.col("delta_rank").abs(), "org"], descending=[True, False])
        .head(MOVERS_SHOWN)
        .sort(["delta_rank", "org"], descending=[True, False])
    )
    chart = movers_chart(list(zip(moved["org"].to_list(), moved["delta_rank"].to_list(), strict=True)), title)
    return f'<figure class="movers">{chart}<figcaption>{e(title)}</figcaption></figure>'


def dots_list(scores: list[tuple[str, float]]) -> str:
    """Who each dot of a score distribution is, as text: a hover tooltip is out of reach of touch and
    keyboard (WCAG 1.1.1, 2.1.1), so the organisations and scores are listed under the chart (plain
    text: the table beside it links every organisation)."""
    items = "".join(
        f"<li>{e(org)} {format_score(score)}</li>"
        for org, score in sorted(scores, key=lambda p: (-p[1], p[0]))
    )
    return f'<details class="chart-data"><summary>Who each dot is</summary><ol>{items}</ol></details>'


def _distributions(tables: SiteTables, month: str, variant: str) -> str:
    """A small score-distribution chart per dimension, each linking to its ranking page."""
    charts = []
    for dim in DIMENSIONS:
        used = variant if dim in ACCUMULATED else "monthly"
        ranks = tables.ranks[dim].filter((pl.col("month") == month) & (pl.col("variant") == used))
        scores = [(o, s) for o, s in ranks.select("org", "score").iter_rows() if s is not None]
        chart = distribution_chart(scores, f"{dim.title()} scores, {month}", width=300, bins=30)
        charts.append(
            f'<figure class="distribution">{chart}<figcaption><a href="{e(dim)}-{e(month)}.html">'
            f"{e(dim.title())}</a> score distribution ({e(used)})</figcaption>"
            f"{dots_list(scores)}</figure>"
        )
    return "".join(charts)


def _download_bar(tables: SiteTables, month: str, ranking: str, variant: str) -> str:
    links = []
    stem = ranking_stem(tables, ranking, variant)
    if stem:
        links += [(f"ranking {label}", href) for label, href in file_links(month, stem)]
    if ranking != "overall" and variant == "monthly":
        links += [
            (f"raw values {label}", href) for label, href in file_links(month, summary_stem(tables, ranking))
        ]
    links.append(("JSON", f"api/v1/{month}/{ranking}.json"))
    links.append(("every table of the month", f"open-data-{month}.html"))
    return downloads(links)


def overall_page(tables: SiteTables, month: str) -> str:
    previous = has_previous(tables, month)
    variants = variants_of(tables, month)
    sections = []
    for variant in variants:
        rows = rank_rows(tables, month, variant)
        columns = lead_columns()
        for dim in DIMENSIONS:
            note = "monthly" if variant == "accumulated" and dim not in ACCUMULATED else ""
            columns += [
                Column(
                    "Rank", ascending=True, note=note, key=f"rank:{dim}", group=dim, group_label=dim.title()
                ),
                Column("Score", note=note, group=dim, group_label=dim.title()),
            ]
        body = []
        for r in rows.iter_rows(named=True):
            cells = lead_cells(tables, r, month, previous)
            for dim in DIMENSIONS:
                cells += rank_cell(r[f"{dim}_rank"], *(r.get(f"{dim}_{c}") for c in INTERVALS))
                cells += score_cell(r[f"{dim}_score"])
            body.append(cells)
        caption = f"{variant.title()} overall ranking, {e(month)}: {rows.height} organisations." + e(
            interval_note(tables.overall)
        )
        sections.append(
            f'<section class="variant" data-variant="{e(variant)}"><h2>{e(variant.title())}</h2>'
            '<div class="with-aside"><div class="main-col">'
            + table(
                columns,
                body,
                css="sortable ranking",
                caption=caption,
                label=f"{variant} overall ranking, {month}",
            )
            + _download_bar(tables, month, "overall", variant)
            + "</div>"
            + '<div class="aside">'
            + (_movers(rows, f"Biggest {variant} rank changes since last month") if previous else "")
            + _distributions(tables, month, variant)
            + "</div></div></section>"
        )
    profile = tables.profile
    combine = (
        "weighted mean of the four dimension scores"
        if profile.combine == "mean"
        else "weighted sum of 1/log2(rank+1) of the four dimension ranks"
    )
    return (
        f"<h1>Overall ranking · {e(month)}</h1>"
        f'<p class="lead">The overall score is the {e(combine)} (<a href="method.html">method</a>). Search, '
        "filter and sort the table; pick an organisation for its page, or "
        f'<a href="compare-{e(month)}.html">compare</a> up to four.</p>'
        f'<div class="controls">{month_select(tables.months, month, "overall")}{variant_toggle(variants)}</div>'
        + filters([(d, d.title()) for d in DIMENSIONS], "Dimension", movers=previous)
        + "".join(sections)
    )


def gap_notes(tables: SiteTables, month: str, dimension: str, columns: list[str], depth: int = 0) -> str:
    """A note per platform missing this month whose numbers feed columns of this dimension."""
    notes = []
    for platform, detail in tables.gap_platforms(month).items():
        hit = [c for c in columns if platform in tables.metric(dimension, c).platforms()]
        if not hit:
            continue
        labels = [tables.metric(dimension, c).label for c in hit]
        which = ", ".join(labels) if len(labels) <= 3 else f"{len(labels)} of the {dimension} numbers"
        name = SOURCE_NAMES.get(platform, platform)
        notes.append(
            f'<p class="gap-note" role="note"><strong>{e(name)} was not collected in {e(month)}</strong>'
            f"{': ' + e(detail) if detail else ''}. Its share is missing from {e(which)} this month "
            f'(marked †; <a href="{"../" * depth}quality-{e(month)}.html#gaps">data quality</a>).</p>'
        )
    return "".join(notes)


def metric_cell(
    tables: SiteTables, dimension: str, column: str, kind: str, value, normalised, month: str, depth: int = 0
) -> str:
    """A metric value (formatted by kind) with its normalised value, shown by the values/normalised
    toggle; a background bar shows the normalised value either way."""
    missing = tables.missing_sources(month, dimension, column)
    gap = ""
    if missing:
        names = ", ".join(SOURCE_NAMES.get(p, p) for p in missing)
        gap = (
            f'<a class="gap-mark" href="{"../" * depth}quality-{e(month)}.html#gaps" '
            f'title="{e(names)} missing this month: this number lacks its share">†</a>'
        )
    if is_unknown(value):
        return cell(None, unknown_html() + gap, css="m")
    # data-n: what the Normalised view shows (site.js swaps the text); --n draws the bar behind the value,
    # left out near 0 where a zero-width gradient would still leave a hairline.
    shown = format_score(normalised) if not is_unknown(normalised) else "–"
    bar = f' style="--n:{normalised:.3f}"' if not is_unknown(normalised) and normalised >= 0.005 else ""
    css = "m" if not is_unknown(normalised) else "m inert"
    return f'<td class="{css}" data-v="{sortable(value)}" data-n="{shown}"{bar}>{e(format_value(value, kind))}{gap}</td>'


def dimension_page(tables: SiteTables, dimension: str, month: str) -> str:
    previous = has_previous(tables, month)
    profile = tables.profile
    variants = variants_of(tables, month, dimension)
    metrics = (
        tables.normalised[dimension]
        .filter(pl.col("month") == month)["metric"]
        .unique(maintain_order=True)
        .to_list()
    )
    categories = list(dict.fromkeys(category_of(profile, dimension, m) for m in metrics))
    group_of = {c: f"c{i}" for i, c in enumerate(categories)}
    entries = {m: tables.metric(dimension, m) for m in metrics}
    sections = []
    for variant in variants:
        ranks = tables.ranks[dimension].filter((pl.col("month") == month) & (pl.col("variant") == variant))
        normalised = tables.normalised[dimension].filter(
            (pl.col("month") == month) & (pl.col("variant") == variant)
        )
        values = normalised.pivot(on="metric", index="org", values="value")
        scaled = normalised.pivot(on="metric", index="org", values="normalised").rename(lambda c: f"n:{c}")
        rows = (
            ranks.join(values, on="org", how="left")
            .join(scaled, left_on="org", right_on="n:org", how="left")
            .sort(["rank", "position"])
        )
        # A column whose values are all equal carries no information this month: say so once, on its header.
        scored = set(normalised.filter(pl.col("normalised").is_not_null())["metric"].to_list())
        columns = lead_columns()
        for m in metrics:
            category = category_of(profile, dimension, m)
            entry = entries[m]
            inert = m not in scored
            columns.append(
                Column(
                    entry.label,
                    note="not scored" if inert else "",
                    key=f"metric:{m}",
                    group=group_of[category],
                    group_label=category or "Other",
                    tip=f"{entry.definition} [{m}]"
                    + (" Not scored this month: every organisation has the same value." if inert else ""),
                    described_by=f"def-{m}",
                )
            )
        body: list[Row] = []
        for r in rows.iter_rows(named=True):
            cells = lead_cells(tables, r, month, previous)
            cells += "".join(
                metric_cell(tables, dimension, m, entries[m].kind, r[m], r[f"n:{m}"], month) for m in metrics
            )
            body.append(cells)
        caption = (
            f"{variant.title()} {e(dimension)} ranking, {e(month)}: {rows.height} organisations. Each cell is "
            f"the metric's value; the bar behind it and the <em>Normalised</em> view show it scaled per column "
            f"({e(profile.normalisation)}). A column marked “not scored” carries no information this month (every "
            "organisation has the same value) and is left out of the mean. What each column means: <a "
            'href="#definitions">below the table</a> (or hover a header).'
            + e(interval_note(tables.ranks[dimension]))
        )
        scores = [(o, s) for o, s in zip(ranks["org"], ranks["score"], strict=True) if s is not None]
        chart = distribution_chart(scores, f"{dimension.title()} scores, {month} ({variant})")
        sections.append(
            f'<section class="variant" data-variant="{e(variant)}"><h2>{e(variant.title())}</h2>'
            f'<div class="chart-row"><figure class="distribution">{chart}<figcaption>Score distribution: one '
            f"dot per organisation</figcaption>{dots_list(scores)}</figure>"
            f'<p class="caption">{caption}</p></div>'
            + table(
                columns, body, css="sortable ranking metrics", label=f"{variant} {dimension} ranking, {month}"
            )
            + _download_bar(tables, month, dimension, variant)
            + "</section>"
        )
    note = (
        ""
        if dimension in ACCUMULATED
        else '<p class="muted">This dimension has no accumulated variant: its monthly ranking also feeds the '
        "accumulated overall ranking.</p>"
    )
    return (
        f"<h1>{e(dimension.title())} dimension · {e(month)}</h1>"
        f'<p class="lead">Each metric column is normalised per month and variant; the dimension score is the '
        f'mean of an organisation\'s normalised values (<a href="method.html#{e(dimension)}">metrics and '
        "definitions</a>).</p>"
        f'<div class="controls">{month_select(tables.months, month, dimension)}{variant_toggle(variants)}'
        f"{toggle('show', [('values', 'Values'), ('normalised', 'Normalised')], 'values or normalised')}</div>"
        + gap_notes(tables, month, dimension, metrics)
        + note
        + filters([(group_of[c], c or "Other") for c in categories], "Category", movers=previous)
        + "".join(sections)
        + definitions(tables, dimension, metrics)
    )


def definitions(tables: SiteTables, dimension: str, metrics: list[str]) -> str:
    """Every column's definition once per page, as text a reader reaches by touch or keyboard; each
    header's button names its entry (``aria-describedby``), so a screen reader reads it with the header."""
    items = "".join(
        f'<dt><a href="method.html#{e(dimension)}-{e(m)}">{e(tables.metric(dimension, m).label)}</a></dt>'
        f'<dd id="def-{e(m)}">{e(tables.metric(dimension, m).definition)}</dd>'
        for m in metrics
    )
    return (
        '<section id="definitions"><h2>What each column means</h2>'
        '<p class="muted">Each label links to its sources and the months it has values (method page).</p>'
        f'<dl class="defs">{items}</dl></section>'
    )
