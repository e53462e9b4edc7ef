"""The ranking pages of a month: overall (with each dimension's rank and score) and one per dimension
(with every metric column). Both are searchable, filterable and sortable, and link their downloads."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.metric_catalog import SOURCE_NAMES
from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.contract.months import previous_month
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
    PUBLISHED_PROFILE,
    SiteTables,
    category_of,
    has_previous,
    intervals,
    org_href,
    rank_rows,
    variants_of,
)

MOVERS_SHOWN = 10


def lead_columns(tables: SiteTables | None = None, month: str | None = None) -> list[Column]:
    """The columns every ranking table starts with: rank, organisation, rank change, score. The rank
    change says what it compares with when that is not the calendar previous month (a skipped month,
    the archive a live series took over)."""
    last = tables.previous_ranked(month) if tables is not None and month is not None else None
    note = f"vs {last}" if last and month and last != previous_month(month) else "vs last month"
    return [
        Column("Rank", ascending=True, key="rank", sticky=1, sorted="ascending"),
        Column("Organisation", numeric=False, key="org", sticky=2),
        Column("Δ rank", note=note, key="delta"),
        Column("Score", key="score"),
    ]


def resampled(tables: SiteTables, month: str) -> bool:
    """Whether any ranking of ``month`` was resampled: then a rank that was not says so, cell by cell;
    otherwise the caption says it once."""
    frames = (tables.overall, *tables.ranks.values())
    return tables.profile.intervals is not None and any(
        f.filter((pl.col("month") == month) & pl.col("rank_low").is_not_null()).height
        for f in frames
        if "rank_low" in f.columns
    )


def lead_cells(tables: SiteTables, row: dict, month: str, previous: bool) -> str:
    org = row["org"]
    computed = resampled(tables, month)
    return (
        rank_cell(row["rank"], *(row.get(c) for c in INTERVALS), css="sticky-1", intervals=computed)
        + f'<td class="text sticky-2" data-v="{e(org)}"><a href="{e(org_href(tables, org, month))}">{e(org)}</a></td>'
        + delta(row["delta_rank"], previous)
        + score_cell(row["score"])
    )


def interval_note(tables: SiteTables, frame: pl.DataFrame, month: str) -> str:
    if tables.profile.intervals is None:
        return (
            f" Ranks are not resampled: profile {tables.profile.name} computes no rank intervals, so no rank "
            "here says how sure it is."
        )
    if not resampled(tables, month):
        why = (
            "a dimension is not ranked, and intervals resample the four dimensions together"
            if tables.unranked(month)
            else "nothing behind the values can be (hand inputs)"
        )
        return f" Ranks are not resampled this month: {why}."
    if not intervals(frame):
        return " Ranks are not resampled: nothing behind these values can be (hand inputs)."
    return (
        " The small range under a rank is its 95 % interval over bootstrap resamples of the items behind "
        "the metrics (method page); “not resampled” marks a rank with nothing behind it to resample "
        "(hand inputs)."
    )


def gap_banner(tables: SiteTables, month: str, depth: int = 0) -> str:
    """Every gap of ``month`` where its ranks appear: each platform not collected and what it feeds, and
    each dimension not ranked for it (the overall then combines the others)."""
    gaps, unranked = tables.month_gaps(month), tables.unranked(month)
    if not gaps and not unranked:
        return ""
    up = "../" * depth
    items = [
        f"<li><strong>{e(g['name'])} was not collected</strong>"
        f"{': ' + e(g['detail']) if g['detail'] else ''}. Its share is missing from the "
        f"{e(', '.join(g['dimensions']))} numbers this month.</li>"
        for g in gaps
    ]
    for dim in unranked:
        sources = ", ".join(dict.fromkeys(g["name"] for g in gaps if dim in g["dimensions"]))
        items.append(
            f"<li><strong>The {e(dim)} dimension is not ranked in {e(month)}</strong>: every platform it comes "
            f"from ({e(sources)}) was missing, and curated constants alone rank nothing.</li>"
        )
    if unranked:
        rest = [d for d in DIMENSIONS if d not in unranked]
        items.append(f"<li>The overall ranking of {e(month)} combines {e(', '.join(rest))} only.</li>")
    return (
        f'<div class="gap-note" role="note"><p><strong>{e(month)} is ranked with gaps</strong> '
        f'(<a href="{up}quality-{e(month)}.html#gaps">data quality</a>):</p><ul>{"".join(items)}</ul></div>'
    )


def dimension_gaps(tables: SiteTables, month: str, dimension: str, columns: list[str]) -> str:
    """A dimension page's gaps: the dimension not ranked, the platforms missing from its numbers (which
    columns), and the month's other gaps, which leave this ranking whole but not the overall one."""
    unranked = tables.unranked(month)
    parts = []
    if dimension in unranked:
        sources = ", ".join(g["name"] for g in tables.month_gaps(month) if dimension in g["dimensions"])
        parts.append(
            f'<p class="gap-note" role="note"><strong>The {e(dimension)} dimension is not ranked in '
            f"{e(month)}</strong>: every platform it comes from ({e(sources)}) was missing, and curated "
            f'constants alone rank nothing (<a href="quality-{e(month)}.html#gaps">data quality</a>).</p>'
        )
    parts.append(gap_notes(tables, month, dimension, columns))
    elsewhere = [g for g in tables.month_gaps(month) if dimension not in g["dimensions"]]
    if elsewhere:
        names = "; ".join(f"{g['name']} ({', '.join(g['dimensions'])})" for g in elsewhere)
        parts.append(
            f'<p class="gap-note" role="note">{e(month)} has gaps in other dimensions ({e(names)}): the '
            f"{e(dimension)} numbers have all their sources, the overall ranking lacks their share "
            f'(<a href="quality-{e(month)}.html#gaps">data quality</a>).</p>'
        )
    return "".join(parts)


