"""The site's pages as HTML strings: overall and dimension rankings per month, organisations, method, quality."""

from __future__ import annotations

from dataclasses import fields

import polars as pl

from leaderboard_pipeline import scoring
from leaderboard_pipeline.metrics import VARIANTS
from leaderboard_pipeline.profiles import DIMENSIONS, Cleaning, Profile
from leaderboard_pipeline.quality import CHECKS, Outcome
from leaderboard_pipeline.site.charts import bar_chart, rank_chart
from leaderboard_pipeline.site.checks import new_orgs, rank_moves
from leaderboard_pipeline.site.layout import (
    Column,
    cell,
    delta,
    e,
    month_select,
    number,
    table,
    variant_toggle,
)
from leaderboard_pipeline.site.tables import ACCUMULATED, SiteTables, has_previous, rank_rows

# What each cleaning switch means (the values themselves come from the active profile).
SWITCHES = {
    "case_sensitive_orgs": "platform namespaces resolve to organisations case-sensitively",
    "label_case_fallback": "labels are looked up ignoring case when the exact key is missing",
    "count_duplicates": "a record listed twice in one crawl counts twice",
    "min_model_downloads": "monthly downloads a model needs to count",
    "min_language_model_parameters": "parameters a language model needs to count (null: no threshold)",
    "skip_first_month": "raw tables whose datasets are skipped when there is no previous total",
    "drop_negative_deltas": "raw tables whose negative monthly differences drop the row",
    "clamp_negative_deltas": "a cumulative counter that went down contributes 0, not a negative number",
    "shared_previous_totals": "one previous-total map per platform for models and datasets",
    "falsy_previous_is_missing": "a previous total of 0 counts as no previous total",
    "sentinels_as_null": "-1 likes / community values mean unknown",
    "merge_key": "key that merges one item across platforms",
    "source_order": "platform precedence when merging (first platform's fields win)",
    "invalid_modalities_as_null": 'the strings "null" and "" are not modalities',
    "dedupe_other_sources": "a curated dataset listed twice counts once per category",
    "accumulate_key": "key that identifies an item across months in accumulated tables",
}


def _org_link(tables: SiteTables, org: str, depth: int = 0) -> str:
    return f'<a href="{"../" * depth}org/{e(tables.slugs[org])}.html">{e(org)}</a>'


def _ranking_cells(tables: SiteTables, row: dict, previous) -> list[str]:
    """The cells every ranking table starts with: rank, rank change, organisation, score."""
    return [
        cell(row["rank"]),
        delta(row["delta_rank"], previous),
        f'<td class="text" data-v="{e(row["org"])}">{_org_link(tables, row["org"])}</td>',
        cell(row["score"], number(row["score"], 4)),
    ]


def _category(profile: Profile, dimension: str, metric: str) -> tuple[str, str]:
    """(label, category) of a metric column as the profile defines it."""
    spec = profile.dimensions[dimension]
    for m in spec.metrics or ():
        if m.column == metric:
            return m.label or m.column, m.category
    return metric, spec.categories.get(metric, "")


def _variants(tables: SiteTables, month: str, dimension: str | None = None) -> list[str]:
    frame = tables.overall if dimension is None else tables.ranks[dimension]
    have = set(frame.filter(pl.col("month") == month)["variant"].unique().to_list())
    return [v for v in VARIANTS if v in have]


