"""Reading stored partitions: rows of some months (and one profile outside raw), and which months exist."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from leaderboard_pipeline.warehouse.connection import RAW_SCHEMA, connect, is_remote, table_exists


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
        if not table_exists(con, schema, table):
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
        if not table_exists(con, schema, table):
            return []
        where, params = ("", []) if schema == RAW_SCHEMA else (" where profile = ?", [profile])
        rows = con.execute(
            f'select distinct month from "{schema}"."{table}"{where} order by month', params
        ).fetchall()
    return [r[0] for r in rows]
