"""The partitioned jobs over the graph and the monthly schedule that produces and publishes a month."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.defs.readiness import why_not
from leaderboard_pipeline.defs.resources import LeaderboardSettings, Warehouse

leaderboard_job = dg.define_asset_job(
    "monthly_leaderboard",
    # The site is unpartitioned (it shows every month): `leaderboard run` and backfills leave it out.
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("site"),
    # partitioned like its assets (Dagster infers it): the code location's months, `partitions_for`
    description="Raw snapshot -> clean -> metrics -> scores for one month or a range (one run per backfill).",
)

publication_job = dg.define_asset_job(
    "monthly_publication",
    selection=dg.AssetSelection.all(),
    description="One month collected, scored and published: the graph, then the site from every stored month.",
)


# The published snapshots are taken around the 7th; the tick on the 8th produces the month that began.
@dg.schedule(
    name="monthly_leaderboard_schedule",
    job=publication_job,
    cron_schedule="0 3 8 * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def monthly_schedule(
    context: dg.ScheduleEvaluationContext, leaderboard: LeaderboardSettings, warehouse: Warehouse
):
    """Run the tick's month if the source can produce it; otherwise skip, saying why and what to set.
    The run gets the code location's settings (the resources' defaults), like a launch from the UI."""
    month = context.scheduled_execution_time.strftime("%Y-%m")
    profile = leaderboard.scoring_profile
    try:
        source = leaderboard.snapshot_source()
    except SourceError as exc:
        return dg.SkipReason(str(exc))
    reason = why_not(source, month, profile, Path(warehouse.database))
    if reason:
        return dg.SkipReason(reason)
    return dg.RunRequest(
        # one run per source and month: a second tick of the same month (a restarted daemon) is deduplicated
        run_key=f"{source.name}:{month}",
        partition_key=month,
        tags={"leaderboard/source": source.name, "leaderboard/profile": profile.name},
    )
