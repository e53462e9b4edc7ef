"""The method page, generated from the active scoring profile and the metric catalog: what every number
means, how it is scaled, combined and ranked, which months have it, and every cleaning switch and check."""

from __future__ import annotations

from dataclasses import fields

import polars as pl

from leaderboard_pipeline.config.metric_catalog import SOURCE_NAMES
from leaderboard_pipeline.config.profiles import DIMENSIONS, Cleaning
from leaderboard_pipeline.config.registry import load_registry, repo_coverage
from leaderboard_pipeline.config.settings import DATA_DIR
from leaderboard_pipeline.core.profile_diff import rank_changes
from leaderboard_pipeline.core.quality import CHECKS
from leaderboard_pipeline.site.formatting import month_ranges
from leaderboard_pipeline.site.layout import Column, cell, e, grouped_rows, table, text_columns
from leaderboard_pipeline.site.tables import PUBLISHED_PROFILE, SiteTables, category_of, intervals

# What each cleaning switch means (the values themselves come from the active profile).
SWITCHES = {
    "case_sensitive_orgs": "platform namespaces resolve to organisations case-sensitively",
    "label_case_fallback": "labels are looked up ignoring case when the exact key is missing",
    "published_labels": "a live month taken over from the published leaderboard uses its published label "
    "files by exact key (our rules elsewhere)",
    "count_duplicates": "a record listed twice in one crawl counts twice",
    "min_model_downloads": "monthly downloads a model needs to count",
    "min_language_model_parameters": "parameters a language model needs to count (null: no threshold)",
    "skip_first_month": "raw tables whose datasets are skipped when there is no previous total",
    "drop_negative_deltas": "raw tables whose negative monthly differences drop the row",
    "clamp_negative_deltas": "a cumulative counter that went down contributes 0, not a negative number",
    "shared_previous_totals": "one previous-total map per platform for models and datasets",
    "falsy_previous_is_missing": "a previous total of 0 counts as no previous total",
    "sentinels_as_null": "-1 likes / community values mean unknown",
    "unknown_counts_as_zero": "a merged item whose likes / community no platform reports counts 0 (else unknown)",
    "merge_key": "key that merges one item across platforms",
    "source_order": "platform precedence when merging (first platform's fields win)",
    "invalid_modalities_as_null": 'the strings "null" and "" are not modalities',
    "dedupe_other_sources": "a curated dataset listed twice counts once per category",
    "accumulate_key": "key that identifies an item across months in accumulated tables",
}
KIND_TEXT = {
    "count": "count",
    "downloads": "downloads",
    "share": "share (%)",
    "flag": "yes / no",
    "score": "score 0–1",
    "number": "number",
}


