"""DuckDB warehouse: atomic partition replacement, immutable raw partitions, new columns."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import polars as pl
import pytest

from leaderboard_pipeline import warehouse
from leaderboard_pipeline.warehouse import (
    WarehouseError,
    read_partitions,
    require_source,
    stored_months,
    write_layer,
)


def write_partitions(path, schema, table, frame, months, profile=None, replace_raw=False) -> int:
    """One table's `write_layer`; the rows written."""
    return write_layer(path, schema, {table: frame}, months, profile, replace_raw)[table].rows


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


def test_each_month_is_judged_on_its_own(tmp_path):
    """A run that takes last month along as a baseline adds its new month: stored months must match,
    new months are written (the archive's month-after-month case)."""
    db = tmp_path / "w.duckdb"
    write_layer(db, "raw", {"t": frame("2025-01", [1, 2])}, ["2025-01"])
    both = pl.concat([frame("2025-01", [1, 2]), frame("2025-02", [3])])
    report = write_layer(db, "raw", {"t": both}, ["2025-01", "2025-02"])["t"]
    assert (report.new, report.unchanged, report.replaced) == (["2025-02"], ["2025-01"], [])
    changed = pl.concat([frame("2025-01", [1, 2]), frame("2025-02", [4])])
    with pytest.raises(WarehouseError, match="t 2025-02"):
        write_layer(db, "raw", {"t": changed}, ["2025-01", "2025-02"])
    derived = write_layer(db, "clean", {"t": both}, ["2025-01", "2025-02"], profile="p")["t"]
    again = write_layer(db, "clean", {"t": changed}, ["2025-01", "2025-02"], profile="p")["t"]
    assert derived.new == ["2025-01", "2025-02"] and (again.unchanged, again.replaced) == (
        ["2025-01"],
        ["2025-02"],
    )


def test_provenance_is_not_content(tmp_path):
    """The same archive read from another path, or a crawl replayed later, is the same raw content."""
    db = tmp_path / "w.duckdb"
    first = frame("2025-01", [3], table=["hf_models"], rows=[3], location=["/a/x.jsonl"], started=["t1"])
    write_layer(db, "raw", {"snapshot_manifest": first}, ["2025-01"])
    moved = first.with_columns(location=pl.lit("../a/x.jsonl"), started=pl.lit("t2"))
    assert write_layer(db, "raw", {"snapshot_manifest": moved}, ["2025-01"])["snapshot_manifest"].unchanged
    assert read_partitions(db, "raw", "snapshot_manifest", None)["location"].to_list() == ["/a/x.jsonl"]
    with pytest.raises(WarehouseError, match="immutable"):
        write_layer(db, "raw", {"snapshot_manifest": first.with_columns(rows=pl.lit(4))}, ["2025-01"])


def test_a_month_stored_with_a_platform_missing_can_be_completed(tmp_path):
    db = tmp_path / "w.duckdb"
    gap = frame("2025-01", [0], table=["odl_datasets"], rows=[0], status=["missing"])
    write_layer(
        db, "raw", {"snapshot_manifest": gap, "odl_datasets": frame("2025-01", [1]).head(0)}, ["2025-01"]
    )
    complete = gap.with_columns(rows=pl.lit(5), status=pl.lit("ok"))
    reports = write_layer(
        db,
        "raw",
        {"snapshot_manifest": complete, "odl_datasets": frame("2025-01", [1, 2, 3, 4, 5])},
        ["2025-01"],
    )
    assert reports["snapshot_manifest"].replaced == ["2025-01"] and reports["odl_datasets"].new == ["2025-01"]
    with pytest.raises(WarehouseError, match="immutable"):  # complete now: immutable again
        write_layer(db, "raw", {"snapshot_manifest": gap}, ["2025-01"])


def test_a_table_empty_in_a_stored_month_is_part_of_its_content(tmp_path):
    db = tmp_path / "w.duckdb"
    manifest = frame("2025-01", [1], table=["a"], rows=[1])
    write_layer(db, "raw", {"snapshot_manifest": manifest, "b": frame("2025-01", [1]).head(0)}, ["2025-01"])
    with pytest.raises(WarehouseError, match="b 2025-01"):
        write_layer(db, "raw", {"snapshot_manifest": manifest, "b": frame("2025-01", [7])}, ["2025-01"])


def test_a_layer_is_written_in_one_transaction(tmp_path, monkeypatch):
    """A write failing midway (the disk filling up on the second table) leaves every table as it was."""
    db = tmp_path / "w.duckdb"
    write_layer(
        db, "clean", {"a": frame("2025-01", [1]), "b": frame("2025-01", [2])}, ["2025-01"], profile="p"
    )
    real = duckdb.DuckDBPyConnection.execute
    inserts = []

    def failing(self, query, *args, **kwargs):
        if query.startswith("insert into"):
            inserts.append(query)
            if len(inserts) == 2:
                raise duckdb.IOException("IO Error: No space left on device")
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", failing)
    with pytest.raises(WarehouseError) as error:
        write_layer(
            db, "clean", {"a": frame("2025-01", [8]), "b": frame("2025-01", [9])}, ["2025-01"], profile="p"
        )
    monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", real)
    assert "nothing was written: IO Error: No space left on device" in str(error.value)
    assert str(db) in str(error.value) and "\n" not in str(error.value)
    assert read_partitions(db, "clean", "a", None, "p")["v"].to_list() == [1]  # the first delete rolled back
    assert read_partitions(db, "clean", "b", None, "p")["v"].to_list() == [2]


def test_a_warehouse_holds_one_source(tmp_path):
    db = tmp_path / "w.duckdb"
    write_layer(db, "raw", {"t": frame("2025-01", [1])}, ["2025-01"], source="demo")
    require_source(db, "demo")  # bound to the demo on its first write
    with pytest.raises(WarehouseError, match="holds the demo source, not archive"):
        write_layer(db, "raw", {"t": frame("2025-02", [1])}, ["2025-02"], source="archive")
    assert stored_months(db, "raw", "t") == ["2025-01"]


def test_a_warehouse_locked_longer_than_the_wait_is_one_line_naming_the_pid(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    write_partitions(db, "clean", "t", frame("2025-01", [1]), ["2025-01"], profile="p")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setenv(warehouse.ENV_LOCK_WAIT, "0.5")
        with pytest.raises(WarehouseError) as error:
            write_partitions(db, "clean", "t", frame("2025-01", [2]), ["2025-01"], profile="p")
    finally:
        holder.kill()
        holder.wait()
    message = str(error.value)
    assert message.startswith(f"{db}: locked by another process (PID {holder.pid})") and "\n" not in message
    assert read_partitions(db, "clean", "t", None, "p")["v"].to_list() == [1]


def test_a_read_only_warehouse_is_one_line(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"

    def refuse(path, read_only=False, config=None):
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(duckdb, "connect", refuse)
    with pytest.raises(WarehouseError, match=r"cannot open it for writing \(permission denied"):
        write_partitions(db, "clean", "t", frame("2025-01", [1]), ["2025-01"], profile="p")
