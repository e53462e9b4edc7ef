"""Paths and environment variables in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEMO_INPUTS = DATA_DIR / "demo"  # committed demo inputs; the built demo is sources.demo.demo_dir()
PROFILES_DIR = DATA_DIR / "profiles"
CURATED_METRICS = DATA_DIR / "curated" / "metrics.yaml"
DEFAULT_ARCHIVE = PROJECT_ROOT.parent / "shared" / "reference" / "osir-lmts"

# Environment variables (documented in README "Configuration").
ENV_DB = "LEADERBOARD_DB"
ENV_SOURCE = "LEADERBOARD_SOURCE"
ENV_ARCHIVE = "LEADERBOARD_ARCHIVE"
ENV_PROFILE = "LEADERBOARD_PROFILE"
ENV_INPUTS = "LEADERBOARD_INPUTS"  # hand inputs of live months (a folder in the published layout)

DEFAULT_PROFILE = "methodology"


def warehouse_path() -> Path:
    return Path(os.environ.get(ENV_DB, DATA_DIR / "warehouse.duckdb"))


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME", PROJECT_ROOT / ".dagster"))
