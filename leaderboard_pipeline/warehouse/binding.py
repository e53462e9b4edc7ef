"""A warehouse holds one source (demo, archive or live), recorded in ``meta.warehouse`` on the first
write; another source is refused, so one source's raw data never feeds another's scores. The bundled
demo's version is recorded beside it."""

from __future__ import annotations

from pathlib import Path

from leaderboard_pipeline.warehouse.connection import (
    META_SCHEMA,
    WarehouseError,
    connect,
    is_remote,
    table_exists,
)


def bound_source(con) -> str | None:
    if not table_exists(con, META_SCHEMA, "warehouse"):
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
        if not table_exists(con, META_SCHEMA, "versions"):
            return None
        row = con.execute(f'select version from "{META_SCHEMA}".versions').fetchone()
    return row[0] if row else None


def record_source_version(path: Path | str, version: str) -> None:
    with connect(path) as con:
        con.execute(f'create schema if not exists "{META_SCHEMA}"')
        con.execute(f'create or replace table "{META_SCHEMA}".versions as select ? as version', [version])


def require_source(path: Path | str, source: str) -> None:
    """Refuse, before anything runs, a warehouse that holds another source (`check_source`)."""
    if is_remote(path) or Path(path).exists():
        with connect(path, read_only=True) as con:
            check_source(con, path, source, bind=False)