def _switch(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "(none)"
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _sources(sources: tuple[str, ...]) -> str:
    """Platform names once each ("Hugging Face · ModelScope · curated"), the full list on hover."""
    names = list(dict.fromkeys(SOURCE_NAMES.get(s.split(".", 1)[0], s.split(".", 1)[0]) for s in sources))
    return f'<span title="{e(", ".join(sources))}">{e(" · ".join(names))}</span>' if names else "–"


def _months_with_values(tables: SiteTables, dimension: str) -> dict[str, set[str]]:
    """metric column -> the months in which at least one org has a (non-null) value."""
    have = (
        tables.metrics[dimension]
        .filter(pl.col("value").is_not_null())
        .group_by("metric")
        .agg(pl.col("month").unique())
    )
    return {m: set(months) for m, months in have.iter_rows()}


def _conventions(tables: SiteTables) -> str:
    profile = tables.profile
    if profile.combine == "mean":
        formula = "overall = Σ w<sub>d</sub> · score<sub>d</sub> / Σ w<sub>d</sub>"
    else:
        formula = "overall = Σ w<sub>d</sub> · 1 / log<sub>2</sub>(rank<sub>d</sub> + 1)"
    normalisation = {
        "minmax": "Min-Max per metric column: (x − min) / (max − min)",
        "max": "share of the maximum per metric column: x / max",
    }[profile.normalisation]
    has_intervals = any(intervals(f) for f in (tables.overall, *tables.ranks.values()))
    interval = (
        "<dt>Rank interval</dt><dd>the small range under a rank: where 95 % of bootstrap resamples of the "
        "items behind the metrics rank the organisation (2.5 % to 97.5 %), and on the organisation pages the "
        "best and worst rank when each metric is left out in turn. A ranking with nothing to resample (hand "
        "inputs only: system and benchmark without code repositories) says “not resampled”, never ±0.</dd>"
        if has_intervals
        else "<dt>Rank interval</dt><dd>not computed by this profile: no rank is resampled, so none says how "
        "sure it is.</dd>"
    )
    return (
        '<dl class="facts">'
        f"<dt>Normalisation</dt><dd>{e(normalisation)}, per month and variant. A column that carries no "
        "information that month (every organisation equal, or all zero under x / max) is left out: it "
        "cannot change anyone's rank. Unknown values are left out too, never read as 0.</dd>"
        "<dt>Dimension score</dt><dd>the mean of an organisation's normalised values (each column of a "
        "dimension weighs the same); an organisation with no informative column scores 0.</dd>"
        "<dt>Ranking</dt><dd>dense ranks of the score, descending: equal scores share a rank and the next "
        "score takes the next integer (1, 2, 2, 3).</dd>"
        f"<dt>Overall</dt><dd>{formula} (combine method <code>{e(profile.combine)}</code>). The accumulated "
        "overall ranking combines accumulated data and model with the monthly system and benchmark ranks.</dd>"
        "<dt>Rank change</dt><dd>the last ranked month's rank − this month's rank (▲ moved up, ▼ moved down; "
        "new: not ranked then). "
        + (
            "The last ranked month is the calendar previous month only (the published rule)."
            if profile.cleaning.previous_snapshot == "previous_month"
            else "A month the series skipped is bridged: the comparison is with the latest earlier ranked "
            "month, which the column header names when it is not the previous month."
        )
        + "</dd>"
        "<dt>Gaps</dt><dd>a platform that could not be collected is a gap of its month, said on every page "
        "and file with the month's ranks; a dimension whose every platform is missing (data: all four "
        "dataset platforms; model: Hugging Face and ModelScope) is not ranked that month, and the overall "
        "ranking combines the other dimensions, weighted as usual.</dd>"
        f"{interval}"
        "<dt>Monthly and accumulated</dt><dd>monthly: the month's downloads (Hugging Face's rolling 30 days, "
        "the difference of cumulative totals elsewhere); accumulated: every month up to this one added up, "
        "never a later month.</dd>"
        "<dt>Who is ranked</dt><dd>the organisations of the month's system hand input.</dd>"
        "</dl>"
    )


REGISTRY = DATA_DIR / "registry" / "orgs.yaml"


def _repository_coverage() -> str:
    """Which code repositories the contributor-activity metrics read, per org and category (the registry
    reviewed against the published evidence lists; data/registry/)."""
    coverage = repo_coverage(load_registry(REGISTRY))
    rows = [
        cell(r["org"], text=True)
        + cell(r["dimension"], text=True)
        + cell(r["category"], text=True)
        + cell(r["repos"], str(r["repos"]))
        + cell(r["names"], text=True, css="wrap")
        for r in coverage.iter_rows(named=True)
    ]
    header = [
        *text_columns("Organisation", "Dimension", "Category"),
        Column("Repositories"),
        *text_columns("Which"),
    ]
    return (
        '<h2 id="repositories">Code repositories behind contributor activity</h2>'
        f"<p>{coverage['repos'].sum()} repositories of {coverage['org'].n_unique()} organisations, from the "
        "organisation registry (<code>data/registry/orgs.yaml</code>), reviewed against the published "
        "leaderboard's evidence lists. Contributor activity is measured only on these.</p>"
        + table(header, rows, css="plain", label="code repositories per organisation")
    )


def _published(tables: SiteTables) -> str:
    """How this profile's ranks differ from the published ones, for the months that have a published
    ranking (the archive's, and those a live series took over from it): from the ranks the published
    profile stored in the same warehouse, so the page recomputes nothing."""
    months = tables.published_months()
    if not months:
        return ""
    profile = tables.profile
    head = '<h2 id="published">How these ranks differ from the published leaderboard</h2>'
    if profile.name == PUBLISHED_PROFILE:
        return head + (
            f"<p>This site ranks with <code>{e(PUBLISHED_PROFILE)}</code>, the published leaderboard's own "
            f"computation: for {e(month_ranges(tables.months, set(months)))} its ranks are the published ones. "
            "Months collected since are ranked by the same method from the collected data.</p>"
        )
    source = tables.source if tables.source in ("archive", "live") else "archive"
    command = f"leaderboard run --source {source} --profile {PUBLISHED_PROFILE}"
    if tables.published is None:
        return head + (
            f"<p>{e(month_ranges(tables.months, set(months)))} have a published ranking, computed by another "
            f"method than <code>{e(profile.name)}</code>'s. <code>{e(command)}</code> stores the published "
            "ranks beside these, and the next site build shows here who they move.</p>"
        )
    ours = {"overall": tables.overall, **tables.ranks}
    stored = set(tables.published["overall"]["month"].to_list())
    partial = (
        ""
        if set(months) <= stored
        else f" Only {e(month_ranges(tables.months, stored))} here: <code>{e(command)}</code> stores the "
        "published ranks of every month, and the next site build shows them all."
    )
    counts, latest = [], None
    for month in months:
        changes = _changes(tables.published, ours, month)
        if changes is None:
            continue
        counts.append(
            cell(month, text=True)
            + "".join(
                cell(n, str(n))
                for n in (changes.filter(pl.col("ranking") == r).height for r in ("overall", *DIMENSIONS))
            )
        )
        latest = (month, changes)
    if latest is None:
        return ""
    month, changes = latest
    shown = changes.filter(pl.col("ranking") == "overall").sort("rank_published", nulls_last=True)
    rows = [
        cell(r["org"], text=True)
        + cell(r["rank_published"], str(r["rank_published"] or "–"))
        + cell(r["rank"], str(r["rank"] or "–"))
        for r in shown.iter_rows(named=True)
    ]
    return (
        head + f"<p>The published leaderboard ranks with its own method (profile <code>{e(PUBLISHED_PROFILE)}"
        f"</code> reproduces it exactly from its inputs); this site ranks the same inputs with "
        f"<code>{e(profile.name)}</code>. Organisations whose monthly rank differs, per month and ranking "
        f"(of {e(month_ranges(tables.months, set(months)))}, the months with a published ranking).{partial}</p>"
        + table(
            [Column("Month", numeric=False), *(Column(r.title()) for r in ("overall", *DIMENSIONS))],
            counts,
            css="plain",
        )
        + f"<h3>Overall ranks of {e(month)}: published and here</h3>"
        + (
            table(
                [Column("Organisation", numeric=False), Column("Published", ascending=True), Column("Here")],
                rows,
                css="plain",
            )
            if rows
            else '<p class="muted">The same overall ranks.</p>'
        )
        + '<p class="muted">Which setting of the method moves whom: <code>leaderboard diff-profiles '
        f"--source {e(source)} --month {e(month)} --switches</code>.</p>"
    )


def _changes(published: dict[str, pl.DataFrame], ours: dict[str, pl.DataFrame], month: str):
    """(ranking, org, rank_published, rank) of the orgs whose monthly rank differs in ``month``."""

    def ranks(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(
            [
                f.filter((pl.col("month") == month) & (pl.col("variant") == "monthly")).select(
                    pl.lit(r).alias("ranking"), "org", "rank"
                )
                for r, f in frames.items()
            ]
        )

    theirs = ranks(published)
    if theirs.is_empty():
        return None
    return rank_changes(theirs, ranks(ours)).rename({"rank_a": "rank_published", "rank_b": "rank"})


def _beyond() -> str:
    """What the monthly whole-Hub census adds (core/census.py, core/derivatives.py; docs/method.md)."""
    return (
        '<h2 id="beyond">The Hub census: derivative reach, share of the Hub, candidates</h2>'
        "<p>Each live month lists every public Hugging Face model and dataset (downloads, likes, and each "
        "model's base models from its <code>base_model</code> tags). <strong>Derivative reach</strong>: the "
        "models whose base model, followed through the tags across accounts up to 10 generations, is one of "
        "the org's; the org's own models are followed through but not counted, and each model counts once "
        "(cycles cannot count twice). <strong>Share of the Hub</strong>: the org's downloads over every "
        "public item's. <strong>Candidates</strong>: accounts outside the registry scored like orgs on what "
        "the census can compute (models with the profile's minimum downloads, datasets downloaded that "
        "month, downloads, likes, derivative reach), the profile's normalisation and mean; an account "
        "attributed to a registry org on any platform is never a candidate. Months without a census (the "
        "published archive) have these values unknown.</p>"
    )


def method_page(tables: SiteTables) -> str:
    profile = tables.profile
    weights = profile.weights
    parts = [
        "<h1>Method</h1>",
        f'<p class="lead">Generated from the active scoring profile <code>{e(profile.name)}</code> '
        f"(<code>{e(profile.path.name)}</code>), the same object the pipeline scores with, and from the "
        f"metric catalog. Source of this site: <strong>{e(tables.source)}</strong>.</p>",
        f"<p>{e(profile.description)}</p>",
        "<h2>How the scores are computed</h2>",
        _conventions(tables),
        "<h2>Weights</h2>",
        table(
            [Column("Dimension", numeric=False), Column("Weight")],
            [cell(d, text=True) + cell(weights[d], f"{weights[d]:.4g}") for d in DIMENSIONS],
            css="plain",
            label="weights",
        ),
    ]
    for dim in DIMENSIONS:
        spec = profile.dimensions[dim]
        present = _months_with_values(tables, dim)
        if spec.metrics is None or spec.inputs:
            listed = [m.column for m in spec.metrics or ()]
            seen = tables.metrics[dim]["metric"].unique(maintain_order=True).to_list()
            seen += [c for c in listed if c not in seen]
            intro = (
                "<p>Every column of the month's hand input, in file order (a column added in a later month is "
                "scored from then on).</p>"
            )
        else:
            seen = [m.column for m in spec.metrics]
            intro = ""
        groups: dict[str, list] = {}
        for m in seen:
            entry = tables.metric(dim, m)
            label = f'<span id="{e(dim)}-{e(m)}">{e(entry.label)}</span><code class="column">{e(m)}</code>'
            groups.setdefault(category_of(profile, dim, m) or "(no category)", []).append(
                cell(entry.label, label, text=True)
                + cell(KIND_TEXT[entry.kind], text=True)
                + cell(entry.definition or "(no definition in the metric catalog)", text=True, css="wrap")
                + cell(None, _sources(entry.sources), text=True)
                + cell(month_ranges(tables.months, present.get(m, set())), text=True, css="months")
            )
        parts.append(f'<h2 id="{e(dim)}">{e(dim.title())} metrics</h2>{intro}')
        header = text_columns("Metric", "Kind", "Definition", "Sources", "Months with values")
        parts.append(
            table(
                header,
                grouped_rows(len(header), groups.items()),
                css="plain definitions",
                label=f"{dim} metrics",
            )
        )
    parts.append(_published(tables))
    parts.append(_repository_coverage())
    parts.append(_beyond())
    parts.append("<h2>Filters and cleaning switches</h2>")
    rules = profile.cleaning
    parts.append(
        table(
            text_columns("Switch", "Value", "Meaning"),
            [
                cell(f.name, f"<code>{e(f.name)}</code>", text=True)
                + cell(_switch(getattr(rules, f.name)), text=True)
                + cell(SWITCHES.get(f.name, ""), text=True, css="wrap")
                for f in fields(Cleaning)
            ],
            css="plain",
            label="cleaning switches",
        )
    )
    parts.append("<h2>Data-quality checks</h2>")
    parts.append(
        table(
            text_columns("Layer", "Table", "Check", "Kind", "What it asserts"),
            [
                cell(layer, text=True)
                + cell(spec.table, text=True)
                + cell(spec.name, text=True)
                + cell("blocking" if spec.blocking else "warning", text=True)
                + cell(spec.description, text=True, css="wrap")
                for layer, specs in CHECKS.items()
                for spec in specs
            ],
            css="plain",
            label="data-quality checks",
        )
    )
    return "".join(parts)