def overall_page(tables: SiteTables, month: str) -> str:
    previous = has_previous(tables, month)
    variants = _variants(tables, month)
    sections = []
    for variant in variants:
        rows = rank_rows(tables, month, variant)
        columns = [
            Column("Rank", ascending=True),
            Column("Δ rank", note="vs last month"),
            Column("Organisation", numeric=False),
            Column("Score"),
        ]
        for dim in DIMENSIONS:
            note = "monthly" if variant == "accumulated" and dim not in ACCUMULATED else ""
            columns += [
                Column(f"{dim.title()} rank", ascending=True, note=note),
                Column(f"{dim.title()} score"),
            ]
        body = []
        for r in rows.iter_rows(named=True):
            cells = _ranking_cells(tables, r, previous)
            for dim in DIMENSIONS:
                cells += [cell(r[f"{dim}_rank"]), cell(r[f"{dim}_score"], number(r[f"{dim}_score"]))]
            body.append("".join(cells))
        caption = f"{variant.title()} overall ranking, {month}: {rows.height} organisations"
        sections.append(
            f'<section class="variant" data-variant="{e(variant)}"><h2>{e(variant.title())}</h2>'
            f"{table(columns, body, caption=caption)}</section>"
        )
    profile = tables.profile
    combine = (
        "weighted mean of the four dimension scores"
        if profile.combine == "mean"
        else "weighted sum of 1/log2(rank+1) of the four dimension ranks"
    )
    return (
        f"<h1>Overall ranking · {e(month)}</h1>"
        f'<p class="lead">Profile <code>{e(profile.name)}</code>: the overall score is the {e(combine)} '
        f'(<a href="method.html">method</a>). Click a column header to sort; click an organisation for its '
        "history.</p>"
        f'<div class="controls">{month_select(tables.months, month, "overall")}{variant_toggle(variants)}</div>'
        + "".join(sections)
    )


def dimension_page(tables: SiteTables, dimension: str, month: str) -> str:
    previous = has_previous(tables, month)
    profile = tables.profile
    variants = _variants(tables, month, dimension)
    sections = []
    for variant in variants:
        ranks = tables.ranks[dimension].filter((pl.col("month") == month) & (pl.col("variant") == variant))
        normalised = tables.normalised[dimension].filter(
            (pl.col("month") == month) & (pl.col("variant") == variant)
        )
        metrics = normalised["metric"].unique(maintain_order=True).to_list()
        values = normalised.pivot(on="metric", index="org", values="normalised")
        raw = normalised.pivot(on="metric", index="org", values="value").rename(lambda c: f"raw:{c}")
        rows = (
            ranks.join(values, on="org", how="left")
            .join(raw, left_on="org", right_on="raw:org", how="left")
            .sort(["rank", "position"])
        )
        columns = [
            Column("Rank", ascending=True),
            Column("Δ rank", note="vs last month"),
            Column("Organisation", numeric=False),
            Column("Score"),
        ]
        columns += [
            Column(label, note=category)
            for label, category in (_category(profile, dimension, m) for m in metrics)
        ]
        body = []
        for r in rows.iter_rows(named=True):
            cells = _ranking_cells(tables, r, previous)
            cells += [
                cell(
                    r[m],
                    number(r[m]),
                    title=f"{m} = {number(r[f'raw:{m}'], 2)}" if r[f"raw:{m}"] is not None else "",
                )
                for m in metrics
            ]
            body.append("".join(cells))
        caption = (
            f"{variant.title()} {dimension} ranking, {month}: normalised metric values "
            f"({profile.normalisation}); hover a cell for the raw value. An empty cell: the column carries no "
            "information this month and is left out of the mean."
        )
        sections.append(
            f'<section class="variant" data-variant="{e(variant)}"><h2>{e(variant.title())}</h2>'
            f"{table(columns, body, caption=caption)}</section>"
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
        "categories</a>).</p>"
        f'<div class="controls">{month_select(tables.months, month, dimension)}{variant_toggle(variants)}</div>'
        + note
        + "".join(sections)
    )


