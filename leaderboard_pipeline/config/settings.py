"""Paths and environment variables in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEMO_INPUTS = DATA_DIR / "demo"  # committed demo inputs; the built demo is sources.demo.demo_dir()
PROFILES_DIR = DATA_DIR / "profiles"
CURATED_METRICS = DATA_DIR / "curated" / "metrics.yaml"
DEFAULT_ARCHIVE = PROJECT_ROOT.parent / "shared" / "reference" / "osir-lmts"
DEMO_CASSETTES = DATA_DIR / "cassettes"  # the demo replays only its own month from here

# Environment variables (documented in README "Configuration").
ENV_DB = "LEADERBOARD_DB"  # one warehouse file for whatever source runs (bound to the first one)
ENV_WAREHOUSE_DIR = "LEADERBOARD_WAREHOUSE_DIR"  # default: one warehouse file per source in this folder
ENV_DAGSTER_DIR = "LEADERBOARD_DAGSTER_DIR"  # default: one Dagster home per source in this folder
ENV_SOURCE = "LEADERBOARD_SOURCE"
ENV_ARCHIVE = "LEADERBOARD_ARCHIVE"
ENV_PROFILE = "LEADERBOARD_PROFILE"
ENV_INPUTS = "LEADERBOARD_INPUTS"  # hand inputs of live months (a folder in the published layout)
ENV_CASSETTE_DIR = "LEADERBOARD_CASSETTE_DIR"  # recorded API responses of live months

DEFAULT_PROFILE = "methodology"
DEFAULT_SOURCE = "demo"


def cassette_dir() -> Path:
    """Where live months are recorded to and replayed from: ``<dir>/<month>/<platform>/``."""
    return Path(os.environ.get(ENV_CASSETTE_DIR) or DATA_DIR / "cassettes")


def current_source() -> str:
    return os.environ.get(ENV_SOURCE) or DEFAULT_SOURCE


def warehouse_path(source: str | None = None) -> Path:
    """The warehouse of ``source``: ``$LEADERBOARD_DB`` when set, else ``data/warehouse/<source>.duckdb``.

    One file per source by default, so demo, archive and live months never meet in one table.
    """
    explicit = os.environ.get(ENV_DB)
    if explicit:
        return Path(explicit)
    folder = Path(os.environ.get(ENV_WAREHOUSE_DIR) or DATA_DIR / "warehouse")
    return folder / f"{source or current_source()}.duckdb"


def dagster_home(source: str | None = None) -> Path:
    """The Dagster instance of ``source``: ``$DAGSTER_HOME`` when set, else ``.dagster/<source>/``.

    Per source like the warehouse, so the UI never lists one warehouse's materialisations as another's.
    """
    explicit = os.environ.get("DAGSTER_HOME")
    if explicit:
        return Path(explicit)
    folder = Path(os.environ.get(ENV_DAGSTER_DIR) or PROJECT_ROOT / ".dagster")
    return folder / (source or current_source())
