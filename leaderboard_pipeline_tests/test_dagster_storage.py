"""The CLI's Dagster SQLite engine reuse still reaches Dagster's storage modules (a Dagster upgrade that
moves them would otherwise silently cost the archive backfill about 6 s)."""

from __future__ import annotations

import importlib

from leaderboard_pipeline.defs.dagster_storage import PATCHED_MODULES, reuse_sqlite_engines


def test_every_storage_module_gets_the_cached_engine_factory():
    reuse_sqlite_engines()
    for name in PATCHED_MODULES:
        module = importlib.import_module(name)
        assert getattr(module.create_engine, "_leaderboard_cached", False), name


def test_the_cache_reuses_one_engine_per_database_file(tmp_path):
    reuse_sqlite_engines()
    module = importlib.import_module(PATCHED_MODULES[0])
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = module.create_engine(url)
    assert module.create_engine(url) is first
    assert module.create_engine(f"sqlite:///{tmp_path / 'y.db'}") is not first
