"""Writing a layer: every table in one transaction, judged per month (new, replaced, unchanged)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from leaderboard_pipeline.contract.raw_tables import PROVENANCE
from leaderboard_pipeline.warehouse.binding import check_source
from leaderboard_pipeline.warehouse.connection import (
    RAW_SCHEMA,
    WarehouseError,
    connect,
    table_columns,
    table_exists,
)
from leaderboard_pipeline.warehouse.runs import bump_generation


@dataclass
class TableWrite:
    """What one table's write did, per month."""

    table: str
    new: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rows: int = 0  # rows written

    @property
    def changed(self) -> bool:
        return bool(self.new or self.replaced)


def _identity(frame: pl.DataFrame, table: str, schema: str) -> list[str]:
    """Columns that make a table's content (provenance and the profile key are left out)."""
    skip = set(PROVENANCE.get(table, ())) if schema == RAW_SCHEMA else {"profile"}
    return [c for c in frame.columns if c not in skip]


def _same(stored: pl.DataFrame, incoming: pl.DataFrame, columns: list[str]) -> bool:
    """Same rows in the same order (row order is part of a raw table's content: first record wins)."""
    if stored.height != incoming.height:
        return False
    missing = [c for c in columns if c not in stored.columns]
    if any(incoming[c].null_count() != incoming.height for c in missing):
        return False  # the incoming rows carry a field the stored ones never had
    present = [c for c in columns if c in stored.columns]
    try:
        return stored.select(present).equals(incoming.select(present).cast(stored.select(present).schema))
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
        return False


def _manifest_months(con, months: list[str], status: str | None = None) -> set[str]:
    """Raw months of ``months`` that have a manifest (with a row of ``status``, when given)."""
    if not table_exists(con, RAW_SCHEMA, "snapshot_manifest"):
        return set()
    if status is not None and "status" not in table_columns(con, RAW_SCHEMA, "snapshot_manifest"):
        return set()
    where = "list_contains(?, month)" + (" and status = ?" if status else "")
    params = [months, status] if status else [months]
    rows = con.execute(
        f'select distinct month from "raw"."snapshot_manifest" where {where}', params
    ).fetchall()
    return {r[0] for r in rows}


def _judge(
    stored: pl.DataFrame, incoming: pl.DataFrame, columns: list[str], immutable: bool, listed: bool
) -> str | None:
    """One table's month: "new", "unchanged", "replaced", "refused" (an immutable raw month would
    change), or None (nothing stored, nothing incoming). ``listed``: the month's manifest is stored, so
    a table empty in it is part of its content too."""
    if stored.is_empty() and incoming.is_empty():
        return None
    if not stored.is_empty() and _same(stored, incoming, columns):
        return "unchanged"
    if immutable and (listed or not stored.is_empty()):
        return "refused"
    return "new" if stored.is_empty() else "replaced"


def _prepare_table(con, schema: str, table: str, arrow_name: str) -> bool:
    """Create the table (True) or add the columns it lacks (False)."""
    qualified = f'"{schema}"."{table}"'
    if not table_exists(con, schema, table):
        con.execute(f"create table {qualified} as select * from {arrow_name} limit 0")
        return True
    # New columns (e.g. a field the collectors learned) are added, never dropped.
    existing = table_columns(con, schema, table)
    for name, sql_type, *_ in con.execute(f"describe {arrow_name}").fetchall():
        if name not in existing:
            con.execute(f'alter table {qualified} add column "{name}" {sql_type}')
    return False


