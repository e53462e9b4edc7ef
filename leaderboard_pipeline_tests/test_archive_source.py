"""Reading the published layout: months, encodings, and errors that name the file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.raw_tables import RAW_TABLES
from leaderboard_pipeline.sources.archive import ArchiveSource, read_summary_csv
from leaderboard_pipeline.sources.demo import demo_dir


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(demo_dir(), target, ignore=shutil.ignore_patterns(".fingerprint"))
    return target


def test_dated_folders_are_month_partitions_and_every_table_is_returned(demo_copy):
    source = ArchiveSource(demo_copy)
    assert source.months() == ["2024-12", "2025-01", "2025-02", "2025-03"]
    tables = source.read_month("2025-02")
    assert set(tables) == set(RAW_TABLES)
    assert tables["hf_models"].height > 0 and (tables["hf_models"]["month"] == "2025-02").all()
    assert tables["system_inputs"]["org"].unique().len() == 6
    assert tables["snapshot_manifest"]["sha256"].str.len_chars().min() == 64


def test_bom_and_crlf_summaries_read_the_same(tmp_path):
    plain, excel = tmp_path / "a.csv", tmp_path / "b.csv"
    plain.write_text("org,x,y\nA,1,2\nB,0,3\n")
    excel.write_bytes("\ufefforg,x,y\r\nA,1,2\r\nB,0,3\r\n".encode())
    assert read_summary_csv(plain, "m").equals(read_summary_csv(excel, "m"))


def test_malformed_jsonl_names_file_and_line(demo_copy):
    path = demo_copy / "snapshots" / "2025-02-14" / "HuggingFace" / "raw-models-info.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:-10]  # truncated record
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError, match=r"raw-models-info\.jsonl:3: not valid JSON"):
        ArchiveSource(demo_copy).read_month("2025-02")


def test_missing_field_and_wrong_type_are_named(demo_copy):
    path = demo_copy / "snapshots" / "2025-02-14" / "ModelScope" / "raw-models-info.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    records[1]["total_downloads"] = "12k"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(
        SourceError, match=r"raw-models-info\.jsonl:2: field total_downloads must be an integer"
    ):
        ArchiveSource(demo_copy).read_month("2025-02")
    del records[1]["total_downloads"]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(SourceError, match=r":2: missing field\(s\) total_downloads"):
        ArchiveSource(demo_copy).read_month("2025-02")


def test_bad_hand_input_cell_names_row_and_column(demo_copy):
    path = demo_copy / "snapshots" / "2025-02-14" / "eval-summary.csv"
    text = path.read_text(encoding="utf-8-sig").replace("BAAI,", "BAAI,lots,", 1)
    path.write_text(text.replace("num_leaderboards", "extra,num_leaderboards", 1))
    with pytest.raises(SourceError, match=r"eval-summary\.csv:2: column extra: 'lots' is not a number"):
        ArchiveSource(demo_copy).read_month("2025-02")


def test_unknown_month_and_missing_archive(demo_copy, tmp_path):
    with pytest.raises(SourceError, match="no snapshot for month 2031-01"):
        ArchiveSource(demo_copy).read_month("2031-01")
    with pytest.raises(SourceError, match="not found"):
        ArchiveSource(tmp_path / "nowhere")


def test_two_folders_in_one_month_are_refused(demo_copy):
    (demo_copy / "snapshots" / "2025-02-20").mkdir()
    with pytest.raises(SourceError, match="a second dated folder for month 2025-02"):
        ArchiveSource(demo_copy)
