"""Resources: where snapshots come from, which profile scores them, and the DuckDB warehouse."""

from __future__ import annotations

import os
from contextlib import contextmanager

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import Profile, load_profile
from leaderboard_pipeline.contract.source import SnapshotSource
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.warehouse import TableWrite, connect, read_partitions, write_layer


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

    source: str = settings.DEFAULT_SOURCE
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


class Warehouse(DuckDBResource):
    """The DuckDB warehouse of one source, as dagster-duckdb's `DuckDBResource` (``database`` is a file
    path or a MotherDuck ``md:`` database; ``connection_config`` goes to ``duckdb.connect``).

    What DuckDBResource cannot do is ours (`warehouse.connect`, `warehouse.write_layer`): a layer's tables
    written in one transaction and judged per month, profile-scoped tables, immutable raw months, one
    connection reused for a whole CLI run, a bounded and announced wait while another run holds the file,
    and one-line errors. See docs/operations.md, "The warehouse on dagster-duckdb".
    """

    source: str = settings.DEFAULT_SOURCE
    profile: str = settings.DEFAULT_PROFILE
    replace_raw: bool = False

    @contextmanager
    def get_connection(self):
        with connect(self.database, config=self.connection_config) as con:
            yield con

    def write(self, layer: str, tables: dict[str, pl.DataFrame], months: list[str]) -> dict[str, TableWrite]:
        return write_layer(
            self.database,
            layer,
            tables,
            months,
            self.profile,
            replace_raw=self.replace_raw,
            source=self.source,
            config=self.connection_config,
        )

    def read(self, layer: str, table: str, months: list[str] | None) -> pl.DataFrame | None:
        return read_partitions(
            self.database, layer, table, months, self.profile, config=self.connection_config
        )


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Loads an asset's input from the DuckDB table ``<layer>.<asset>``: exactly the upstream partitions
    Dagster mapped to it (e.g. the previous months for ModelScope totals), so lineage and what is read
    are the same thing. Assets write through the `Warehouse` resource, never through this."""

    warehouse: Warehouse

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is not None:
            raise dg.Failure(
                f"{context.asset_key.to_user_string()}: assets write through the Warehouse resource"
            )

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        layer, table = context.asset_key.path
        months = context.asset_partition_keys if context.has_asset_partitions else None
        frame = self.warehouse.read(layer, table, months)
        if frame is None:
            raise dg.Failure(f"{layer}.{table} is not in {self.warehouse.database} yet: materialise it first")
        return frame


def resources_from_env() -> dict:
    """Resources configured from the environment (the CLI sets these before it builds definitions)."""
    profile = os.environ.get(settings.ENV_PROFILE, settings.DEFAULT_PROFILE)
    source = settings.current_source()
    warehouse = Warehouse(
        database=str(settings.warehouse_path(source)),
        source=source,
        profile=profile,
        replace_raw=os.environ.get("LEADERBOARD_REPLACE_RAW", "") == "1",
    )
    return {
        "leaderboard": LeaderboardSettings(
            source=source, archive=os.environ.get(settings.ENV_ARCHIVE, ""), profile=profile
        ),
        "platform_apis": PlatformApis(
            cassettes=os.environ.get("LEADERBOARD_CASSETTES", "off"),
            overrides=os.environ.get("LEADERBOARD_HTTP_OVERRIDES", ""),
            allow_missing=os.environ.get("LEADERBOARD_ALLOW_MISSING", ""),
        ),
        "warehouse": warehouse,
        "io_manager": WarehouseIOManager(warehouse=warehouse),
    }
