"""Each month's truth in the Dagster instance after a range run: every check is evaluated per month
(passed, failed or warned with that month's figures; never skipped, never one evaluation for the whole
range), and each month's materialisation describes that month only."""

from __future__ import annotations

import shutil

import dagster as dg
import polars as pl
import pytest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.core.layers import SCORE_TABLES
from leaderboard_pipeline.core.quality import CHECKS, scores_checks
from leaderboard_pipeline.core.scoring import NORMALISED_SCHEMA, OVERALL_SCHEMA, RANK_SCHEMA
from leaderboard_pipeline.sources.demo import demo_dir
from leaderboard_pipeline.warehouse import read_partitions

MONTHS = ["2024-12", "2025-01", "2025-02", "2025-03"]


def cli_run(base, *args: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.ENV_DB, str(base / "w.duckdb"))
        mp.setenv("DAGSTER_HOME", str(base / "dagster"))
        assert main(["run", *args]) == 0
    return base / "w.duckdb", dg.DagsterInstance.from_config(str(base / "dagster"))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """`leaderboard run --source demo`: one run for the demo's four months."""
    return cli_run(tmp_path_factory.mktemp("truth"), "--source", "demo")


def executions(instance, layer: str, table: str):
    """The evaluations of a table's check (its rules' figures as ``<rule>.<figure>``)."""
    key = dg.AssetCheckKey(dg.AssetKey([layer, table]), "quality")
    return instance.event_log_storage.get_asset_check_execution_history(key, limit=100)


def figures(record) -> dict:
    return {k: v.value for k, v in record.event.dagster_event.event_specific_data.metadata.items()}


def test_every_check_has_one_evaluation_per_month(demo_run):
    _, instance = demo_run
    [run] = instance.get_run_records()
    for layer, specs in CHECKS.items():
        for spec in specs:
            records = executions(instance, layer, spec.table)
            assert sorted(r.partition for r in records) == MONTHS, (layer, spec.table)
            for record in records:
                assert record.run_id == run.dagster_run.run_id
                # evaluated (not planned-then-skipped), each rule with its own figures
                assert record.status in (
                    AssetCheckExecutionRecordStatus.SUCCEEDED,
                    AssetCheckExecutionRecordStatus.FAILED,
                )
                assert record.event.dagster_event.event_specific_data.partition == record.partition
                assert any(k.startswith(f"{spec.name}.") for k in figures(record)), (spec.table, spec.name)


def test_check_figures_and_materialisations_describe_their_month(demo_run):
    db, instance = demo_run
    rows = read_partitions(db, "raw", "hf_models", None).group_by("month").len()
    counts = dict(rows.iter_rows())
    assert len(set(counts.values())) > 1  # the demo's months differ, so a range figure would show
    for record in executions(instance, "raw", "hf_models"):
        assert figures(record)["schema.num_rows"] == counts[record.partition]
    for month in MONTHS:
        [mat] = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(["raw", "hf_models"]), asset_partitions=[month]),
            limit=10,
        ).records
        metadata = mat.asset_materialization.metadata
        assert metadata["dagster/row_count"].value == counts[month]
        assert metadata["write"].value == "new"


def test_each_months_ranking_preview_is_that_months(demo_run):
    db, instance = demo_run
    overall = read_partitions(db, "scores", "overall", None, "methodology")
    for month in ("2025-01", "2025-02", "2025-03"):
        [mat] = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(["scores", "overall"]), asset_partitions=[month]),
            limit=10,
        ).records
        preview = mat.asset_materialization.metadata["preview"].value
        ranked = overall.filter(pl.col("month") == month, pl.col("variant") == "monthly")
        assert f"| {month} |" in preview and all(f"| {m} |" not in preview for m in MONTHS if m != month)
        assert preview.count("\n| ") == ranked.height  # one line per org of the month
        assert (
            mat.asset_materialization.metadata["dagster/row_count"].value
            == overall.filter(pl.col("month") == month).height
        )


def test_a_warning_names_its_month(tmp_path, capsys):
    """A duplicate record in one month of an archive warns for that month only, with its count."""
    archive = tmp_path / "archive"
    shutil.copytree(demo_dir(), archive, ignore=shutil.ignore_patterns(".fingerprint"))
    models = archive / "snapshots" / "2025-01-14" / "HuggingFace" / "raw-models-info.jsonl"
    lines = models.read_text().splitlines()
    models.write_text("\n".join([*lines, lines[0], lines[1]]) + "\n")
    capsys.readouterr()
    _, instance = cli_run(tmp_path, "--source", "archive", "--archive", str(archive))
    out = capsys.readouterr().out
    found = {
        r.partition: (r.status, figures(r)["unique_records.duplicate_records"])
        for r in executions(instance, "raw", "hf_models")
    }
    failed, succeeded = AssetCheckExecutionRecordStatus.FAILED, AssetCheckExecutionRecordStatus.SUCCEEDED
    assert found == {
        "2024-12": (succeeded, 0),
        "2025-01": (failed, 2),
        "2025-02": (succeeded, 0),
        "2025-03": (succeeded, 0),
    }
    assert "  check raw/hf_models unique_records: 2025-01 duplicate_records=2\n" in out
    [january] = [r for r in executions(instance, "raw", "hf_models") if r.partition == "2025-01"]
    evaluation = january.event.dagster_event.event_specific_data
    assert (
        evaluation.severity == dg.AssetCheckSeverity.WARN
        and figures(january)["rules_failed"] == "unique_records"
    )
    assert evaluation.description == "unique_records: duplicate_records=2"


def test_schema_failures_count_for_their_rows_month():
    """pandera validates a range once; a failing row counts for its own month only."""
    rows = [
        dict.fromkeys(OVERALL_SCHEMA)
        | {"month": m, "variant": "monthly", "org": o, "position": i, "score": 0.5, "rank": i + 1}
        | dict.fromkeys(("data", "model", "system", "benchmark"), 0.5)
        for m in ("2025-01", "2025-02")
        for i, o in enumerate(("A", "B"))
    ]
    rows[3]["score"] = 1.5  # 2025-02, B: outside [0, 1]
    tables = {
        t: pl.DataFrame(schema=NORMALISED_SCHEMA if t.endswith("_normalised") else RANK_SCHEMA)
        for t in SCORE_TABLES
    }
    tables["overall"] = pl.DataFrame(rows, schema=OVERALL_SCHEMA)
    orgs = tables["overall"].select("month", "org")
    outcomes = {
        (o.name, o.month): o
        for o in scores_checks(tables, orgs, months=["2025-01", "2025-02"])
        if o.table == "overall"
    }
    assert outcomes["schema", "2025-01"].passed and outcomes["schema", "2025-01"].metadata["num_rows"] == 2
    failed = outcomes["schema", "2025-02"]
    assert not failed.passed and failed.metadata["num_failures"] == 1
    assert "1.5" in failed.metadata["failure_sample"]
    assert outcomes["dense_ranks", "2025-02"].passed and outcomes["all_ranked_orgs", "2025-01"].passed
