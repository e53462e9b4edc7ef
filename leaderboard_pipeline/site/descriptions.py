"""What each page tells search engines and link previews (``<meta name="description">``): what the page
ranks or holds and for which month, in one sentence of about 160 characters or fewer (what results pages
show), from the stored tables like the page itself."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.site.tables import SiteTables

BOARD = "the open-source influence leaderboard of large-model technology"


def _ranked(tables: SiteTables, month: str) -> int:
    return tables.overall.filter((pl.col("month") == month) & (pl.col("variant") == "monthly")).height


def overall(tables: SiteTables, month: str) -> str:
    return (
        f"Overall ranking of {_ranked(tables, month)} organisations in {BOARD}, {month}: data, model, "
        "system and benchmark scores, rank changes, monthly and accumulated."
    )


def dimension(tables: SiteTables, dim: str, month: str) -> str:
    metrics = (
        tables.normalised[dim]
        .filter(pl.col("month") == month)["metric"]
        .unique(maintain_order=True)
        .to_list()
    )
    labels = [tables.metric(dim, m).label for m in metrics[:2]]
    such = f" such as {' and '.join(labels)}" if labels else ""
    return (
        f"{dim.title()} ranking of {_ranked(tables, month)} organisations in {BOARD}, {month}: "
        f"{len(metrics)} metrics{such}, with values and normalised scores."
    )


def compare(tables: SiteTables, month: str) -> str:
    return (
        f"Compare up to four of the {_ranked(tables, month)} organisations of {BOARD}, {month}: ranks, "
        "scores, rank histories and every metric side by side."
    )


def org(tables: SiteTables, name: str, month: str, ranks_of: dict[tuple[str, str], dict[str, int]]) -> str:
    """``ranks_of``: ``org_ranks(tables)``, read once per build rather than once per org page."""
    ranks = ranks_of.get((month, name), {})
    total = _ranked(tables, month)
    parts = ", ".join(f"{d} {ranks[d]}" for d in DIMENSIONS if ranks.get(d) is not None)
    return (
        f"{name}, {month}: overall rank {ranks.get('overall', '–')} of {total} in {BOARD}"
        + (f" ({parts})" if parts else "")
        + ", with its rank history and every number behind it."
    )


def org_ranks(tables: SiteTables) -> dict[tuple[str, str], dict[str, int]]:
    """(month, org) -> ranking -> monthly rank."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for name, frame in {"overall": tables.overall, **tables.ranks}.items():
        monthly = frame.filter(pl.col("variant") == "monthly").select("month", "org", "rank")
        for month, org_name, rank in monthly.iter_rows():
            out.setdefault((month, org_name), {})[name] = rank
    return out


def method(tables: SiteTables) -> str:
    return (
        f"How {BOARD} ranks organisations: normalisation, weights, dimension scores and every metric's "
        f"definition and sources (profile {tables.profile.name})."
    )


def quality(tables: SiteTables, month: str) -> str:
    return (
        f"Data quality of {BOARD}, {month}: platforms missing, hand inputs not yet reviewed, anomalies and "
        "the result of every check."
    )


def open_data(tables: SiteTables, month: str) -> str:
    return (
        f"Open data of {BOARD}, {month}: every ranking and metric table as CSV and Parquet, and a JSON API "
        "with schemas."
    )
