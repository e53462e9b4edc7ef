"""Dagster definitions: the four layer assets, their checks, the job, the schedule and resources."""

from __future__ import annotations

import dagster as dg

from leaderboard_pipeline.defs.assets import layer_assets
from leaderboard_pipeline.defs.automation import leaderboard_job, monthly_schedule, publication_job
from leaderboard_pipeline.defs.partitions import partitions_for
from leaderboard_pipeline.defs.resources import resources_for
from leaderboard_pipeline.defs.run_settings import RunSettings, from_environment
from leaderboard_pipeline.defs.site import publish_site_job, site


def build_definitions(run: RunSettings | None = None) -> dg.Definitions:
    """The code location. Its runs' settings default to ``run`` (the environment's, `from_environment`);
    any run may override them through its run config (the CLI does: `run_settings.run_config`). Its
    partitions are the months of ``run``'s source (`partitions_for`)."""
    run = run or from_environment()
    return dg.Definitions(
        assets=[*layer_assets(partitions_for(run)), site],
        jobs=[leaderboard_job, publication_job, publish_site_job],
        schedules=[monthly_schedule],
        resources=resources_for(run),
        # The graph is a chain of four steps: nothing runs in parallel, and a subprocess per step would
        # re-import the whole stack (~5 s each on two cores).
        executor=dg.in_process_executor,
    )


defs = build_definitions()
