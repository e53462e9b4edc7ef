"""Two `leaderboard run` processes writing one warehouse at once: the second waits for the first, both
finish correctly, nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.warehouse import read_partitions, stored_months


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "leaderboard_pipeline.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_run_waits_for_the_first_and_both_land(reference_archive, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in (settings.ENV_DB, "DAGSTER_HOME")}
    env |= {
        settings.ENV_WAREHOUSE_DIR: str(tmp_path / "warehouse"),
        settings.ENV_DAGSTER_DIR: str(tmp_path / "dagster"),
        settings.ENV_ARCHIVE: str(reference_archive),
    }
    # A: the whole archive (a long run); B: one month with another profile, started while A writes.
    first = _cli("run", "--source", "archive", "--profile", "osir-published", env=env)
    assert first.stdout.readline().startswith("running archive 2024-11..2025-08")
    second = _cli("run", "--source", "archive", "--months", "2024-12..2024-12", env=env)
    out_a, err_a = first.communicate(timeout=300)
    out_b, err_b = second.communicate(timeout=300)

    assert first.returncode == 0, err_a
    assert second.returncode == 0, err_b
    assert f"in use by another process (PID {first.pid})" in err_b  # it waited, it did not fail
    assert "Traceback" not in err_a + err_b
    db = tmp_path / "warehouse" / "archive.duckdb"
    assert stored_months(db, "scores", "overall", "osir-published")[-1] == "2025-08"
    assert stored_months(db, "scores", "overall", "methodology") == ["2024-12"]
    # B found A's raw months already stored with the same content: nothing written twice or lost
    assert "raw: unchanged 2024-11..2024-12" in out_b
    manifest = read_partitions(db, "raw", "snapshot_manifest", None)
    assert manifest.select("month", "table").is_duplicated().sum() == 0
