"""Opening the DuckDB warehouse: one connection per run (`session`), waits while another process holds
the file, and one-line `WarehouseError`s naming the file (missing, read-only, locked, disk full)."""

from __future__ import annotations

import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
ENV_LOCK_WAIT = "LEADERBOARD_LOCK_WAIT"  # seconds to wait for another process's run to release the file
DEFAULT_LOCK_WAIT = 900.0


class WarehouseError(RuntimeError):
    pass


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
            # a per-source warehouse is named after its source (settings.warehouse_path)
            source = f" --source {path.stem}" if path.stem in ("demo", "archive", "live") else ""
            raise WarehouseError(f"{path}: no warehouse yet (run `leaderboard run{source}` first)")
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


def table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def table_columns(con, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)