def profile_statement(tables: SiteTables) -> str:
    """Which leaderboard the page shows: the profile, and for a source with a published ranking whether
    these are the published ranks."""
    profile = tables.profile
    text = f"Ranked with profile <code>{e(profile.name)}</code>: {e(profile.description)}"
    if profile.name == PUBLISHED_PROFILE:
        text += " These are the published leaderboard's ranks, computed from its own inputs."
    elif tables.published_months():
        text += (
            " This is not the published leaderboard's method: "
            '<a href="method.html#published">how its ranks differ from the published ones</a>.'
        )
    return f'<p class="profile-statement">{text}</p>'


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
    unranked = tables.unranked(month)
    sections = []
    for variant in variants:
        rows = rank_rows(tables, month, variant)
        columns = lead_columns(tables, month)
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
                computed = resampled(tables, month) and dim not in unranked
                cells += rank_cell(
                    r[f"{dim}_rank"], *(r.get(f"{dim}_{c}") for c in INTERVALS), intervals=computed
                )
                cells += score_cell(r[f"{dim}_score"])
            body.append(cells)
        caption = f"{variant.title()} overall ranking, {e(month)}: {rows.height} organisations." + e(
            interval_note(tables, tables.overall.filter(pl.col("month") == month), month)
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
            + (
                _movers(rows, f"Biggest {variant} rank changes since {_since(tables, month)}")
                if previous
                else ""
            )
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
        + profile_statement(tables)
        + gap_banner(tables, month)
        + f'<div class="controls">{month_select(tables.months, month, "overall")}{variant_toggle(variants)}</div>'
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


def _since(tables: SiteTables, month: str) -> str:
    last = tables.previous_ranked(month)
    return "last month" if last is None or last == previous_month(month) else last


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
        columns = lead_columns(tables, month)
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
            + e(interval_note(tables, tables.ranks[dimension].filter(pl.col("month") == month), month))
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
        + dimension_gaps(tables, month, dimension, metrics)
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
