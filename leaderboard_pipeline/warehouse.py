"""The DuckDB warehouse: one table per asset (schema = layer), partitioned by the ``month`` column.

- A layer's tables are written in **one transaction** (`write_layer`): a failed write leaves every
  table as it was. Writes go through Arrow.
- Writes are judged **per month**: a month stored with the same content is left alone (a rerun is a
  no-op), a new month is added, a changed month is replaced — except in the raw layer, where a changed
  month is refused unless ``replace_raw`` (raw partitions are immutable; a silently edited input is what
  the published leaderboard suffered from). A raw month stored with a platform missing
  (``snapshot_manifest.status = 'missing'``) may be replaced by a complete one.
- Content identity leaves provenance out (`raw_tables.PROVENANCE`: where a file was read from, when a
  crawl ran): the same input read from another path or replayed later is the same content.
- Tables outside the raw layer carry the scoring ``profile``, so several profiles share one warehouse.
- A warehouse holds **one source** (demo, archive or live), recorded in ``meta.warehouse`` on the first
  write; another source is refused, so one source's raw data never feeds another's scores.
- Every failure is a `WarehouseError` naming the file: missing, read-only, locked by another process,
  disk full.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from leaderboard_pipeline.raw_tables import PROVENANCE

RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
ENV_LOCK_WAIT = "LEADERBOARD_LOCK_WAIT"  # seconds to wait for another process's run to release the file
DEFAULT_LOCK_WAIT = 900.0


class WarehouseError(RuntimeError):
    pass


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


_SHARED: dict[str, duckdb.DuckDBPyConnection] = {}  # database -> the connection of an open `session`


def is_remote(database: Path | str) -> bool:
    """A MotherDuck database (``md:<name>``, token from MOTHERDUCK_TOKEN): no local file to check."""
    return str(database).startswith("md:")


def _key(database: Path | str) -> str:
    return str(database) if is_remote(database) else str(Path(database).resolve())


@contextmanager
def session(path: Path | str):
    """Keep one read-write connection to ``path`` open for the block (e.g. one backfill run).

    Every `connect` to the same file inside the block gets a cursor of it instead of opening and closing
    the database (each close checkpoints: ~40 ms per table written or read). Transactions are unchanged.
    Other processes cannot open the file until the block ends, as during any write.
    """
    key = _key(path)
    if key in _SHARED:  # nested: the outer block owns the connection
        yield
        return
    with connect(path) as con:
        _SHARED[key] = con
        try:
            yield
        finally:
            del _SHARED[key]


def _open_error(path: Path, exc: Exception) -> WarehouseError:
    """One line for why DuckDB could not open ``path``."""
    text = str(exc)
    if "lock" in text.lower():
        holder = re.search(r"PID (\d+)", text)
        who = f" (PID {holder.group(1)})" if holder else ""
        return WarehouseError(
            f"{path}: locked by another process{who}; wait for it to finish, then run the command again"
        )
    if "permission denied" in text.lower() or "read-only" in text.lower():
        return WarehouseError(
            f"{path}: cannot open it for writing (permission denied: read-only file or folder)"
        )
    return WarehouseError(f"{path}: cannot open the warehouse: {text.splitlines()[0] if text else exc!r}")


@contextmanager
def connect(path: Path | str, read_only: bool = False, config: dict | None = None):
    """Open the database (a file, or ``md:`` MotherDuck), waiting while another process holds it."""
    shared = _SHARED.get(_key(path))
    if shared is not None:
        cursor = shared.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
        return
    if not is_remote(path):
        path = Path(path)
        if not read_only:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WarehouseError(f"{path}: cannot create its folder ({exc.strerror})") from None
        elif not path.exists():
            raise WarehouseError(f"{path}: no warehouse yet (run `leaderboard run` first)")
    con = _open(path, read_only, config or {})
    try:
        yield con
    finally:
        con.close()


def lock_wait() -> float:
    try:
        return float(os.environ.get(ENV_LOCK_WAIT) or DEFAULT_LOCK_WAIT)
    except ValueError:
        raise WarehouseError(
            f"{ENV_LOCK_WAIT}={os.environ[ENV_LOCK_WAIT]!r} is not a number of seconds"
        ) from None


def _open(path: Path | str, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting while another process (another run) holds the file: a second run waits
    for the first instead of failing. Announced once on stderr, bounded by LEADERBOARD_LOCK_WAIT."""
    started = time.monotonic()
    deadline = started + lock_wait()
    announced = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except (duckdb.Error, OSError) as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise _open_error(path, exc) from None
            if not announced and time.monotonic() - started > 1.0:  # a brief wait needs no notice
                holder = re.search(r"PID (\d+)", str(exc))
                who = f" (PID {holder.group(1)})" if holder else ""
                print(f"waiting for {path}: in use by another process{who}", file=sys.stderr, flush=True)
                announced = True
            time.sleep(0.25)


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _columns(con, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _scope(schema: str, profile: str | None) -> tuple[str, list]:
    """The rows of one month (and profile outside raw): ``?`` is the month."""
    if schema == RAW_SCHEMA:
        return "month = ?", []
    return "month = ? and profile = ?", [profile]


def bound_source(con) -> str | None:
    if not _table_exists(con, META_SCHEMA, "warehouse"):
        return None
    row = con.execute(f'select source from "{META_SCHEMA}".warehouse limit 1').fetchone()
    return row[0] if row else None


def check_source(con, path: Path | str, source: str | None, bind: bool) -> None:
    """Refuse a warehouse that holds another source; record ``source`` on the first write."""
    if source is None:
        return
    holder = bound_source(con)
    if holder is None and bind:
        con.execute(f'create schema if not exists "{META_SCHEMA}"')
        con.execute(f'create table if not exists "{META_SCHEMA}".warehouse (source varchar, created varchar)')
        con.execute(
            f"insert into \"{META_SCHEMA}\".warehouse values (?, strftime(now(), '%Y-%m-%dT%H:%M:%SZ'))",
            [source],
        )
    elif holder is not None and holder != source:
        raise WarehouseError(
            f"{path} holds the {holder} source, not {source}: each source has its own warehouse "
            "(unset LEADERBOARD_DB to get data/warehouse/<source>.duckdb, or point it at another file)"
        )


def source_version(path: Path | str) -> str | None:
    """The version of a bundled source's inputs the warehouse was last written from (the demo's)."""
    if not is_remote(path) and not Path(path).exists():
        return None
    with connect(path, read_only=True) as con:
        if not _table_exists(con, META_SCHEMA, "versions"):
            return None
        row = con.execute(f'select version from "{META_SCHEMA}".versions').fetchone()
    return row[0] if row else None


def record_source_version(path: Path | str, version: str) -> None:
    with connect(path) as con:
        con.execute(f'create schema if not exists "{META_SCHEMA}"')
        con.execute(f'create or replace table "{META_SCHEMA}".versions as select ? as version', [version])


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
    if not _table_exists(con, RAW_SCHEMA, "snapshot_manifest"):
        return set()
    if status is not None and "status" not in _columns(con, RAW_SCHEMA, "snapshot_manifest"):
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


def _prepare_table(con, schema: str, table: str, arrow_name: str) -> None:
    qualified = f'"{schema}"."{table}"'
    if not _table_exists(con, schema, table):
        con.execute(f"create table {qualified} as select * from {arrow_name} limit 0")
        return
    # New columns (e.g. a field the collectors learned) are added, never dropped.
    existing = _columns(con, schema, table)
    for name, sql_type, *_ in con.execute(f"describe {arrow_name}").fetchall():
        if name not in existing:
            con.execute(f'alter table {qualified} add column "{name}" {sql_type}')


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
                qualified = f'"{schema}"."{table}"'
                con.register("incoming", frame.head(0).to_arrow())
                _prepare_table(con, schema, table, "incoming")
                con.unregister("incoming")
                where, params = _scope(schema, profile)
                columns = _identity(frame, table, schema)
                for month in months:
                    stored = con.execute(f"select * from {qualified} where {where}", [month, *params]).pl()
                    incoming = frame.filter(pl.col("month") == month)
                    verdict = _judge(stored, incoming, columns, month in immutable, month in listed)
                    if verdict == "refused":
                        refused.append(f"{table} {month}")
                    elif verdict is not None:
                        getattr(reports[table], verdict).append(month)
                plan[table] = reports[table].new + reports[table].replaced
            if refused:
                raise WarehouseError(
                    f"{path}: the source's raw data differs from what is stored for {', '.join(refused[:6])}"
                    f"{' and more' if len(refused) > 6 else ''}; raw partitions are immutable "
                    "(pass --replace-raw to `leaderboard run` if the change is intended)"
                )
            for table, to_write in plan.items():
                if not to_write:
                    continue
                qualified = f'"{schema}"."{table}"'
                rows = frames[table].filter(pl.col("month").is_in(to_write))
                where, params = _scope(schema, profile)
                for month in reports[table].replaced:
                    con.execute(f"delete from {qualified} where {where}", [month, *params])
                con.register("incoming", rows.to_arrow())
                con.execute(f"insert into {qualified} by name select * from incoming")
                con.unregister("incoming")
                reports[table].rows = rows.height
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


def write_partitions(
    path: Path | str,
    schema: str,
    table: str,
    frame: pl.DataFrame,
    months: Iterable[str],
    profile: str | None = None,
    replace_raw: bool = False,
) -> int:
    """One table's `write_layer`; returns the rows written."""
    return write_layer(path, schema, {table: frame}, months, profile, replace_raw)[table].rows


def read_partitions(
    path: Path | str,
    schema: str,
    table: str,
    months: Iterable[str] | None,
    profile: str | None = None,
    read_only: bool = False,
    config: dict | None = None,
) -> pl.DataFrame | None:
    """Rows of ``months`` (all months when None) in stored order; None when the table does not exist yet."""
    with connect(path, read_only=read_only, config=config) as con:
        if not _table_exists(con, schema, table):
            return None
        qualified = f'"{schema}"."{table}"'
        clauses, params = [], []
        if months is not None:
            clauses.append("list_contains(?, month)")  # a plain filter keeps the stored row order
            params.append(sorted(set(months)))
        if schema != RAW_SCHEMA:
            clauses.append("profile = ?")
            params.append(profile)
        where = " where " + " and ".join(clauses) if clauses else ""
        frame = con.execute(f"select * from {qualified}{where}", params).pl()
    return frame.drop("profile", strict=False)


def stored_months(path: Path | str, schema: str, table: str, profile: str | None = None) -> list[str]:
    if not is_remote(path) and not Path(path).exists():
        return []
    with connect(path, read_only=True) as con:
        if not _table_exists(con, schema, table):
            return []
        where, params = ("", []) if schema == RAW_SCHEMA else (" where profile = ?", [profile])
        rows = con.execute(
            f'select distinct month from "{schema}"."{table}"{where} order by month', params
        ).fetchall()
    return [r[0] for r in rows]


def require_source(path: Path | str, source: str) -> None:
    """Refuse, before anything runs, a warehouse that holds another source (`check_source`)."""
    if is_remote(path) or Path(path).exists():
        with connect(path, read_only=True) as con:
            check_source(con, path, source, bind=False)
