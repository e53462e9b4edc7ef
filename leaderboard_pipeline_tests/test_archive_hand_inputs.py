"""The published layout's hand inputs (`infra-summary.csv`, `eval-summary.csv` read by the archive source)
get the checks ours get (issue 17): errors where ours are errors, except the rules the published archive
itself breaks, which are read as published and counted as warnings. The archive still reproduces the
published leaderboard (test_golden.py, test_accumulated_published.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.core.layers import raw_layer
from leaderboard_pipeline.core.quality import raw_checks
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.demo import demo_dir

FEB = "snapshots/2025-02-14"


@pytest.fixture
def archive(tmp_path) -> Path:
    """A folder in the published layout we may edit (the demo's, built from our inputs)."""
    target = tmp_path / "archive"
    shutil.copytree(demo_dir(), target, ignore=shutil.ignore_patterns(".fingerprint"))
    return target


def _edit(archive: Path, name: str, old: str, new: str) -> None:
    path = archive / FEB / name
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


def _manifest_detail(tables: dict, table: str) -> str | None:
    return tables["snapshot_manifest"].filter(pl.col("table") == table)["detail"][0]


def _rule_check(tables: dict, table: str):
    raw = raw_layer([tables])
    return next(o for o in raw_checks(raw) if o.table == table and o.name == "hand_input_rules")


def test_an_org_in_no_registry_is_refused_naming_file_line_and_column(archive, capsys):
    """Failed before: an org outside `config/org-links.json` was ranked (exit 0)."""
    _edit(archive, "infra-summary.csv", "ShanghaiAILab,", "Shanghai AI Lab,")
    with pytest.raises(SourceError) as err:
        ArchiveSource(archive).read_month("2025-02")
    message = str(err.value)
    assert (
        f"{FEB}/infra-summary.csv:3: column A (org): org 'Shanghai AI Lab' is not in the registry" in message
    )
    assert "org-links.json (did you mean 'ShanghaiAILab'?)" in message and "\n" not in message
    code = main(["run", "--source", "archive", "--archive", str(archive), "--months", "2025-02"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "org 'Shanghai AI Lab' is not in the registry" in err and "\n" not in err


def test_an_org_in_one_summary_only_is_refused(archive):
    """Failed before: the org's eval values were unknown and counted as 0, silently."""
    _edit(archive, "eval-summary.csv", "Google,0,0,9,3\n", "")
    with pytest.raises(
        SourceError, match=r"infra-summary\.csv:6: column A \(org\): org 'Google' is not in eval"
    ):
        ArchiveSource(archive).read_month("2025-02")


def test_an_empty_cell_is_read_as_published_and_counted(archive):
    """Failed before: taken silently. Now 0 as the published pipeline read it, and a counted warning."""
    _edit(archive, "infra-summary.csv", "BAAI,150,", "BAAI,,")
    tables = ArchiveSource(archive).read_month("2025-02")
    value = tables["system_inputs"].filter((pl.col("org") == "BAAI") & (pl.col("metric") == "num_operators"))
    assert value["value"].to_list() == [0.0]
    assert _manifest_detail(tables, "system_inputs").startswith(
        "published defects kept as read: empty_cells=1 (infra-summary.csv:2 B (num_operators))"
    )
    check = _rule_check(tables, "system_inputs")
    assert not check.passed and not check.blocking and check.metadata == {"defects": 1, "empty_cells": 1}
    assert _rule_check(tables, "benchmark_inputs").passed


def test_a_row_cut_short_by_the_published_loader_is_trailing_empty_cells(archive):
    """The published loader removes trailing empty cells: the row is read with zeros, and counted."""
    _edit(archive, "eval-summary.csv", "Meta,0,0,6,4", "Meta,5")
    tables = ArchiveSource(archive).read_month("2025-02")
    meta = tables["benchmark_inputs"].filter(pl.col("org") == "Meta")["value"].to_list()
    assert meta == [5.0, 0.0, 0.0, 0.0]
    assert _rule_check(tables, "benchmark_inputs").metadata == {"defects": 1, "short_rows": 1}
    _edit(archive, "eval-summary.csv", "Meta,5", "Meta,5,0,0,0,0")  # a cell too many is an error
    with pytest.raises(SourceError, match=r"eval-summary\.csv:5: 6 cells, the header has 5"):
        ArchiveSource(archive).read_month("2025-02")


def test_a_column_dropped_against_last_month_is_counted(archive):
    """Failed before: taken silently (exit 0). The published archive changes its columns (2025-03 adds six
    across the two files), so for a folder we did not write this is a counted warning, not an error."""
    path = archive / FEB / "eval-summary.csv"
    rows = [line.split(",") for line in path.read_text(encoding="utf-8-sig").splitlines()]
    path.write_text("\n".join(",".join(r[:-1]) for r in rows) + "\n")
    tables = ArchiveSource(archive).read_month("2025-02")
    assert _rule_check(tables, "benchmark_inputs").metadata == {"defects": 1, "changed_columns": 1}
    assert "eval-summary.csv:1" in _manifest_detail(tables, "benchmark_inputs")


def test_the_published_archive_breaks_only_the_counted_rules(reference_archive):
    """Every published month reads; the only rule broken is 2025-03's new columns (5 infra, 1 eval)."""
    source = ArchiveSource(reference_archive)
    counted = {}
    for month in source.months():
        tables = source.read_month(month)
        for table in ("system_inputs", "benchmark_inputs"):
            check = _rule_check(tables, table)
            if not check.passed:
                counted[month, table] = check.metadata
    assert counted == {
        ("2025-03", "system_inputs"): {"defects": 5, "changed_columns": 5},
        ("2025-03", "benchmark_inputs"): {"defects": 1, "changed_columns": 1},
    }