def _items(frame: pl.DataFrame, title: str, limit: int = 10) -> str:
    if frame.is_empty():
        return f'<h3>{e(title)}</h3><p class="muted">None counted this month.</p>'
    extra = "descendants" if "descendants" in frame.columns else "lifecycle"
    columns = [
        Column("Name", numeric=False),
        Column("Modality", numeric=False),
        Column(extra.title(), numeric=extra != "lifecycle"),
        Column("Downloads (month)"),
        Column("Likes"),
        Column("Platform pages", numeric=False),
    ]
    rows = []
    for r in (
        frame.sort("downloads_month", descending=True, nulls_last=True).head(limit).iter_rows(named=True)
    ):
        links = " ".join(
            f'<a href="{e(link["url"])}" rel="noopener">{e(link["platform"])}</a>'
            for link in (r["links"] or [])
        )
        rows.append(
            cell(f"{r['namespace']}/{r['name']}", text=True)
            + cell(r["modality"], text=True)
            + (cell(r[extra], number(r[extra])) if extra == "descendants" else cell(r[extra], text=True))
            + cell(r["downloads_month"], number(r["downloads_month"]))
            + cell(r["likes"], number(r["likes"]))
            + f'<td class="text">{links}</td>'
        )
    more = f" (top {limit} of {frame.height})" if frame.height > limit else ""
    return f"<h3>{e(title)}{e(more)}</h3>" + table(columns, rows)


def _evidence(text: str | None) -> str:
    if not text:
        return "–"
    if text.startswith(("https://", "http://")):
        return f'<a href="{e(text)}" rel="noopener">{e(text)}</a>'
    return e(text)


def org_page(tables: SiteTables, org: str) -> str:
    monthly = tables.overall.filter((pl.col("org") == org) & (pl.col("variant") == "monthly"))
    month = monthly["month"].max()
    current = monthly.filter(pl.col("month") == month).row(0, named=True)
    scores = []
    for dim in DIMENSIONS:
        row = tables.ranks[dim].filter(
            (pl.col("org") == org) & (pl.col("month") == month) & (pl.col("variant") == "monthly")
        )
        scores.append((dim.title(), row["score"][0] if row.height else None))
    scores.append(("Overall", current["score"]))
    bars = bar_chart(scores, f"{org}: score per dimension, {month}")

    history = {"Overall": _history(tables.overall, org, tables.months)}
    for dim in DIMENSIONS:
        history[dim.title()] = _history(tables.ranks[dim], org, tables.months)
    lines = rank_chart(tables.months, history, f"{org}: monthly rank per month")
    history_rows = [
        cell(m, text=True) + "".join(cell(history[name][i]) for name in history)
        for i, m in enumerate(tables.months)
    ]
    history_table = table(
        [Column("Month", numeric=False), *(Column(f"{n} rank", ascending=True) for n in history)],
        history_rows,
    )

    models = tables.models.filter((pl.col("org") == org) & (pl.col("month") == month))
    datasets = tables.datasets.filter((pl.col("org") == org) & (pl.col("month") == month))
    inputs = tables.inputs.filter((pl.col("org") == org) & (pl.col("month") == month))
    input_rows = [
        cell(r["dimension"], text=True)
        + cell(r["metric"], text=True)
        + cell(_category(tables.profile, r["dimension"], r["metric"])[1], text=True)
        + cell(r["value"], number(r["value"], 2))
        for r in inputs.iter_rows(named=True)
    ]
    curated = _curated(tables.curated, org, month)
    curated_rows = [
        cell(r["dimension"], text=True)
        + cell(r["metric"], text=True)
        + cell(r["value"], number(r["value"], 2))
        + f'<td class="text">{_evidence(r["evidence"])}</td>'
        for r in curated.iter_rows(named=True)
    ]
    other = tables.other_datasets.filter((pl.col("org") == org) & (pl.col("month") == month))
    other_rows = [
        cell(r["name"], text=True)
        + cell(r["modality"], text=True)
        + cell(r["lifecycle"], text=True)
        + f'<td class="text">{_evidence(r["link"])}</td>'
        for r in other.iter_rows(named=True)
    ]
    text_cols = lambda *names: [Column(n, numeric=False) for n in names]  # noqa: E731
    return (
        f"<h1>{e(org)}</h1>"
        f'<dl class="facts"><dt>Latest month</dt><dd>{e(month)}</dd>'
        f'<dt>Overall rank</dt><dd>{e(current["rank"])} (<a href="../overall-{e(month)}.html">ranking</a>)</dd>'
        f"<dt>Overall score</dt><dd>{number(current['score'], 4)}</dd></dl>"
        '<div class="charts">'
        f'<figure id="scores-chart">{bars}<figcaption>Monthly score per dimension, {e(month)}</figcaption></figure>'
        f'<figure id="rank-chart">{lines}<figcaption>Monthly rank per month (1 = top; a gap: not ranked)'
        "</figcaption></figure></div>"
        f"<h2>Rank history</h2>{history_table}"
        f"<h2>Behind the numbers, {e(month)}</h2>"
        + _items(models, "Top models by monthly downloads")
        + _items(datasets, "Top datasets by monthly downloads")
        + "<h2>Hand inputs</h2>"
        + (
            table(
                [*text_cols("Dimension", "Metric", "Category"), Column("Value")],
                input_rows,
                caption="System and benchmark inputs of the month",
            )
            if input_rows
            else '<p class="muted">No hand inputs this month.</p>'
        )
        + (
            table(
                [*text_cols("Dimension", "Metric"), Column("Value"), Column("Evidence", numeric=False)],
                curated_rows,
                caption="Curated metric values and their evidence",
            )
            if curated_rows
            else ""
        )
        + (
            table(
                text_cols("Dataset", "Modality", "Lifecycle", "Evidence"),
                other_rows,
                caption="Datasets published outside the four platforms",
            )
            if other_rows
            else ""
        )
    )


