"""Monthly partitions ("YYYY-MM"), from the first archived month to the current one."""

from __future__ import annotations

import os

import dagster as dg

FIRST_MONTH = os.environ.get("LEADERBOARD_FIRST_MONTH", "2024-11")

monthly = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=1)

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