def _by_month(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return (
        {key[0]: part for key, part in frame.partition_by("month", as_dict=True).items()}
        if frame.height
        else {}
    )


def _stored(con, schema: str, table: str, months: list[str], profile: str | None) -> dict[str, pl.DataFrame]:
    """The stored rows of ``months`` (and ``profile`` outside raw), per month, in stored order: one query
    for the table, not one per month."""
    where, params = "list_contains(?, month)", [months]
    if schema != RAW_SCHEMA:
        where, params = where + " and profile = ?", [*params, profile]
    return _by_month(con.execute(f'select * from "{schema}"."{table}" where {where}', params).pl())


def write_layer(
    path: Path | str,
    schema: str,
    tables: dict[str, pl.DataFrame],
    months: Iterable[str],
    profile: str | None = None,
    replace_raw: bool = False,
    source: str | None = None,
    config: dict | None = None,
) -> dict[str, TableWrite]:
    """Write ``months`` of every table of a layer in one transaction; per month: new, replaced or unchanged.

    Raises `WarehouseError` (and writes nothing) when a raw month would change without ``replace_raw``,
    a frame holds rows outside ``months``, or the database refuses the write.
    """
    months = sorted(set(months))
    frames = {}
    for table, frame in tables.items():
        if schema != RAW_SCHEMA:
            frame = frame.with_columns(profile=pl.lit(profile, dtype=pl.String))
        stray = set(frame["month"].unique().to_list()) - set(months) if frame.height else set()
        if stray:
            raise WarehouseError(
                f"{schema}.{table}: rows for months {sorted(stray)} outside the partitions {months}"
            )
        frames[table] = frame
    reports = {t: TableWrite(t) for t in frames}
    with connect(path, config=config) as con:
        try:
            con.execute("begin transaction")
            check_source(con, path, source, bind=True)
            con.execute(f'create schema if not exists "{schema}"')
            # Raw months are immutable unless replacing is asked for, or the month was stored with a
            # platform missing (a complete snapshot may replace it).
            raw = schema == RAW_SCHEMA
            immutable = (
                set(months) - _manifest_months(con, months, "missing") if raw and not replace_raw else set()
            )
            listed = _manifest_months(con, months) if raw else set()
            plan: dict[str, list[str]] = {}
            refused: list[str] = []
            for table, frame in frames.items():
                con.register("incoming", frame.head(0).to_arrow())
                created = _prepare_table(con, schema, table, "incoming")
                con.unregister("incoming")
                columns = _identity(frame, table, schema)
                stored = {} if created else _stored(con, schema, table, months, profile)
                incoming = _by_month(frame)
                for month in months:
                    empty = frame.head(0)
                    verdict = _judge(
                        stored.get(month, empty),
                        incoming.get(month, empty),
                        columns,
                        month in immutable,
                        month in listed,
                    )
                    if verdict == "refused":
                        refused.append(f"{table} {month}")
                    elif verdict is not None:
                        getattr(reports[table], verdict).append(month)
                plan[table] = reports[table].new + reports[table].replaced
            if refused:
                raise WarehouseError(
                    f"{path}: the source's raw data differs from what is stored for {', '.join(refused[:6])}"
                    f"{' and more' if len(refused) > 6 else ''}; raw partitions are immutable "
                    f"(pass --replace-raw to `leaderboard run{' --source ' + source if source else ''}` if "
                    "the change is intended)"
                )
            for table, to_write in plan.items():
                if not to_write:
                    continue
                qualified = f'"{schema}"."{table}"'
                rows = frames[table].filter(pl.col("month").is_in(to_write))
                if reports[table].replaced:
                    where, params = "list_contains(?, month)", [reports[table].replaced]
                    if schema != RAW_SCHEMA:
                        where, params = where + " and profile = ?", [*params, profile]
                    con.execute(f"delete from {qualified} where {where}", params)
                con.register("incoming", rows.to_arrow())
                con.execute(f"insert into {qualified} by name select * from incoming")
                con.unregister("incoming")
                reports[table].rows = rows.height
            if any(report.changed for report in reports.values()):
                bump_generation(con)  # what earlier runs recorded as stored is no longer the whole truth
            con.execute("commit")
        except Exception as exc:
            try:
                con.execute("rollback")
            except duckdb.Error:
                pass  # nothing was open
            if isinstance(exc, duckdb.Error):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise WarehouseError(
                    f"{path}: writing the {schema} tables failed, nothing was written: {first}"
                ) from exc
            raise
    return reports
