"""The published site as an unpartitioned asset downstream of every score table.

Unpartitioned because a page shows every month (rank histories, the month selector): it is rebuilt
after any month's scores change, by the ``publish_site`` job, not inside the partitioned monthly job.
"""

import os
from pathlib import Path

import dagster as dg

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.core.layers import SCORE_TABLES
from leaderboard_pipeline.defs.resources import LeaderboardSettings, Warehouse

ENV_SITE_DIR = "LEADERBOARD_SITE_DIR"


def site_dir() -> Path:
    return Path(os.environ.get(ENV_SITE_DIR, settings.PROJECT_ROOT / "site"))


@dg.asset(
    key=["site", "leaderboard"],
    group_name="site",
    deps=[dg.AssetKey(["scores", table]) for table in SCORE_TABLES],
    kinds={"html"},
    description="Static leaderboard site (overall, dimension, organisation, method and data-quality pages).",
)
def site(
    context: dg.AssetExecutionContext, leaderboard: LeaderboardSettings, warehouse: Warehouse
) -> dg.MaterializeResult:
    from leaderboard_pipeline.site import build_site  # heavy: only when the site is built, not for every run

    out = site_dir()
    report = build_site(Path(warehouse.database), leaderboard.scoring_profile, out, source=leaderboard.source)
    context.log.info(f"site: {report.pages} pages, {report.bytes} bytes in {report.seconds:.1f} s -> {out}")
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(report.index)),
            "open": dg.MetadataValue.url(report.index.resolve().as_uri()),
            "pages": report.pages,
            "bytes": report.bytes,
            "build_seconds": round(report.seconds, 2),
        }
    )


publish_site_job = dg.define_asset_job(
    "publish_site",
    selection=dg.AssetSelection.groups("site"),
    description="Rebuild the static site from the stored score tables.",
)
