"""Proof on a public month (issue 16, item 4): a month of the published leaderboard, taken over live.

The month is served by the mock ecosystem exactly as published (`PublishedMonthEcosystem`: the folder's
raw records through the platforms' API shapes) and recorded by the live collectors for the whole
registry; the operator's inputs folder holds the archive's earlier months (history) and the month's own
hand inputs; `leaderboard run --source live --profile osir-published` and `leaderboard export` do the
rest, as docs/operations.md says. Every org's data, model and overall dense rank equals the published
one. The other public months, and why some of their ranks differ, are `bench/published_live_ranks.py`'s
(docs/operations.md, "Proof on public months").

2024-12-13 is the public month whose published ranks the live path reproduces in full and the quickest
to take over (one archive month before it). The archive is read at run time; nothing of it is copied.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.warehouse import read_partitions, stored_months

DATE = "2024-12-13"
MONTH, HISTORY = DATE[:7], "2024-11"


def _helpers():
    path = Path(__file__).with_name("public_month.py")
    spec = importlib.util.spec_from_file_location("scenario_public_month", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PM = _helpers()


@pytest.fixture
def taken_over(tmp_path, monkeypatch, reference_archive) -> Path:
    """The operator's folder with the month recorded from the mock; the commands' environment set."""
    inputs = PM.takeover_folder(reference_archive, DATE, tmp_path / "inputs")
    PM.record(reference_archive, DATE, tmp_path / "cassettes")
    for name, value in PM.environment(tmp_path, inputs, tmp_path / "cassettes").items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return tmp_path


def test_a_public_month_taken_over_live_has_the_published_ranks(taken_over, reference_archive, capsys):
    out = taken_over / "out"
    for args in PM.commands(MONTH, out):
        code = main(args)
        assert code == 0, f"leaderboard {' '.join(args)}: {capsys.readouterr().err}"
    result = PM.compare_ranks(out, reference_archive, DATE)
    for dim, (same, total, moved) in result.items():
        assert total >= 12 and moved == [], dim  # every org of the published file, none moved
        assert same == total

    # the live path, not the archive's: the month collected (replayed), its history read from the folder
    db = taken_over / "warehouse" / "live.duckdb"
    assert stored_months(db, "raw", "snapshot_manifest") == [HISTORY, MONTH]
    manifest = read_partitions(db, "raw", "snapshot_manifest", [HISTORY, MONTH])
    sources = dict(manifest.filter(pl.col("table") == "hf_models").select("month", "source").iter_rows())
    assert sources == {HISTORY: "live", MONTH: "live:replay"}
    snapshots = read_partitions(db, "clean", "snapshots", [MONTH], PM.PROFILE)
    ms = snapshots.filter(pl.col("table") == "ms_models").row(0, named=True)
    assert (ms["status"], ms["previous_month"]) == ("differenced", HISTORY)
    labels = read_partitions(db, "raw", "model_labels", [MONTH])
    assert labels.filter(pl.col("origin") == "published").height > 1000  # the folder's label files


def test_a_month_that_changed_its_columns_says_so_as_an_operator_must(
    tmp_path, monkeypatch, reference_archive, capsys
):
    """2025-03-07 added five system columns and one benchmark column: the live month's folder carries
    the `*` evidence rows `inputs check` asks for, and passes it (the bench's folder for that month)."""
    assert PM.column_changes(reference_archive, "2025-03-07", "eval-summary.csv") == [
        ("num_evaluation_tools", "added")
    ]
    assert len(PM.column_changes(reference_archive, "2025-03-07", "infra-summary.csv")) == 5
    assert PM.column_changes(reference_archive, "2025-08-07", "infra-summary.csv") == []
    inputs = PM.takeover_folder(reference_archive, "2025-03-07", tmp_path / "inputs")
    assert not (inputs / "snapshots" / "2025-08-07").exists()  # only the earlier months are history
    monkeypatch.setenv("LEADERBOARD_INPUTS", str(inputs))
    assert main(["inputs", "check", "--month", "2025-03", "--profile", PM.PROFILE]) == 0
    assert " 0 error(s)" in capsys.readouterr().out
    (inputs / "snapshots" / "2025-03-07" / "infra-evidence.csv").unlink()  # without them: refused
    assert main(["inputs", "check", "--month", "2025-03", "--profile", PM.PROFILE]) != 0
    assert "new column" in capsys.readouterr().out
