"""Which earlier snapshot each month's cumulative downloads are differenced against, and what that means
for ranking the month.

Hugging Face reports a 30-day download count; ModelScope, OpenDataLab and BAAI report only cumulative
totals, so their monthly downloads are a difference between two snapshots. ``clean.snapshots`` says,
per month and platform table, how the month's downloads were obtained:

- ``rolling``: the platform's own 30-day count (Hugging Face);
- ``differenced``: against ``previous_month`` (the latest earlier stored snapshot, or the calendar
  previous month in the published profile);
- ``first``: no earlier snapshot, so no monthly downloads for that platform this month;
- ``absent``: no rows this month; ``missing``: the platform was down and the month went without it.

A **baseline month** has rows of cumulative platforms but no earlier snapshot of any of them (the first
month a warehouse holds): it is stored so the next month can difference against it, and, unless the
profile says otherwise, it is not ranked.
"""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.profiles import Cleaning
from leaderboard_pipeline.contract.months import previous_month
from leaderboard_pipeline.core.cleaning import CUMULATIVE, PLATFORM_OF
from leaderboard_pipeline.core.gaps import gap_notes

SNAPSHOT_SCHEMA = {
    "month": pl.String,
    "table": pl.String,
    "platform": pl.String,
    "status": pl.String,
    "previous_month": pl.String,
    "rows": pl.Int64,
    "rows_with_previous": pl.Int64,
}
STATUSES = ("rolling", "differenced", "first", "absent", "missing")


def previous_snapshot(frame: pl.DataFrame, month: str, rules: Cleaning) -> str | None:
    """The month ``month``'s totals in ``frame`` (one cumulative raw table, several months) are
    differenced against, or None when there is none."""
    if rules.previous_snapshot == "previous_month":
        earlier = previous_month(month)
        return earlier if frame.filter(pl.col("month") == earlier).height else None
    months = frame.filter(pl.col("month") < month)["month"]
    return months.max() if months.len() else None


def snapshot_status(
    manifest: pl.DataFrame | None,
    clean: dict[str, pl.DataFrame],
    months: list[str],
    earlier: dict[tuple[str, str], str | None],
) -> pl.DataFrame:
    """``clean.snapshots`` for ``months``: one row per month and platform table. ``earlier``: the
    snapshot each (month, cumulative table) was differenced against (`previous_snapshot`)."""
    missing = (
        set(manifest.filter(pl.col("status") == "missing").select("month", "table").iter_rows())
        if manifest is not None and "status" in manifest.columns
        else set()
    )
    rows = []
    for month in months:
        for table, frame in clean.items():
            this = frame.filter(pl.col("month") == month)
            with_previous = this["previous_total"].is_not_null().sum() if table in CUMULATIVE else None
            if (month, table) in missing:
                status, previous = "missing", None
            elif this.is_empty():
                status, previous = "absent", None
            elif table not in CUMULATIVE:
                status, previous = "rolling", None
            else:
                previous = earlier.get((month, table))
                status = "differenced" if previous else "first"
            rows.append((month, table, PLATFORM_OF[table], status, previous, this.height, with_previous))
    return pl.DataFrame(rows, schema=SNAPSHOT_SCHEMA, orient="row")


def baseline_months(snapshots: pl.DataFrame) -> list[str]:
    """Months with cumulative rows but no earlier snapshot of any cumulative platform."""
    cumulative = snapshots.filter(pl.col("table").is_in(CUMULATIVE), pl.col("rows") > 0)
    per_month = cumulative.group_by("month").agg(baseline=(pl.col("status") == "first").all())
    return sorted(per_month.filter(pl.col("baseline"))["month"].to_list())


def unranked_months(snapshots: pl.DataFrame, rules: Cleaning) -> list[str]:
    """The months this profile stores but does not rank."""
    return [] if rules.rank_baseline_months else baseline_months(snapshots)


def first_snapshots(snapshots: pl.DataFrame) -> pl.DataFrame:
    """(month, table) pairs with rows but no earlier snapshot: those months' monthly downloads of the
    platform are missing, which a ranked month must say."""
    return snapshots.filter(pl.col("status") == "first").select("month", "table", "platform", "rows")


def baseline_notes(snapshots: pl.DataFrame, rules: Cleaning) -> list[str]:
    """One line per month stored as a baseline and not ranked, and per month ranked with platforms
    missing (``gaps.gap_notes``: which, and which dimension is not ranked), for the operator."""
    notes = []
    baselines = unranked_months(snapshots, rules)
    for month in baselines:
        platforms = (
            snapshots.filter(pl.col("month") == month, pl.col("status") == "first")["platform"]
            .unique(maintain_order=True)
            .to_list()
        )
        notes.append(
            f"{month} is stored as a baseline, not ranked: {', '.join(platforms)} report only cumulative "
            "downloads and no earlier snapshot is stored to difference against; the next month you run "
            "is ranked against this one"
        )
    ranked = [m for m in snapshots["month"].unique().sort().to_list() if m not in baselines]
    return notes + gap_notes(snapshots, ranked)
