"""Dagster definitions: the four layer assets, their checks, the job, the schedule and resources."""

from __future__ import annotations

import dagster as dg

from leaderboard_pipeline.defs.assets import LAYER_ASSETS
from leaderboard_pipeline.defs.automation import leaderboard_job, monthly_schedule, publication_job
from leaderboard_pipeline.defs.resources import resources_from_env
from leaderboard_pipeline.defs.site import publish_site_job, site


def build_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[*LAYER_ASSETS, site],
        jobs=[leaderboard_job, publication_job, publish_site_job],
        schedules=[monthly_schedule],
        resources=resources_from_env(),
        # The graph is a chain of four steps: nothing runs in parallel, and a subprocess per step would
        # re-import the whole stack (~5 s each on two cores).
        executor=dg.in_process_executor,
    )


defs = build_definitions()
