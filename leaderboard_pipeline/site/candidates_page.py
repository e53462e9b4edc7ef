"""The curators' page of a month: accounts outside the registry that would rank by the Hub census.

From ``clean.census_candidates`` (core/census.py): per dimension, the accounts outside the registry in the
first ``SHOWN`` ranks by the metrics the census can compute, with their evidence (top items, downloads,
share of the Hub) and the registry entry to paste; the registry orgs in the same ranking, for scale; the
accounts named as a registry org's namespace on another platform (never candidates). A month without a
census says so.
"""

from __future__ import annotations

from urllib.parse import quote

import polars as pl

from leaderboard_pipeline.core.census import registry_entry
from leaderboard_pipeline.site.formatting import format_score, format_value
from leaderboard_pipeline.site.layout import Column, cell, e, month_select, table, value_cell
from leaderboard_pipeline.site.tables import SiteTables

SHOWN = 25
HUB = "https://huggingface.co"
DIMENSIONS = (
    ("model", "Model dimension", "models with at least the profile's monthly downloads"),
    ("data", "Data dimension", "datasets downloaded this month"),
)


def _hub_link(repo_id: str, dimension: str) -> str:
    prefix = "" if dimension == "model" else "datasets/"
    return f"{HUB}/{prefix}{quote(repo_id, safe='/')}"


def _evidence(row: dict, dimension: str) -> str:
    items = row["top_items"] or []
    counts = row["top_item_downloads"] or []
    return "<br>".join(
        f'<a href="{e(_hub_link(i, dimension))}" rel="noopener">{e(i)}</a> '
        f'<span class="muted">{e(format_value(d, "downloads"))}</span>'
        for i, d in zip(items, counts, strict=False)
    )


def _candidates(rows: pl.DataFrame, dimension: str, what: str) -> str:
    model = dimension == "model"
    columns = [
        Column("Rank", ascending=True),
        Column("Account", numeric=False),
        Column("Score"),
        Column("Items", note=what),
        Column("Downloads", note="30 days"),
        Column("Share of the Hub"),
        Column("Likes"),
        *([Column("Derivative models"), Column("Derivative downloads")] if model else []),
        Column("Top items", numeric=False),
        Column("Registry entry to paste", numeric=False),
    ]
    body = []
    for r in rows.iter_rows(named=True):
        account = r["owner"]
        entry = registry_entry(account)
        body.append(
            cell(r["rank"])
            + cell(
                account, f'<a href="{e(HUB)}/{e(quote(account))}" rel="noopener">{e(account)}</a>', text=True
            )
            + cell(r["score"], format_score(r["score"]))
            + value_cell(r["items"], "count")
            + value_cell(r["downloads"], "downloads")
            + value_cell(r["share"], "share")
            + value_cell(r["likes"], "count")
            + (
                value_cell(r["derivative_models"], "count")
                + value_cell(r["derivative_downloads"], "downloads")
                if model
                else ""
            )
            + f'<td class="text wrap">{_evidence(r, dimension)}</td>'
            + f'<td class="text"><details><summary>YAML</summary><pre>{e(entry)}</pre></details></td>'
        )
    if not body:
        return f'<p class="muted">No account outside the registry ranks in the first {SHOWN} this month.</p>'
    return table(columns, body)


def _orgs(rows: pl.DataFrame) -> str:
    if rows.is_empty():
        return ""
    body = [
        cell(r["rank"])
        + cell(r["owner"], text=True)
        + cell(r["score"], format_score(r["score"]))
        + value_cell(r["downloads"], "downloads")
        + value_cell(r["share"], "share")
        for r in rows.sort("rank", "owner").iter_rows(named=True)
    ]
    columns = [Column("Rank", ascending=True), Column("Registry org", numeric=False), Column("Score")]
    columns += [Column("Downloads", note="30 days"), Column("Share of the Hub")]
    return (
        "<details><summary>Registry orgs in the same ranking</summary>" + table(columns, body) + "</details>"
    )


def _elsewhere(rows: pl.DataFrame) -> str:
    if rows.is_empty():
        return ""
    items = "".join(
        f"<li>{e(r['owner'])}: {e(r['org'])}'s namespace on {e(r['attributed'])} (rank {r['rank']}, "
        f"{e(format_value(r['downloads'], 'downloads'))} downloads) — add it under <code>huggingface</code> "
        "if it is the same organisation</li>"
        for r in rows.sort("rank", "owner").iter_rows(named=True)
    )
    return (
        "<p>Accounts named as a registry org's namespace on another platform (never candidates):</p>"
        f"<ul>{items}</ul>"
    )


def candidates_page(tables: SiteTables, month: str) -> str:
    rows = tables.candidates.filter(pl.col("month") == month)
    head = (
        f"<h1>Candidates for the registry · {e(month)}</h1>"
        f'<div class="controls">{month_select(tables.months, month, "candidates")}</div>'
        "<p>Accounts on the Hugging Face Hub outside the registry that would rank among the first "
        f"{SHOWN} of a dimension if they were organisations of the leaderboard, by the metrics the month's "
        "whole-Hub census can compute (models, downloads, likes and, for models, derivative reach), "
        "normalised and averaged as the profile does. Accounts already attributed to a registry org are never "
        'candidates. <a href="method.html#beyond">How this is computed</a>.</p>'
    )
    if rows.is_empty():
        return head + (
            '<p class="muted">No Hub census this month (the published archive, or a month collected '
            "before the census): nothing to propose.</p>"
        )
    out = [head]
    for dimension, title, what in DIMENSIONS:
        mine = rows.filter(pl.col("dimension") == dimension)
        accounts = mine.filter(pl.col("org").is_null() & (pl.col("rank") <= SHOWN)).sort("rank", "owner")
        orgs = mine.filter(pl.col("attributed") == "HuggingFace")
        elsewhere = mine.filter(pl.col("org").is_not_null() & (pl.col("attributed") != "HuggingFace"))
        out.append(
            f'<h2 id="{e(dimension)}">{e(title)}</h2>'
            + _candidates(accounts, dimension, what)
            + _orgs(orgs)
            + _elsewhere(elsewhere.filter(pl.col("rank") <= SHOWN))
        )
    return "".join(out)
