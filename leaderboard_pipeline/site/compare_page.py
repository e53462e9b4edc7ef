"""The compare page of a month: 2-4 organisations side by side (dimension scores and ranks, every metric
value, rank histories). The page carries its numbers as embedded JSON, already formatted here so the
script only lays them out; the choice lives in the URL fragment (``#orgs=BAAI,Meta,Google``), so a
comparison can be shared."""

from __future__ import annotations

import json

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.contract.untrusted import clean_data
from leaderboard_pipeline.site.formatting import format_score, format_value, is_unknown
from leaderboard_pipeline.site.layout import e, month_select
from leaderboard_pipeline.site.tables import RANKINGS, SiteTables, category_of, org_href

MAX_ORGS = 4


def _rank_text(row: dict | None) -> list:
    if row is None:
        return [None, "–", ""]
    low, high = row.get("rank_low"), row.get("rank_high")
    interval = f"{low}–{high}" if low is not None and high is not None and low != high else ""
    return [row["rank"], format_score(row["score"]), interval]


def compare_data(tables: SiteTables, month: str) -> dict:
    frames = {"overall": tables.overall, **tables.ranks}
    monthly = {
        name: {
            r["org"]: r
            for r in frame.filter((pl.col("month") == month) & (pl.col("variant") == "monthly")).iter_rows(
                named=True
            )
        }
        for name, frame in frames.items()
    }
    ranked = (
        tables.overall.filter((pl.col("month") == month) & (pl.col("variant") == "monthly"))
        .sort("rank", "position")["org"]
        .to_list()
    )
    history = {}
    for org in ranked:
        history[org] = {}
        for name, frame in frames.items():
            ranks = dict(
                frame.filter((pl.col("org") == org) & (pl.col("variant") == "monthly"))
                .select("month", "rank")
                .iter_rows()
            )
            history[org][name] = [ranks.get(m) for m in tables.months]
    metrics, shown, raw = [], {org: [] for org in ranked}, {org: [] for org in ranked}
    for dim in DIMENSIONS:
        rows = tables.normalised[dim].filter((pl.col("month") == month) & (pl.col("variant") == "monthly"))
        values = {(r["org"], r["metric"]): r["value"] for r in rows.iter_rows(named=True)}
        for column in rows["metric"].unique(maintain_order=True).to_list():
            entry = tables.metric(dim, column)
            metrics.append(
                {
                    "dim": dim,
                    "label": entry.label,
                    "tip": entry.definition,
                    "category": category_of(tables.profile, dim, column),
                    "anchor": f"{dim}-{column}",
                }
            )
            for org in ranked:
                value = values.get((org, column))
                shown[org].append(format_value(value, entry.kind))
                raw[org].append(None if is_unknown(value) else value)
    return {
        "month": month,
        "months": tables.months,
        "rankings": list(RANKINGS),
        "orgs": ranked,
        "pages": {org: org_href(tables, org, month) for org in ranked},
        "scores": {org: {n: _rank_text(monthly[n].get(org)) for n in RANKINGS} for org in ranked},
        "history": history,
        "metrics": metrics,
        "values": shown,
        "raw": raw,
    }


def compare_page(tables: SiteTables, month: str) -> str:
    data = compare_data(tables, month)
    boxes = "".join(
        f'<label><input type="checkbox" value="{e(org)}" data-pick> {e(org)}</label>' for org in data["orgs"]
    )
    # "</" inside a script element would end it early: escape it in the JSON text.
    payload = json.dumps(
        clean_data(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).replace("</", "<\\/")
    return (
        f'<h1>Compare organisations · <span class="month">{e(month)}</span></h1>'
        f'<p class="lead">Pick 2 to {MAX_ORGS} organisations to see their dimension scores, every metric value '
        "and their rank histories side by side. The address of this page keeps the choice: share it.</p>"
        f'<div class="controls">{month_select(tables.months, month, "compare")}</div>'
        f'<fieldset class="picker js-only"><legend>Organisations (up to {MAX_ORGS}), '
        f"ranked {e(month)}</legend>{boxes}</fieldset>"
        "<noscript><p>Comparing needs JavaScript; every organisation's own page has the same numbers.</p></noscript>"
        # A short status is announced when the choice changes, not the whole comparison under it; the
        # comparison's box keeps a screen's height from the start, so filling it moves nothing in view.
        '<p id="compare-status" class="js-only" role="status" aria-live="polite"></p>'
        '<div id="comparison" class="js-only"></div>'
        f'<script type="application/json" id="compare-data">{payload}</script>'
    )
