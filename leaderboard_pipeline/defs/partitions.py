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


# A location with open-ended partitions (live) may run for years without reloading its definitions.
OPEN_ENDED_MONTHS = 120

UP_TO_THIS_MONTH = "up_to_this_month"
WITH_PREVIOUS_MONTH = "with_previous_month"


def month_windows(monthly: dg.MonthlyPartitionsDefinition) -> dict[str, dg.PartitionMapping]:
    """How a step reads other months of an upstream table, by name.

    ``up_to_this_month``: every month up to and including the partition, never a later one (accumulated
    tables; cumulative downloads differenced against the latest earlier snapshot). The window reaches
    back to the first partition and no further: Dagster offsets a time window one month at a time, and
    the former fixed 600 months cost 1.5 s a ten-month backfill. Open-ended partitions get
    ``OPEN_ENDED_MONTHS`` more.
    ``with_previous_month``: the partition and the one before it (last month's code repository counts);
    the first partition simply has no previous one."""
    span = len(monthly.get_partition_keys()) + (OPEN_ENDED_MONTHS if monthly.end is None else 0)
    return {
        UP_TO_THIS_MONTH: dg.TimeWindowPartitionMapping(
            start_offset=-span, end_offset=0, allow_nonexistent_upstream_partitions=True
        ),
        WITH_PREVIOUS_MONTH: dg.TimeWindowPartitionMapping(
            start_offset=-1, end_offset=0, allow_nonexistent_upstream_partitions=True
        ),
    }


single_run = dg.BackfillPolicy.single_run()