def _history(frame: pl.DataFrame, org: str, months: list[str]) -> list[int | None]:
    rows = frame.filter((pl.col("org") == org) & (pl.col("variant") == "monthly")).select("month", "rank")
    ranks = dict(rows.iter_rows())
    return [ranks.get(m) for m in months]


def _curated(curated: pl.DataFrame, org: str, month: str) -> pl.DataFrame:
    """The org's curated values; org ``*`` carries the value of every org a metric does not list."""
    rows = curated.filter(pl.col("month") == month)
    own = rows.filter(pl.col("org") == org)
    default = rows.filter(pl.col("org") == "*").join(
        own.select("dimension", "metric"), on=["dimension", "metric"], how="anti"
    )
    return pl.concat([own, default]).sort("dimension", "metric")


def method_page(tables: SiteTables) -> str:
    profile = tables.profile
    weights = profile.weights
    if profile.combine == "mean":
        formula = "overall = Σ w<sub>d</sub> · score<sub>d</sub> / Σ w<sub>d</sub>"
    else:
        formula = "overall = Σ w<sub>d</sub> · 1 / log<sub>2</sub>(rank<sub>d</sub> + 1)"
    normalisation = {
        "minmax": "Min-Max per metric column: (x − min) / (max − min)",
        "max": "share of the maximum per metric column: x / max",
    }[profile.normalisation]
    parts = [
        "<h1>Method</h1>",
        f'<p class="lead">Generated from the active scoring profile <code>{e(profile.name)}</code> '
        f"(<code>{e(profile.path.name)}</code>), the same object the pipeline scores with.</p>",
        f"<p>{e(profile.description)}</p>",
        '<dl class="facts">',
        f"<dt>Normalisation</dt><dd>{e(normalisation)}, per month and variant</dd>",
        "<dt>Dimension score</dt><dd>mean of an organisation's non-empty normalised values</dd>",
        "<dt>Ranking</dt><dd>dense ranks of the score, descending (equal scores share a rank)</dd>",
        f"<dt>Overall</dt><dd>{formula} (combine method <code>{e(profile.combine)}</code>)</dd>",
        "<dt>Rank change</dt><dd>last month's rank − this month's rank (▲ moved up; new: not ranked last month)</dd>",
        "</dl>",
        "<h2>Weights</h2>",
        table(
            [Column("Dimension", numeric=False), Column("Weight")],
            [cell(d, text=True) + cell(weights[d], f"{weights[d]:.4g}") for d in DIMENSIONS],
            css="plain",
        ),
        "<h2>Scoring conventions</h2>",
        f"<pre>{e((scoring.__doc__ or '').strip())}</pre>",
    ]
    for dim in DIMENSIONS:
        spec = profile.dimensions[dim]
        parts.append(f'<h2 id="{e(dim)}">{e(dim.title())} metrics</h2>')
        if spec.metrics is None:
            seen = (
                tables.metrics[dim]
                .filter(pl.col("month") == tables.latest)["metric"]
                .unique(maintain_order=True)
            )
            parts.append(
                "<p>Every column of the month's hand input, in file order. Columns in "
                f"{e(tables.latest)}:</p>"
            )
            rows = [
                cell(m, text=True) + cell(spec.categories.get(m, "(no category)"), text=True) for m in seen
            ]
        else:
            rows = [
                cell(m.column, text=True) + cell(m.category, text=True) + cell(m.label or "", text=True)
                for m in spec.metrics
            ]
        header = [Column("Column", numeric=False), Column("Category", numeric=False)]
        if spec.metrics is not None:
            header.append(Column("Label", numeric=False))
        parts.append(table(header, rows, css="plain"))
    parts.append("<h2>Filters and cleaning switches</h2>")
    rules = profile.cleaning
    parts.append(
        table(
            [
                Column("Switch", numeric=False),
                Column("Value", numeric=False),
                Column("Meaning", numeric=False),
            ],
            [
                cell(f.name, text=True)
                + cell(_switch(getattr(rules, f.name)), text=True)
                + cell(SWITCHES.get(f.name, ""), text=True)
                for f in fields(Cleaning)
            ],
            css="plain",
        )
    )
    parts.append("<h2>Data-quality checks</h2>")
    parts.append(
        table(
            [Column(n, numeric=False) for n in ("Layer", "Table", "Check", "Kind", "What it asserts")],
            [
                cell(layer, text=True)
                + cell(spec.table, text=True)
                + cell(spec.name, text=True)
                + cell("blocking" if spec.blocking else "warning", text=True)
                + cell(spec.description, text=True)
                for layer, specs in CHECKS.items()
                for spec in specs
            ],
            css="plain",
        )
    )
    return "".join(parts)


