"""The published layout's details the golden test cannot isolate: the summary delta's alignment (orgs or
columns of only one month), the hand inputs' text form (BOM, line endings) recorded when read and
written back by `inputs_text: as-read` profiles only."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.site.exports import export_month, input_text_forms, summary_delta
from leaderboard_pipeline.sources.archive import file_entry, files_manifest, read_summary_csv, text_form


def _frame(rows: dict[str, list], orgs: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"org": orgs, **rows})


def test_same_orgs_keep_their_order_and_whole_numbers():
    this = _frame({"a": [5, 2], "b": [1.5, 2.0]}, ["Zeta", "Alpha"])
    last = _frame({"a": [3, 4], "b": [1.0, 2.0]}, ["Zeta", "Alpha"])
    delta = summary_delta(this, last)
    assert delta["org"].to_list() == ["Zeta", "Alpha"]  # not sorted: the same org list
    assert delta["a"].dtype == pl.Int64 and delta["a"].to_list() == [2, -2]
    assert delta["b"].dtype == pl.Float64 and delta["b"].to_list() == [0.5, 0.0]  # a float month stays float


def test_different_orgs_are_aligned_alphabetically_with_empty_rows():
    this = _frame({"a": [5, 2, 7]}, ["Zeta", "Alpha", "New"])
    last = _frame({"a": [3, 4, 1]}, ["Zeta", "Alpha", "Gone"])
    delta = summary_delta(this, last)
    assert delta["org"].to_list() == ["Alpha", "Gone", "New", "Zeta"]
    assert delta["a"].dtype == pl.Float64  # a column with an empty cell is float (written "-2.0")
    assert delta["a"].to_list() == [-2.0, None, None, 2.0]
    # the same orgs in another order are aligned too: alphabetical
    assert summary_delta(this.reverse(), this)["org"].to_list() == ["Alpha", "New", "Zeta"]


def test_columns_of_only_one_month_are_empty_and_sorted():
    this = _frame({"b": [1], "c": [2]}, ["X"])
    last = _frame({"b": [1], "a": [2]}, ["X"])
    delta = summary_delta(this, last)
    assert delta.columns == ["org", "a", "b", "c"]
    assert delta.row(0) == ("X", None, 0.0, None)


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        (b"org,x\nBAAI,1\n", "UTF-8, LF line endings"),
        (b"org,x\r\nBAAI,1\r\n", "UTF-8, CRLF line endings"),
        (b"\xef\xbb\xbforg,x\nBAAI,1\n", "UTF-8 with BOM, LF line endings"),
        (b"\xef\xbb\xbforg,x\r\nBAAI,1\r\n", "UTF-8 with BOM, CRLF line endings"),
    ],
)
def test_the_text_form_of_a_hand_input_is_recorded_and_written_back(tmp_path, raw, form):
    path = tmp_path / "infra-summary.csv"
    path.write_bytes(raw)
    assert text_form(path) == form
    frame = read_summary_csv(path, "2025-01")
    manifest = files_manifest([file_entry("2025-01", "archive", "system_inputs", path, frame, form)])
    assert manifest.row(0, named=True)["detail"] == form
    metrics = pl.DataFrame(
        {
            "month": ["2025-01"],
            "variant": ["monthly"],
            "org": ["BAAI"],
            "position": [1],
            "metric": ["x"],
            "value": [1.0],
        }
    )

    def read(schema, table):
        return {("raw", "snapshot_manifest"): manifest, ("metrics", "system"): metrics}.get((schema, table))

    published, ours = tmp_path / "published", tmp_path / "ours"
    export_month(read, load_profile("osir-published"), published)
    assert (published / "infra-summary.csv").read_bytes() == raw
    export_month(read, load_profile("methodology"), ours)  # our own files: UTF-8, LF, whatever the input
    assert (ours / "system-summary.csv").read_bytes() == b"org,x\nBAAI,1\n"


def test_a_month_stored_before_the_form_was_recorded_reads_it_from_the_unchanged_file(tmp_path):
    path = tmp_path / "eval-summary.csv"
    path.write_bytes(b"org,x\r\nBAAI,1\r\n")
    row = {"table": "benchmark_inputs", "location": str(path), "detail": None}
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = pl.DataFrame([{**row, "sha256": sha}])
    forms = input_text_forms(lambda schema, table: manifest if table == "snapshot_manifest" else None)
    assert forms == {"benchmark": "UTF-8, CRLF line endings"}
    changed = pl.DataFrame([{**row, "sha256": "0" * 64}])  # not the bytes that were read: no guess
    assert input_text_forms(lambda schema, table: changed if table == "snapshot_manifest" else None) == {}
