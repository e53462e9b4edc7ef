"""Golden test: the osir-published profile reproduces the published leaderboard exactly.

Runs the archive source (read by path at run time from ../shared/reference/osir-lmts) through the real
graph for every month, then compares, per ranked month, every cell of the published rank and summary
files (scores within 1e-9, ranks, delta ranks and metric values exact) and every processed and merged
record. Our system/benchmark are their infra/eval.
"""

from __future__ import annotations

import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.config.settings import warehouse_path
from leaderboard_pipeline.site.exports import export_month, metric_table, ranking_table
from leaderboard_pipeline.warehouse import read_partitions
from leaderboard_pipeline_tests.published import (
    PROCESSED,
    PUBLISHED_STEMS,
    compare_records,
    compare_tables,
    read_published_csv,
)

PROFILE = load_profile("osir-published")
RANKED = ["2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"]
RENAMES = {"delta_rank": "delta rank", "system": "infra", "benchmark": "eval"}


@pytest.fixture(scope="module")
def golden(reference_archive, tmp_path_factory):
    base = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADERBOARD_DB", str(base / "w.duckdb"))
        mp.setenv("DAGSTER_HOME", str(base / "dagster"))
        code = main(
            ["run", "--source", "archive", "--archive", str(reference_archive), "--profile", PROFILE.name]
        )
        assert code == 0
        db = warehouse_path()
    folders = {p.name[:7]: p for p in (reference_archive / "snapshots").iterdir() if p.is_dir()}
    return db, folders


def reader(db, month):
    return lambda schema, table: read_partitions(db, schema, table, [month], PROFILE.name, read_only=True)


def test_every_ranked_month_is_in_the_archive(golden):
    _, folders = golden
    ranked = sorted(m for m, f in folders.items() if (f / "overall-rank.csv").exists())
    assert ranked == RANKED


@pytest.mark.parametrize("month", RANKED)
def test_rank_and_summary_files_match_every_cell(golden, month):
    db, folders = golden
    folder, read = folders[month], reader(db, month)
    results = []
    for dimension, stem in PUBLISHED_STEMS.items():
        ours = ranking_table(read, PROFILE, dimension)
        results.append(
            compare_tables(
                ours, read_published_csv(folder / f"{stem}-rank.csv"), f"{stem}-rank", renames=RENAMES
            )
        )
        if dimension in ("data", "model"):
            theirs = read_published_csv(folder / f"{stem}-summary.csv")
            results.append(
                compare_tables(metric_table(read, dimension), theirs, f"{stem}-summary", tolerance=0.0)
            )
    overall = ranking_table(read, PROFILE, "overall")
    results.append(
        compare_tables(
            overall, read_published_csv(folder / "overall-rank.csv"), "overall-rank", renames=RENAMES
        )
    )
    report = ", ".join(f"{r.file} {r.matching}/{r.cells}" for r in results)
    print(f"{month}: {report}")
    assert all(r.cells > 0 for r in results)
    assert [r.first_mismatch for r in results if r.matching != r.cells] == [], report


@pytest.mark.parametrize("month", RANKED)
def test_clean_and_merged_records_match_processed_and_merged_files(golden, month):
    db, folders = golden
    folder = folders[month]
    results = []
    for table, (platform, kind) in PROCESSED.items():
        ours = read_partitions(db, "clean", table, [month], PROFILE.name)
        kept = ours.filter(ours["excluded"].is_null())
        results.append(compare_records(kept, folder / platform / f"processed-{kind}-info.jsonl", kind))
    for kind, extra in (("models", ("descendants",)), ("datasets", ("dataset_usage", "community"))):
        merged = read_partitions(db, "clean", kind, [month], PROFILE.name)
        results.append(compare_records(merged, folder / f"merged-{kind}-info.jsonl", kind, extra))
    report = ", ".join(f"{r.file} {r.matching}/{r.cells}" for r in results)
    print(f"{month}: {report}")
    assert [r.first_mismatch for r in results if r.first_mismatch] == [], report


@pytest.mark.parametrize("month", RANKED)
def test_exported_files_are_byte_identical_to_the_published_ones(golden, month, tmp_path):
    db, folders = golden
    export_month(reader(db, month), PROFILE, tmp_path)
    names = [f"{s}-rank.csv" for s in (*PUBLISHED_STEMS.values(), "overall")] + [
        "data-summary.csv",
        "model-summary.csv",
    ]
    differing = [n for n in names if (tmp_path / n).read_bytes() != (folders[month] / n).read_bytes()]
    assert differing == []


@pytest.mark.parametrize("month", RANKED)
def test_a_folder_wide_diff_against_the_published_month_is_empty(
    golden, month, tmp_path, monkeypatch, capsys
):
    """`leaderboard export --profile osir-published` against the published folder: every file both have
    is byte-identical (the hand inputs' summaries in their own BOM and line endings, whichever month),
    and every published top-level CSV is produced, the summary deltas included (none for the first month)."""
    db, folders = golden
    monkeypatch.setenv("LEADERBOARD_DB", str(db))
    out = tmp_path / month
    code = main(
        ["export", "--source", "archive", "--month", month, "--profile", PROFILE.name, "--out", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    published = {p.name for p in folders[month].glob("*.csv")}
    ours = {p.name for p in out.glob("*.csv")}
    assert published - ours == set()
    assert ("data-summary-delta.csv" in published) == (month != RANKED[0])
    differing = [
        n for n in sorted(published & ours) if (out / n).read_bytes() != (folders[month] / n).read_bytes()
    ]
    assert differing == []
