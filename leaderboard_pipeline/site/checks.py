"""The data-quality checks of a month, recomputed over the stored tables.

Recomputing with the same ``leaderboard_pipeline.quality`` functions the assets run is more robust than
reading the Dagster instance: the site builds from a warehouse alone (e.g. on a publishing machine), and
a multi-month backfill records one evaluation per run, not per month.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.contract.raw_tables import RAW_TABLES, empty_raw
from leaderboard_pipeline.core.layers import CLEAN_TABLES, SCORE_TABLES
from leaderboard_pipeline.core.metrics import ranked_orgs
from leaderboard_pipeline.core.quality import Outcome, clean_checks, metrics_checks, raw_checks, scores_checks
from leaderboard_pipeline.site.tables import Reader
from leaderboard_pipeline.warehouse import connect


def month_outcomes(
    warehouse: Path, profile: Profile, months: list[str]
) -> dict[str, list[tuple[str, Outcome]]]:
    """month -> (layer, outcome) of every check of every layer. A layer whose tables are not all stored
    is skipped rather than reported as failing. Each table is read once for all months (opening the
    database per table and month costs more than the checks themselves)."""

    with connect(warehouse, read_only=True) as con:
        read = Reader(con, profile.name, months)
        # Tables a source does not provide (e.g. code_repos outside the live source) are empty, not missing.
        raw = {t: f if (f := read("raw", t)) is not None else empty_raw(t) for t in RAW_TABLES}
        clean = {t: read("clean", t) for t in CLEAN_TABLES}
        metrics = {d: read("metrics", d) for d in DIMENSIONS}
        scores = {t: read("scores", t) for t in SCORE_TABLES}

    def of(frames: dict[str, pl.DataFrame | None], month: str) -> dict[str, pl.DataFrame] | None:
        if any(f is None for f in frames.values()):
            return None
        return {t: f.filter(pl.col("month") == month) for t, f in frames.items()}

    result = {}
    for month in months:
        out: list[tuple[str, Outcome]] = []
        month_raw = of(raw, month)
        out += [("raw", o) for o in raw_checks(month_raw)]
        orgs = ranked_orgs(month_raw["system_inputs"])
        if (month_clean := of(clean, month)) is not None:
            out += [("clean", o) for o in clean_checks(month_clean, profile.cleaning)]
            if (month_metrics := of(metrics, month)) is not None:
                checks = metrics_checks(month_metrics, orgs, month_clean["models"], month_clean["snapshots"])
                out += [("metrics", o) for o in checks]
        if (month_scores := of(scores, month)) is not None:
            month_metrics = of(metrics, month)
            per_dim = {d: ranked_orgs(t) for d, t in month_metrics.items()} if month_metrics else None
            out += [("scores", o) for o in scores_checks(month_scores, orgs, per_dim)]
        result[month] = out
    return result


def rank_moves(overall: pl.DataFrame, month: str, threshold: int = 3) -> pl.DataFrame:
    """Orgs whose monthly overall rank moved by ``threshold`` or more places since last month."""
    return (
        overall.filter(
            (pl.col("month") == month)
            & (pl.col("variant") == "monthly")
            & (pl.col("delta_rank").abs() >= threshold)
        )
        .select("org", "rank", "delta_rank")
        .sort(pl.col("delta_rank").abs(), "org", descending=[True, False])
    )


def new_orgs(overall: pl.DataFrame, month: str, previous: str | None) -> list[str]:
    """Orgs ranked this month that last month's ranking did not hold."""
    if previous is None:
        return []
    monthly = overall.filter(pl.col("variant") == "monthly")
    now = monthly.filter(pl.col("month") == month).select("org")
    before = monthly.filter(pl.col("month") == previous).select("org")
    return sorted(now.join(before, on="org", how="anti")["org"].to_list())
