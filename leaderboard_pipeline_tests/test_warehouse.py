"""DuckDB warehouse: atomic partition replacement, immutable raw partitions, new columns."""

from __future__ import annotations

import polars as pl
import pytest

from leaderboard_pipeline.warehouse import WarehouseError, read_partitions, stored_months, write_partitions


def frame(month: str, values: list[int], **extra) -> pl.DataFrame:
    return pl.DataFrame({"month": [month] * len(values), "v": values, **extra})


def test_replace_only_the_written_months_and_profiles(tmp_path):
    db = tmp_path / "w.duckdb"
    write_partitions(db, "scores", "t", frame("2025-01", [1, 2]), ["2025-01"], profile="p")
    write_partitions(db, "scores", "t", frame("2025-02", [3]), ["2025-02"], profile="p")
    write_partitions(db, "scores", "t", frame("2025-01", [9]), ["2025-01"], profile="other")
    write_partitions(db, "scores", "t", frame("2025-01", [5]), ["2025-01"], profile="p")
    assert read_partitions(db, "scores", "t", None, "p").sort("month")["v"].to_list() == [5, 3]
    assert read_partitions(db, "scores", "t", ["2025-01"], "other")["v"].to_list() == [9]
    assert stored_months(db, "scores", "t", "p") == ["2025-01", "2025-02"]


def test_rows_outside_the_partitions_are_refused_and_nothing_changes(tmp_path):
    db = tmp_path / "w.duckdb"
    write_partitions(db, "clean", "t", frame("2025-01", [1]), ["2025-01"], profile="p")
    with pytest.raises(WarehouseError, match="outside the partitions"):
        write_partitions(db, "clean", "t", frame("2025-02", [7]), ["2025-01"], profile="p")
    assert read_partitions(db, "clean", "t", None, "p")["v"].to_list() == [1]


def test_failed_insert_rolls_back_the_delete(tmp_path):
    db = tmp_path / "w.duckdb"
    write_partitions(db, "clean", "t", frame("2025-01", [1, 2]), ["2025-01"], profile="p")
    bad = pl.DataFrame({"month": ["2025-01"], "v": ["not a number"]})
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's conversion error type is an implementation detail
        write_partitions(db, "clean", "t", bad, ["2025-01"], profile="p")
    assert read_partitions(db, "clean", "t", None, "p")["v"].to_list() == [1, 2]


def test_raw_partitions_are_immutable_unless_replacing_is_asked_for(tmp_path):
    db = tmp_path / "w.duckdb"
    write_partitions(db, "raw", "t", frame("2025-01", [1, 2]), ["2025-01"])
    assert write_partitions(db, "raw", "t", frame("2025-01", [1, 2]), ["2025-01"]) == 0  # same content: no-op
    with pytest.raises(WarehouseError, match="immutable"):
        write_partitions(db, "raw", "t", frame("2025-01", [1, 3]), ["2025-01"])
    with pytest.raises(WarehouseError, match="immutable"):  # row order is content: the first record wins
        write_partitions(db, "raw", "t", frame("2025-01", [2, 1]), ["2025-01"])
    assert sorted(read_partitions(db, "raw", "t", None)["v"].to_list()) == [1, 2]
    write_partitions(db, "raw", "t", frame("2025-01", [1, 3]), ["2025-01"], replace_raw=True)
    assert sorted(read_partitions(db, "raw", "t", None)["v"].to_list()) == [1, 3]


def test_new_columns_are_added_for_later_months(tmp_path):
    db = tmp_path / "w.duckdb"
    write_partitions(db, "raw", "t", frame("2025-01", [1]), ["2025-01"])
    write_partitions(db, "raw", "t", frame("2025-02", [2], extra=["x"]), ["2025-02"])
    stored = read_partitions(db, "raw", "t", None).sort("month")
    assert stored["extra"].to_list() == [None, "x"]
