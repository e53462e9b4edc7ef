"""Shared fixtures: an isolated warehouse and Dagster home per test, and the reference archive path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leaderboard_pipeline.config import settings

REFERENCE = settings.DEFAULT_ARCHIVE


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """No test touches data/warehouse.duckdb or .dagster/ of the checkout."""
    base = tmp_path_factory.mktemp("env")
    monkeypatch.setenv(settings.ENV_DB, str(base / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(base / "dagster"))
    (base / "dagster").mkdir()
    (base / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    for name in (
        settings.ENV_SOURCE,
        settings.ENV_ARCHIVE,
        settings.ENV_PROFILE,
        "LEADERBOARD_REPLACE_RAW",
        "LEADERBOARD_ALLOW_MISSING",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    yield base


@pytest.fixture(scope="session")
def reference_archive() -> Path:
    """The published archive, read at run time. Missing in CI is a failure, not a skip."""
    if not (REFERENCE / "snapshots").is_dir():
        pytest.fail(
            f"reference archive not found at {REFERENCE} (CI must provide ../shared beside the checkout)"
        )
    return REFERENCE


def pytest_configure(config):
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on two workers (pytest-xdist, --dist loadgroup): each file stays on one
    worker (its module fixtures are built once), and the site's files share one group because they
    share the session's archive and demo sites."""
    for item in items:
        path = item.path.relative_to(config.rootpath)
        group = "site" if path.parts[:2] == ("leaderboard_pipeline_tests", "site") else str(path)
        item.add_marker(pytest.mark.xdist_group(group))
