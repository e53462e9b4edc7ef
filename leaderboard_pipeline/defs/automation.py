"""The partitioned job over the whole graph and its monthly schedule."""

from __future__ import annotations

import dagster as dg

from leaderboard_pipeline.defs.partitions import monthly

leaderboard_job = dg.define_asset_job(
    "monthly_leaderboard",
    # The site is unpartitioned (it shows every month): it has its own job, publish_site.
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("site"),
    partitions_def=monthly,
    description="Raw snapshot -> clean -> metrics -> scores for one month or a range (one run per backfill).",
)

# The published snapshots are taken around the 7th; the run on the 8th scores the month that began.
monthly_schedule = dg.build_schedule_from_partitioned_job(leaderboard_job, day_of_month=8, hour_of_day=3)
