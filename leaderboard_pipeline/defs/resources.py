"""Resources: where snapshots come from, which profile scores them, and the DuckDB warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import polars as pl

from leaderboard_pipeline import settings
from leaderboard_pipeline.profiles import Profile, load_profile
from leaderboard_pipeline.sources.base import SnapshotSource
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.warehouse import read_partitions, write_partitions


class PlatformApis(dg.ConfigurableResource):
    """The live collectors' HTTP layer: one httpx client per platform (built by the collectors from
    these settings). Base URLs and tokens come only from the platforms' environment variables
    (HF_ENDPOINT, HF_TOKEN, GITHUB_API_URL, GITHUB_TOKEN, ...), never from config, so they are never
    stored with a run."""

    cassettes: str = "off"  # off | record | replay (data/cassettes/<month>/)
    overrides: str = ""  # JSON of rate / timeout / retry overrides, for mock servers and benchmarks
    allow_missing: str = ""  # comma list of platforms a month may go without (opendatalab,baai)


class LeaderboardSettings(dg.ConfigurableResource):
    """The snapshot source (demo | archive | live), its path, and the scoring profile."""

    source: str = "demo"
    archive: str = ""
    profile: str = settings.DEFAULT_PROFILE

    def snapshot_source(self, apis: PlatformApis | None = None, progress=None) -> SnapshotSource:
        """`progress` receives the live collectors' ProgressEvents (e.g. ``lambda e: context.log.info(str(e))``)."""
        apis = apis or PlatformApis()
        return make_source(
            self.source,
            self.archive or None,
            apis.cassettes,
            apis.overrides or None,
            allow_missing=apis.allow_missing,
            progress=progress,
        )

    def scoring_profile(self) -> Profile:
        return load_profile(self.profile)


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Stores each asset as the DuckDB table ``<layer>.<asset>``, one ``month`` slice per partition.

    Loading an input reads exactly the upstream partitions Dagster mapped to it (e.g. the previous
    month for ModelScope totals), so lineage and what is read are the same thing.
    """

    database: str
    profile: str = settings.DEFAULT_PROFILE
    replace_raw: bool = False

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        layer, table = context.asset_key.path
        months = context.asset_partition_keys if context.has_asset_partitions else []
        rows = write_partitions(
            self.database, layer, table, obj, months, profile=self.profile, replace_raw=self.replace_raw
        )
        context.log.debug(f"{layer}.{table}: wrote {rows} rows for {len(months)} month(s)")

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        layer, table = context.asset_key.path
        months = context.asset_partition_keys if context.has_asset_partitions else None
        frame = read_partitions(self.database, layer, table, months, profile=self.profile)
        if frame is None:
            raise dg.Failure(f"{layer}.{table} is not in {self.database} yet: materialise it first")
        return frame


def resources_from_env() -> dict:
    """Resources configured from the environment (the CLI sets these before it builds definitions)."""
    profile = os.environ.get(settings.ENV_PROFILE, settings.DEFAULT_PROFILE)
    return {
        "leaderboard": LeaderboardSettings(
            source=os.environ.get(settings.ENV_SOURCE, "demo"),
            archive=os.environ.get(settings.ENV_ARCHIVE, ""),
            profile=profile,
        ),
        "platform_apis": PlatformApis(
            cassettes=os.environ.get("LEADERBOARD_CASSETTES", "off"),
            overrides=os.environ.get("LEADERBOARD_HTTP_OVERRIDES", ""),
            allow_missing=os.environ.get("LEADERBOARD_ALLOW_MISSING", ""),
        ),
        "io_manager": WarehouseIOManager(
            database=str(Path(settings.warehouse_path())),
            profile=profile,
            replace_raw=os.environ.get("LEADERBOARD_REPLACE_RAW", "") == "1",
        ),
    }