def _switch(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "(none)"
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


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
            + cell(detail, text=True)
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
        f"<li>{_org_link(tables, r['org'])} moved {'up' if r['delta_rank'] > 0 else 'down'} "
        f"{abs(r['delta_rank'])} places to overall rank {r['rank']}</li>"
        for r in moves.iter_rows(named=True)
    ]
    anomalies += [
        f"<li>{_org_link(tables, org)} is ranked for the first time since {e(previous)}</li>"
        for org in arrivals
    ]
    summary = (
        f"{len(outcomes)} checks: {sum(o.passed for _, o in outcomes)} passed, "
        f"{len(warnings)} warnings, {len(failed_blocking)} blocking failures"
    )
    return (
        f"<h1>Data quality · {e(month)}</h1>"
        f'<p class="lead">The checks the pipeline runs on every layer, recomputed over the stored tables of '
        f"{e(month)}. {e(summary)}. Warnings report what the published data itself breaks; a blocking "
        "failure would have stopped the run before anything was written.</p>"
        f'<div class="controls">{month_select(tables.months, month, "quality")}</div>'
        "<h2>Anomalies</h2>"
        + (f"<ul>{''.join(anomalies)}</ul>" if anomalies else '<p class="muted">None this month.</p>')
        + "<h2>Check results</h2>"
        + table(
            [Column(n, numeric=False) for n in ("Status", "Layer", "Table", "Check", "Kind", "Details")], rows
        )
    )
