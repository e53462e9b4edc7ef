"""Resources: the run's settings (source, profile, ...) and the DuckDB warehouse, built from one
`RunSettings` (`defs.run_settings`); the IO manager that loads a step's inputs from the warehouse."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import fields

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import Profile, load_profile
from leaderboard_pipeline.contract.source import SnapshotSource
from leaderboard_pipeline.defs.instance import pooled
from leaderboard_pipeline.defs.run_settings import RunSettings
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.warehouse import TableWrite, connect, read_partitions, write_layer


class LeaderboardSettings(dg.ConfigurableResource):
    """A run's settings (`RunSettings`): the snapshot source and its options, and the scoring profile.

    The profile is loaded once per run (`setup_for_execution`) and that one `Profile` scores, checks and
    scopes every table of the run, and checks the hand inputs. Base URLs and tokens of the platforms come
    only from their environment variables (HF_ENDPOINT, HF_TOKEN, ...), never from config, so they are
    never stored with a run.
    """

    source: str = settings.DEFAULT_SOURCE
    archive: str = ""
    profile: str = settings.DEFAULT_PROFILE
    replace_raw: bool = False
    allow_missing: str = ""
    cassettes: str = "off"
    http_overrides: str = ""

    _profile: Profile | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._profile = load_profile(self.profile)
        pooled(context.instance)  # a run launched by the daemon: one database connection, not one per event

    @property
    def scoring_profile(self) -> Profile:
        if self._profile is None:  # outside a run (a schedule's tick, a test)
            self._profile = load_profile(self.profile)
        return self._profile

    def snapshot_source(self, progress=None) -> SnapshotSource:
        """`progress` receives the live collectors' ProgressEvents (e.g. ``lambda e: context.log.info(str(e))``)."""
        return make_source(
            self.source,
            self.archive or None,
            self.cassettes,
            self.http_overrides,
            allow_missing=self.allow_missing,
            progress=progress,
            profile=self.scoring_profile,
        )


class Warehouse(DuckDBResource):
    """The DuckDB warehouse of one source, as dagster-duckdb's `DuckDBResource` (``database`` is a file
    path or a MotherDuck ``md:`` database; ``connection_config`` goes to ``duckdb.connect``).

    What DuckDBResource cannot do is ours (`warehouse.connect`, `warehouse.write_layer`): a layer's tables
    written in one transaction and judged per month, profile-scoped tables, immutable raw months, one
    connection reused for a whole CLI run, a bounded and announced wait while another run holds the file,
    and one-line errors. See docs/operations.md, "The warehouse on dagster-duckdb". Which profile and
    source a write is for comes from the run's `LeaderboardSettings`, passed with every call.
    """

    @contextmanager
    def get_connection(self):
        with connect(self.database, config=self.connection_config) as con:
            yield con

    def write(
        self, layer: str, tables: dict[str, pl.DataFrame], months: list[str], run: LeaderboardSettings
    ) -> dict[str, TableWrite]:
        return write_layer(
            self.database,
            layer,
            tables,
            months,
            run.scoring_profile.name,
            replace_raw=run.replace_raw,
            source=run.source,
            config=self.connection_config,
        )

    def read(self, layer: str, table: str, months: list[str] | None, profile: str) -> pl.DataFrame | None:
        return read_partitions(self.database, layer, table, months, profile, config=self.connection_config)


class WarehouseIOManager(dg.IOManager):
    """Loads an asset's input from the DuckDB table ``<layer>.<asset>``: exactly the upstream partitions
    Dagster mapped to it (e.g. the previous months for ModelScope totals), so lineage and what is read
    are the same thing, and only the run's profile's rows. Assets write through the `Warehouse`
    resource, never through this. The warehouse and the profile are the run's resources (a launchpad
    override of either reaches the loads too)."""

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is not None:
            raise dg.Failure(
                f"{context.asset_key.to_user_string()}: assets write through the Warehouse resource"
            )

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        warehouse: Warehouse = context.resources.warehouse
        run: LeaderboardSettings = context.resources.leaderboard
        layer, table = context.asset_key.path
        months = context.asset_partition_keys if context.has_asset_partitions else None
        frame = warehouse.read(layer, table, months, run.scoring_profile.name)
        if frame is None:
            raise dg.Failure(f"{layer}.{table} is not in {warehouse.database} yet: materialise it first")
        return frame


@dg.io_manager(required_resource_keys={"warehouse", "leaderboard"})
def warehouse_io_manager(_) -> WarehouseIOManager:
    return WarehouseIOManager()


def resources_for(run: RunSettings) -> dict:
    """The resources of the definitions, their defaults being ``run`` (the code location's settings);
    a run overrides them with `run_settings.run_config`."""
    values = {f.name: getattr(run, f.name) for f in fields(RunSettings) if f.name != "database"}
    return {
        "leaderboard": LeaderboardSettings(**values),
        "warehouse": Warehouse(database=run.warehouse),
        "io_manager": warehouse_io_manager,
    }
