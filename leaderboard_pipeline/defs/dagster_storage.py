"""Faster local Dagster instance storage for the CLI's runs (SQLite run, event-log and schedule storage).

A backfill writes about 2,000 Dagster events; Dagster 1.13 builds a new SQLAlchemy engine for each one.
Reusing engines took the ten-month archive backfill from 17.2 s to 11.5 s (docs/performance.md; issue
18: 35 s of CPU without, 16 s with). Dagster offers no setting for it (`optimize_for_webserver`, which
pools PostgreSQL connections, does nothing for SQLite), so this still patches Dagster internals at run
time: confined to this module, applied only by the CLI, switched off with
LEADERBOARD_DAGSTER_ENGINE_CACHE=0; if Dagster moves these modules it silently does nothing (and
test_dagster_storage fails).
"""

from __future__ import annotations

import os

_ENGINE_KEEPERS: dict[tuple, object] = {}  # idle connections held for the life of the CLI process


def _close_keepers() -> None:
    while _ENGINE_KEEPERS:
        _, connection = _ENGINE_KEEPERS.popitem()
        connection.close()


def _wal_normal_sync():
    """A connect listener: in WAL mode, synchronous=NORMAL: commits skip the fsync (the WAL is synced at
    checkpoints); a crash cannot corrupt the database, a power cut may lose the last run events. Other
    journal modes keep SQLite's default (FULL), where NORMAL would not be corruption-safe. A database in
    WAL mode stays in it, so the mode is asked for only until it is WAL (one query less per connection)."""
    seen_wal = False

    def listener(dbapi_connection, _record) -> None:
        nonlocal seen_wal
        if not seen_wal:
            seen_wal = str(dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        if seen_wal:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return listener


PATCHED_MODULES = (
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.storage.runs.sqlite.sqlite_run_storage",
    "dagster._core.storage.schedules.sqlite.sqlite_schedule_storage",
)


def reuse_sqlite_engines() -> None:
    """Let Dagster's SQLite instance storage reuse one SQLAlchemy engine per database file.

    Dagster 1.13's SQLite run, event-log and schedule storages build a new engine for every connection,
    so each of the ~1,100 events of a ten-month backfill (one materialisation and one planned event per
    asset and partition, plus check results) pays engine creation, dialect initialisation and a cold
    statement-compilation cache, plus two fsyncs (commit, and the checkpoint when the last connection
    closes). A cached engine (still NullPool: a fresh SQLite connection per use, the same locking and
    transactions) keeps the compiled statements; see `_wal_normal_sync` and the keeper connection below
    for the fsyncs. Only this CLI process is affected; LEADERBOARD_DAGSTER_ENGINE_CACHE=0 turns it off.
    """
    if os.environ.get("LEADERBOARD_DAGSTER_ENGINE_CACHE", "1") == "0":
        return
    import importlib

    modules = PATCHED_MODULES
    import atexit

    from sqlalchemy import event

    engines: dict[tuple, object] = {}
    keepers = _ENGINE_KEEPERS
    atexit.register(_close_keepers)  # the last close checkpoints the WAL into the database file
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:  # another Dagster layout: keep its behaviour
            continue
        create = getattr(module, "create_engine", None)
        if create is None or getattr(create, "_leaderboard_cached", False):
            continue

        def cached(url, *args, _create=create, **kwargs):
            key = (str(url), args, repr(sorted(kwargs.items())))
            if key not in engines:
                engines[key] = _create(url, *args, **kwargs)
                event.listen(engines[key], "connect", _wal_normal_sync())
            elif key not in keepers:
                # From the second use on (the first one created the file and switched it to WAL), hold
                # one idle connection: then closing the per-event connections is never "the last close",
                # which would checkpoint and delete the WAL file every time.
                keepers[key] = engines[key].raw_connection()
            return engines[key]

        cached._leaderboard_cached = True
        module.create_engine = cached
