"""Taking over the published leaderboard (docs/operations.md, "Taking over the published leaderboard"),
each step its own `leaderboard` command, as the recipe says:

1. an inputs folder in the published layout: two published months (raw files, summaries) and the
   published config files, symlinked from the reference archive (a subset keeps it quick);
2. `inputs new` for the first live month seeds from the last archive month (no empty cell);
3. `run --source live` stores the archive months and the live month, collected from the mock ecosystem
   (recorded, replayed; a small registry), in one warehouse: the live month is differenced against the
   archive's last snapshot, has delta ranks against it and accumulates over it;
4. with `--profile osir-published` the archive months are the published ranks, byte for byte, and the
   live month uses the folder's published labels by exact key (our rules elsewhere);
5. the site and the API show one history, and the method page how the profile's ranks differ from the
   published ones;
6. `inputs new` for the month after the live one leaves no empty cell.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.warehouse import read_partitions, stored_months

HERE = Path(__file__).parent
ARCHIVE = ("2025-06-07", "2025-07-07")  # the archive months taken over (a subset of the ten)
LIVE, NEXT = "2025-08", "2025-09"
ORGS = ["BAAI", "OpenBMB"]  # the orgs the mock serves (a small registry: quick)
# Published labels given to the live month's items (the mock's names): one the rules call not large
# that the published file calls large, and one whose key differs from the collected item's only by case
# (the published files are exact-key: it must not apply).
PUBLISHED_LARGE = "BAAI/BAAI-bert-base"
CASE_VARIANT = "baai/BAAI-asr-large"  # the Hub serves BAAI/BAAI-asr-large


def _mock():
    spec = importlib.util.spec_from_file_location(
        "mock_ecosystem_takeover", HERE.parent / "collectors" / "mock_ecosystem.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(month: str, root: Path) -> None:
    """Record ``month`` from the mock as `run --source live` in record mode would in this folder."""
    from leaderboard_pipeline.sources.live import LiveSource

    mock = _mock()
    with mock.MockEcosystem(month=month) as eco, mock.env_vars(eco.env()):
        source = LiveSource(
            settings.DATA_DIR / "registry" / "orgs.yaml",
            root,
            "record",
            orgs=ORGS,
            platform_settings=dict.fromkeys(mock.PREFIXES_TO_KEYS, mock.FAST),
        )
        source.read_month(month)
    meta = root / month / "_snapshot.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "date_crawl": f"{month}-07"}))


@pytest.fixture
def folder(tmp_path, monkeypatch, reference_archive) -> Path:
    """The operator's folder: published months and config symlinked, two labels added to a copy of the
    published model labels, the live month recorded from the mock."""
    for name in (settings.ENV_DB, "DAGSTER_HOME", settings.ENV_SOURCE, settings.ENV_PROFILE):
        monkeypatch.delenv(name, raising=False)
    inputs = tmp_path / "inputs"
    (inputs / "config").mkdir(parents=True)
    (inputs / "snapshots").mkdir()
    for name in ("org-links.json", "dataset-info.json"):
        (inputs / "config" / name).symlink_to(reference_archive / "config" / name)
    labels = json.loads((reference_archive / "config" / "model-info.json").read_text(encoding="utf-8"))
    labels[PUBLISHED_LARGE] = {"modality": "Language", "is_large_model": True}
    labels[CASE_VARIANT] = {"modality": "Speech", "is_large_model": False}
    (inputs / "config" / "model-info.json").write_text(json.dumps(labels), encoding="utf-8")
    snapshots = reference_archive / "snapshots"
    (inputs / "snapshots" / "other-source-datasets.jsonl").symlink_to(
        snapshots / "other-source-datasets.jsonl"
    )
    for date in ARCHIVE:
        (inputs / "snapshots" / date).symlink_to(snapshots / date)
    _record(LIVE, tmp_path / "cassettes")
    monkeypatch.setenv(settings.ENV_INPUTS, str(inputs))
    monkeypatch.setenv(settings.ENV_CASSETTE_DIR, str(tmp_path / "cassettes"))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    monkeypatch.setenv(settings.ENV_WAREHOUSE_DIR, str(tmp_path / "warehouse"))
    monkeypatch.setenv(settings.ENV_DAGSTER_DIR, str(tmp_path / "dagster"))
    return inputs


def ok(capsys, *args: str) -> str:
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 0, f"leaderboard {' '.join(args)}: {captured.err}"
    return captured.out


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def _value(db: Path, dim: str, month: str, variant: str, org: str, metric: str, profile: str) -> float:
    rows = read_partitions(db, "metrics", dim, [month], profile).filter(
        (pl.col("variant") == variant) & (pl.col("org") == org) & (pl.col("metric") == metric)
    )
    return rows["value"][0]


def test_a_live_series_takes_over_the_published_archive(folder, tmp_path, reference_archive, capsys):
    # 2. the first live month's hand inputs start from the last archive month's published files
    out = ok(capsys, "inputs", "new", "--month", LIVE, "--date", f"{LIVE}-07")
    assert "infra-summary.csv: carried forward from 2025-07" in out
    live_folder = folder / "snapshots" / f"{LIVE}-07"
    assert "" not in _cells(live_folder / "infra-summary.csv") + _cells(live_folder / "eval-summary.csv")
    assert (live_folder / "infra-summary.csv").read_text(encoding="utf-8").splitlines()[1:] == (
        reference_archive / "snapshots" / "2025-07-07" / "infra-summary.csv"
    ).read_text(encoding="utf-8-sig").splitlines()[1:]
    assert ok(capsys, "inputs", "check", "--month", LIVE).endswith(
        f"{LIVE}: 0 error(s), 50 warning(s) (profile methodology, {folder})\n"
    )  # 25 orgs x 2 files: "carried forward, not reviewed"

    # 3. one run stores the archive months and the live month in one warehouse
    out = ok(capsys, "run", "--source", "live")
    assert "raw: new 2025-06..2025-08" in out
    db = tmp_path / "warehouse" / "live.duckdb"
    assert stored_months(db, "raw", "snapshot_manifest") == ["2025-06", "2025-07", LIVE]
    # methodology: the first month of the series is its baseline; the live month is ranked
    assert stored_months(db, "scores", "overall", "methodology") == ["2025-07", LIVE]
    snapshots = read_partitions(db, "clean", "snapshots", [LIVE], "methodology")
    cumulative = snapshots.filter(pl.col("table").is_in(["ms_models", "baai_datasets"]))  # served by the mock
    assert cumulative["status"].to_list() == ["differenced"] * 2
    assert cumulative["previous_month"].to_list() == ["2025-07"] * 2
    # differenced against the archive's own record: BAAI-CCI3-HQ is in the published 2025-07 snapshot
    published = pl.read_ndjson(
        reference_archive / "snapshots" / "2025-07-07" / "BAAIData" / "raw-datasets-info.jsonl"
    )
    total_before = published.filter(pl.col("dataset_name") == "BAAI-CCI3-HQ")["total_downloads"][0]
    baai = read_partitions(db, "clean", "baai_datasets", [LIVE], "methodology").filter(
        pl.col("name") == "BAAI-CCI3-HQ"
    )
    assert baai["previous_total"].to_list() == [total_before] and baai["days_since_previous"][0] == 31
    # delta ranks against the archive's last month
    overall = read_partitions(db, "scores", "overall", ["2025-07", LIVE], "methodology").filter(
        pl.col("variant") == "monthly"
    )
    before = dict(overall.filter(pl.col("month") == "2025-07").select("org", "rank").iter_rows())
    now = overall.filter(pl.col("month") == LIVE)
    assert now["delta_rank"].null_count() == 0
    assert all(before[o] - r == d for o, r, d in now.select("org", "rank", "delta_rank").iter_rows())
    # accumulation continues over the archive months
    args = ("model", "accumulated", "BAAI", "downloads_language", "methodology")
    acc_before, acc_now = _value(db, args[0], "2025-07", *args[1:]), _value(db, args[0], LIVE, *args[1:])
    monthly_now = _value(db, "model", LIVE, "monthly", "BAAI", "downloads_language", "methodology")
    assert acc_before > 0 and acc_now == acc_before + monthly_now

    # 4. the published profile: the archive months are the published ranks, the live month its labels
    ok(capsys, "run", "--source", "live", "--profile", "osir-published")
    exported = tmp_path / "out" / "2025-07"
    ok(
        capsys,
        "export",
        "--source",
        "live",
        "--month",
        "2025-07",
        "--profile",
        "osir-published",
        "--out",
        str(exported),
    )
    for name in ("overall-rank.csv", "data-rank.csv", "model-rank.csv"):
        # every cell but the delta ranks, which need 2025-06 ranked exactly, hence 2025-05 too
        ours, theirs = (
            pl.read_csv(p, infer_schema=False).drop("delta rank")
            for p in (exported / name, reference_archive / "snapshots" / "2025-07-07" / name)
        )
        assert ours.equals(theirs), name
    assert (exported / "gaps.csv").read_text().splitlines() == ["month,kind,subject,table,dimensions,detail"]

    def label(profile: str, key: str) -> bool | None:
        namespace, name = key.split("/")
        rows = read_partitions(db, "clean", "hf_models", [LIVE], profile).filter(
            (pl.col("namespace") == namespace) & (pl.col("name") == name)
        )
        return rows["is_large_model"][0]

    assert label("osir-published", PUBLISHED_LARGE) is True  # the published file's label, exact key
    assert label("methodology", PUBLISHED_LARGE) is False  # our rules: a BERT is not a large model
    hf_key = "BAAI/" + CASE_VARIANT.split("/")[1]
    assert label("osir-published", hf_key) is True  # the case variant is another item: our rules
    labels = read_partitions(db, "raw", "model_labels", [LIVE])
    assert labels.filter(pl.col("origin") == "published")["key"].to_list() == [PUBLISHED_LARGE]

    # 5. one history on the site and in the API; the method page says how the ranks differ
    site = tmp_path / "site"
    ok(capsys, "site", "--source", "live", "--out", str(site))
    index = json.loads((site / "api" / "v1" / "index.json").read_text())
    assert index["months"] == ["2025-07", LIVE] and index["source"] == "live"
    document = json.loads((site / "api" / "v1" / LIVE / "overall.json").read_text())
    assert document["delta_from"] == "2025-07" and document["gaps"] == {"missing": [], "unranked": []}
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "Ranked with profile <code>methodology</code>" in page and 'href="method.html#published"' in page
    method = (site / "method.html").read_text(encoding="utf-8")
    assert 'id="published"' in method and "Overall ranks of 2025-07: published and here" in method

    # 6. the month after the live one starts from it: no empty cell, nothing but carried values to review
    out = ok(capsys, "inputs", "new", "--month", NEXT, "--date", f"{NEXT}-07")
    assert f"carried forward from {LIVE}" in out
    next_folder = folder / "snapshots" / f"{NEXT}-07"
    assert "" not in _cells(next_folder / "infra-summary.csv") + _cells(next_folder / "eval-summary.csv")
    assert " 0 error(s)" in ok(capsys, "inputs", "check", "--month", NEXT)
