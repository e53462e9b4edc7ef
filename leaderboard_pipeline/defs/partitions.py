"""Monthly partitions ("YYYY-MM"): the months a source can produce, and how a month reads others."""

from __future__ import annotations

import os

import dagster as dg

from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.months import next_month
from leaderboard_pipeline.defs.run_settings import RunSettings

FIRST_MONTH = os.environ.get("LEADERBOARD_FIRST_MONTH", "2024-11")


def source_months(run: RunSettings) -> list[str]:
    """The months a bounded source holds, known without reading them: the demo's four, an archive's dated
    folders. Empty for the live source (any month from the first one on) and for an archive that cannot
    be opened (its run says why)."""
    if run.source == "demo":
        from leaderboard_pipeline.sources.demo import months

        return months()
    if run.source == "archive":
        from leaderboard_pipeline.sources.factory import make_source

        try:
            return sorted(make_source("archive", run.archive or None).months())
        except SourceError:
            return []
    return []


def partitions_for(run: RunSettings) -> dg.MonthlyPartitionsDefinition:
    """The code location's partitions: a bounded source's own months (first to last; its asset pages show
    no month it can never have), otherwise every month from ``LEADERBOARD_FIRST_MONTH`` to the current
    one. Read when the location loads: a folder added to an archive shows after *Reload definitions*."""
    months = source_months(run)
    if months:
        return dg.MonthlyPartitionsDefinition(
            start_date=months[0], end_date=next_month(months[-1]), fmt="%Y-%m"
        )
    return dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=1)


# A month's ModelScope / OpenDataLab / BAAI downloads are differences against the previous month's
# cumulative totals, and delta ranks compare with the previous month's metrics: both inputs span
# [previous month, this month]. The first partition simply has no previous one.
with_previous_month = dg.TimeWindowPartitionMapping(
    start_offset=-1, end_offset=0, allow_nonexistent_upstream_partitions=True
)

# Accumulated tables cover every month up to and including the partition (never later months).
up_to_this_month = dg.TimeWindowPartitionMapping(
    start_offset=-600, end_offset=0, allow_nonexistent_upstream_partitions=True
)

single_run = dg.BackfillPolicy.single_run()
