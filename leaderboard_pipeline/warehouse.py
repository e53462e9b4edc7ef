"""The DuckDB warehouse: one table per asset (schema = layer), partitioned by the ``month`` column.

Writes replace a set of months in one transaction (nothing is half-overwritten), through Arrow. Tables
outside the raw layer also carry the scoring ``profile`` so several profiles can share one warehouse.
Raw partitions are immutable: rewriting one with different content is refused.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

RAW_SCHEMA = "raw"


class WarehouseError(RuntimeError):
    pass


_SHARED: dict[Path, duckdb.DuckDBPyConnection] = {}  # path -> the connection of an open `session`


@contextmanager
def session(path: Path | str):
    """Keep one read-write connection to ``path`` open for the block (e.g. one backfill run).

    Every `connect` to the same file inside the block gets a cursor of it instead of opening and closing
    the database (each close checkpoints: ~40 ms per table written or read). Transactions are unchanged:
    each `write_partitions` still commits or rolls back on its own. Other processes cannot open the file
    until the block ends, as during any write.
    """
    key = Path(path).resolve()
    if key in _SHARED:  # nested: the outer block owns the connection
        yield
        return
    with connect(path) as con:
        _SHARED[key] = con
        try:
            yield
        finally:
            del _SHARED[key]


@contextmanager
def connect(path: Path | str, read_only: bool = False):
    """Open the database file, retrying briefly while another process holds the write lock."""
    path = Path(path)
    shared = _SHARED.get(path.resolve())
    if shared is not None:
        cursor = shared.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
        return
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise WarehouseError(f"{path}: no warehouse yet (run `leaderboard run` first)")
    for attempt in range(20):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException:
            if attempt == 19:
                raise
            time.sleep(0.25)
    try:
        yield con
    finally:
        con.close()


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


def _scope(schema: str, profile: str | None, months: list[str]) -> tuple[str, list]:
    where = "month in (select unnest(?))"
    params: list = [months]
    if schema != RAW_SCHEMA:
        where += " and profile = ?"
        params.append(profile)
    return where, params


def write_partitions(
    path: Path | str,
    schema: str,
    table: str,
    frame: pl.DataFrame,
    months: Iterable[str],
    profile: str | None = None,
    replace_raw: bool = False,
) -> int:
    """Replace ``months`` of ``schema.table`` with ``frame`` atomically; returns the rows written."""
    months = sorted(set(months))
    if schema != RAW_SCHEMA:
        frame = frame.with_columns(profile=pl.lit(profile, dtype=pl.String))
    stray = set(frame["month"].unique().to_list()) - set(months) if frame.height else set()
    if stray:
        raise WarehouseError(
            f"{schema}.{table}: rows for months {sorted(stray)} outside the partitions {months}"
        )
    arrow = frame.to_arrow()
    with connect(path) as con:
        con.execute(f'create schema if not exists "{schema}"')
        qualified = f'"{schema}"."{table}"'
        con.register("incoming", arrow)
        try:
            con.execute("begin transaction")
            if not _table_exists(con, schema, table):
                con.execute(f"create table {qualified} as select * from incoming limit 0")
            else:
                # New columns (e.g. a field the collectors learned) are added, never dropped.
                existing = _columns(con, schema, table)
                for name, sql_type, *_ in con.execute("describe incoming").fetchall():
                    if name not in existing:
                        con.execute(f'alter table {qualified} add column "{name}" {sql_type}')
            where, params = _scope(schema, profile, months)
            if schema == RAW_SCHEMA and not replace_raw:
                stored = con.execute(f"select count(*) from {qualified} where {where}", params).fetchone()[0]
                if stored:
                    same = _same_content(con, qualified, where, params, frame)
                    con.execute("rollback")
                    if same:
                        return 0
                    raise WarehouseError(
                        f"{qualified} already holds months {months} with different content; raw partitions are "
                        "immutable (pass --replace-raw to `leaderboard run` if the change is intended)"
                    )
            con.execute(f"delete from {qualified} where {where}", params)
            con.execute(f"insert into {qualified} by name select * from incoming")
            con.execute("commit")
        except Exception:
            try:
                con.execute("rollback")
            except duckdb.Error:
                pass  # nothing was open
            raise
        finally:
            con.unregister("incoming")
    return frame.height


def _same_content(con, qualified: str, where: str, params: list, frame: pl.DataFrame) -> bool:
    stored = con.execute(f"select * from {qualified} where {where}", params).pl()
    columns = [c for c in frame.columns if c in stored.columns]
    if stored.height != frame.height or len(columns) != len(frame.columns):
        return False
    key = sorted(columns)
    try:
        return (
            stored.select(key).sort(key, nulls_last=True).equals(frame.select(key).sort(key, nulls_last=True))
        )
    except Exception:  # unsortable column types: fall back to comparing as text
        return (
            stored.select(key).cast(pl.String).sort(key).equals(frame.select(key).cast(pl.String).sort(key))
        )


def read_partitions(
    path: Path | str,
    schema: str,
    table: str,
    months: Iterable[str] | None,
    profile: str | None = None,
    read_only: bool = False,
) -> pl.DataFrame | None:
    """Rows of ``months`` (all months when None); None when the table does not exist yet."""
    with connect(path, read_only=read_only) as con:
        if not _table_exists(con, schema, table):
            return None
        qualified = f'"{schema}"."{table}"'
        clauses, params = [], []
        if months is not None:
            clauses.append("month in (select unnest(?))")
            params.append(sorted(set(months)))
        if schema != RAW_SCHEMA:
            clauses.append("profile = ?")
            params.append(profile)
        where = " where " + " and ".join(clauses) if clauses else ""
        frame = con.execute(f"select * from {qualified}{where}", params).pl()
    return frame.drop("profile", strict=False)


def stored_months(path: Path | str, schema: str, table: str, profile: str | None = None) -> list[str]:
    if not Path(path).exists():
        return []
    with connect(path, read_only=True) as con:
        if not _table_exists(con, schema, table):
            return []
        where, params = ("", []) if schema == RAW_SCHEMA else (" where profile = ?", [profile])
        rows = con.execute(
            f'select distinct month from "{schema}"."{table}"{where} order by month', params
        ).fetchall()
    return [r[0] for r in rows]
