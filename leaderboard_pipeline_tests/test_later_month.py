"""A later month of the published layout runs with no code change: new orgs, new hand-input columns,
and crawls spread over several days in one folder. The month is built here from the last real one."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config.settings import warehouse_path
from leaderboard_pipeline.warehouse import read_partitions

PROFILE = "osir-published"


def _jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture(scope="module")
def extended(reference_archive, tmp_path_factory):
    root = tmp_path_factory.mktemp("later") / "archive"
    shutil.copytree(reference_archive / "config", root / "config")
    for date in ("2025-07-07", "2025-08-07"):
        shutil.copytree(
            reference_archive / "snapshots" / date,
            root / "snapshots" / date,
            ignore=shutil.ignore_patterns(
                "processed-*", "merged-*", "*-rank.csv", "*summary-delta.csv", "new-*"
            ),
        )
        for published in ("data-summary.csv", "model-summary.csv"):
            (root / "snapshots" / date / published).unlink()
    shutil.copy(reference_archive / "snapshots" / "other-source-datasets.jsonl", root / "snapshots")
    august, september = root / "snapshots" / "2025-08-07", root / "snapshots" / "2025-09-07"

    # Platform records: a month later, half of them crawled three days after the folder date.
    for platform in ("HuggingFace", "ModelScope", "OpenDataLab", "BAAIData"):
        for path in (august / platform).glob("raw-*.jsonl"):
            rows = _jsonl(path)
            for i, row in enumerate(rows):
                row["date_crawl"] = "2025-09-10" if i % 2 else "2025-09-07"
                for counter in ("total_downloads", "downloads_last_month"):
                    if counter in row:
                        row[counter] += 1000
            _write(september / platform / path.name, rows)
    # A new org with its own namespace, models and labels.
    links = json.loads((root / "config" / "org-links.json").read_text())
    links["NewLab"] = {"HuggingFace": ["https://huggingface.co/newlab-ai"]}
    (root / "config" / "org-links.json").write_text(json.dumps(links))
    labels = json.loads((root / "config" / "model-info.json").read_text())
    labels["newlab-ai/New-LM-7B"] = {"modality": "Language", "is_large_model": True}
    (root / "config" / "model-info.json").write_text(json.dumps(labels))
    hf = september / "HuggingFace" / "raw-models-info.jsonl"
    rows = _jsonl(hf)
    rows.append({**rows[0], "repo": "newlab-ai", "model_name": "New-LM-7B", "downloads_last_month": 777777})
    _write(hf, rows)
    # Hand inputs: the new org, and a new column in each.
    for name, column in (
        ("infra-summary.csv", "num_new_system_metric"),
        ("eval-summary.csv", "num_new_eval_metric"),
    ):
        lines = (august / name).read_text(encoding="utf-8-sig").splitlines()
        lines = [f"{lines[0]},{column}"] + [f"{line},1" for line in lines[1:]]
        width = lines[0].count(",")
        lines.append("NewLab," + ",".join(["0"] * (width - 1) + ["3"]))
        (september / name).write_text("\r\n".join(lines) + "\r\n")

    base = root.parent
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADERBOARD_DB", str(base / "w.duckdb"))
        mp.setenv("DAGSTER_HOME", str(base / "dagster"))
        assert main(["run", "--source", "archive", "--archive", str(root), "--profile", PROFILE]) == 0
        return warehouse_path()


def read(db, schema, table, month="2025-09"):
    return read_partitions(db, schema, table, [month], PROFILE)


def test_new_org_is_ranked_with_no_previous_rank(extended):
    overall = read(extended, "scores", "overall").filter(pl.col("variant") == "monthly")
    assert overall.height == 26
    new = overall.filter(pl.col("org") == "NewLab").row(0, named=True)
    assert new["delta_rank"] is None
    assert overall.filter(pl.col("org") != "NewLab")["delta_rank"].is_not_null().all()
    model = read(extended, "metrics", "model").filter(
        pl.col("org") == "NewLab", pl.col("variant") == "monthly"
    )
    assert model.filter(pl.col("metric") == "downloads_language")["value"].item() == 777777


def test_new_hand_input_columns_are_scored(extended):
    system = read(extended, "scores", "system_normalised")
    assert "num_new_system_metric" in system["metric"].to_list()
    assert read(extended, "scores", "benchmark_normalised")["metric"].n_unique() == 6
    august = read(extended, "scores", "system_normalised", "2025-08")
    assert "num_new_system_metric" not in august["metric"].to_list()  # earlier months keep their columns


def test_rows_crawled_days_after_the_folder_date_difference_against_last_month(extended):
    clean = read(extended, "clean", "ms_models")
    late = clean.filter(pl.col("date_crawl") == pl.date(2025, 9, 10), pl.col("previous_total").is_not_null())
    assert late.height > 100
    assert (late["downloads_month"] == late["total_downloads"] - late["previous_total"]).all()
    assert (late["total_downloads"] - late["previous_total"] >= 1000).all()
