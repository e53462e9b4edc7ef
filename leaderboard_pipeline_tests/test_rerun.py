"""A rerun with unchanged inputs is decided before anything is computed (no Dagster run), still says that
nothing changed, and still notices a changed input."""

from __future__ import annotations

import os
import shutil

import dagster as dg
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.cli.run_inputs import run_inputs
from leaderboard_pipeline.defs.run_settings import RunSettings
from leaderboard_pipeline.sources.demo import demo_dir


@pytest.fixture
def archive(tmp_path):
    """A copy of the demo in the published layout: an archive whose files a test may edit."""
    folder = tmp_path / "archive"
    shutil.copytree(demo_dir(), folder, ignore=shutil.ignore_patterns(".fingerprint"))
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["run", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def runs_in(home) -> int:
    return len(dg.DagsterInstance.from_config(str(home)).get_run_records())


def test_a_rerun_with_the_same_inputs_runs_nothing(archive, capsys, isolated_environment):
    home = isolated_environment / "dagster"
    code, first, _ = run(capsys, "--source", "archive", "--archive", str(archive))
    assert code == 0 and "raw: new 2024-12..2025-03" in first
    assert runs_in(home) == 1
    code, again, _ = run(capsys, "--source", "archive", "--archive", str(archive))
    assert code == 0 and runs_in(home) == 1  # decided before computing: no Dagster run at all
    assert "unchanged: 2024-12..2025-03 already stored with exactly this content" in again
    assert "done: nothing changed (4 month(s) already stored, identical)" in again
    # a range inside the stored months, and the same files read from another path, are no-ops too
    moved = archive.rename(archive.with_name("moved"))
    code, part, _ = run(capsys, "--source", "archive", "--archive", str(moved), "--months", "2025-02")
    assert code == 0 and runs_in(home) == 1 and "unchanged: 2025-01..2025-02" in part


def test_a_changed_input_is_noticed(archive, capsys, isolated_environment):
    home = isolated_environment / "dagster"
    assert run(capsys, "--source", "archive", "--archive", str(archive))[0] == 0
    models = archive / "snapshots" / "2025-02-14" / "HuggingFace" / "raw-models-info.jsonl"
    models.write_text(models.read_text().replace('"likes": ', '"likes": 1', 1))
    code, _, err = run(capsys, "--source", "archive", "--archive", str(archive))
    assert code == 2 and "raw partitions are immutable" in err and "hf_models 2025-02" in err
    assert runs_in(home) == 2
    code, out, _ = run(capsys, "--source", "archive", "--archive", str(archive), "--replace-raw")
    assert code == 0 and "raw: replaced 2025-02" in out and runs_in(home) == 3
    # the new content is now what is stored: the next run is a no-op again
    code, out, _ = run(capsys, "--source", "archive", "--archive", str(archive))
    assert code == 0 and "done: nothing changed" in out and runs_in(home) == 3


def test_a_write_by_another_run_makes_the_next_rerun_look(archive, capsys, isolated_environment):
    """Another profile's run (or a run from the UI) writes the warehouse: what the last run recorded is no
    longer the whole truth, so the next rerun runs (and finds nothing changed)."""
    home = isolated_environment / "dagster"
    assert run(capsys, "--source", "archive", "--archive", str(archive))[0] == 0
    assert (
        run(capsys, "--source", "archive", "--archive", str(archive), "--profile", "osir-published")[0] == 0
    )
    code, out, _ = run(capsys, "--source", "archive", "--archive", str(archive))
    assert code == 0 and runs_in(home) == 3
    assert "running archive 2024-12..2025-03" in out and "done: nothing changed" in out
    code, out, _ = run(capsys, "--source", "archive", "--archive", str(archive))
    assert code == 0 and runs_in(home) == 3  # and recorded again


def test_the_digest_is_the_content(archive, tmp_path):
    run = RunSettings(source="archive", archive=str(archive))
    first = run_inputs(run, ["2025-01"])
    target = archive / "snapshots" / "2025-01-14" / "eval-summary.csv"
    os.utime(target, (1, 1))  # touched, same content
    assert run_inputs(run, ["2025-01"]) == first
    target.write_text(target.read_text() + "\n")
    assert run_inputs(run, ["2025-01"]) != first
    assert run_inputs(RunSettings(source="archive", archive=str(archive), profile="osir-published"), []) != (
        run_inputs(run, [])
    )
    assert run_inputs(RunSettings(source="live"), ["2025-01"]) is None  # known only by collecting
