"""The `leaderboard` command: run, show and export on the demo; live runs against a local mock
ecosystem; errors are one line naming the file, row or request."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import time
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.sources.demo import demo_dir
from leaderboard_pipeline.warehouse import read_partitions

MOCK_PATH = Path(__file__).parent / "collectors" / "mock_ecosystem.py"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    """One demo run shared by the read-only tests of this module."""
    base = tmp_path_factory.mktemp("cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.ENV_DB, str(base / "w.duckdb"))
        mp.setenv("DAGSTER_HOME", str(base / "dagster"))
        mp.setenv("LEADERBOARD_CASSETTES", "replay")
        assert main(["run", "--source", "demo"]) == 0
    return base / "w.duckdb"


@pytest.fixture
def use_demo(demo_warehouse, monkeypatch):
    monkeypatch.setenv(settings.ENV_DB, str(demo_warehouse))


def test_show_prints_the_latest_ranking(use_demo, capsys):
    code, out, _ = run_cli(capsys, "show", "--top", "3")
    assert code == 0
    assert "overall ranking, 2025-03 (monthly; source demo, profile methodology)" in out
    assert sum(org in out for org in ("BAAI", "ShanghaiAILab", "Ali", "Meta", "Google", "Baidu")) == 3


def test_export_writes_every_ranking_file(use_demo, capsys, tmp_path):
    code, out, _ = run_cli(capsys, "export", "--month", "2025-02", "--out", str(tmp_path))
    assert code == 0
    for stem in ("data", "model", "system", "benchmark", "overall"):
        frame = pl.read_csv(tmp_path / f"{stem}-rank.csv")
        assert frame.height == 6
        assert {"org", "score", "rank", "delta_rank"} <= set(frame.columns)
        assert frame["rank"].is_sorted()
    for stem in ("data", "model", "overall"):
        assert pl.read_csv(tmp_path / f"{stem}-accumulated-rank.csv").height == 6
    model = pl.read_csv(tmp_path / "model-rank.csv")
    assert "downloads_language" in model.columns and model["downloads_language"].max() == 1.0


def test_unknown_month_is_one_clear_line(use_demo, capsys, tmp_path):
    code, _, err = run_cli(capsys, "export", "--month", "2030-01", "--out", str(tmp_path))
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "no scores for 2030-01 of the demo source with profile methodology" in err and "2025-03" in err


def test_missing_archive(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--source", "archive", "--archive", str(tmp_path / "missing"))
    assert code == 2 and "archive not found" in err


def test_malformed_file_names_file_and_line(capsys, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_dir(), archive, ignore=shutil.ignore_patterns(".fingerprint"))
    bad = archive / "snapshots" / "2025-01-14" / "ModelScope" / "raw-models-info.jsonl"
    lines = bad.read_text().splitlines()
    lines[3] = '{"repo": "BAAI", "model_name": '
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "run", "--source", "archive", "--archive", str(archive))
    assert code == 2
    assert f"{bad}:4: not valid JSON" in err
    assert err.strip().count("\n") == 0


def _mock():
    spec = importlib.util.spec_from_file_location("mock_ecosystem_cli", MOCK_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAST_HTTP = {
    "rate": 2000.0,
    "burst": 50,
    "backoff_base": 0.001,
    "backoff_cap": 0.01,
    "secondary_wait": 0.01,
    "max_wait": 2.0,
    "connect_timeout": 0.5,
    "read_timeout": 0.3,
    "max_attempts": 8,
}


@pytest.fixture
def live_inputs(tmp_path, monkeypatch):
    """Hand inputs for the current month, which is the only month a live run can fetch."""
    today = dt.datetime.now(dt.UTC).date()
    folder = tmp_path / "inputs" / "snapshots" / today.strftime("%Y-%m-07")
    folder.mkdir(parents=True)
    (folder / "infra-summary.csv").write_text(
        "org,num_operators,support_lifecycle\nBAAI,10,4\nAli,3,4\nBaidu,0,2\n"
    )
    (folder / "eval-summary.csv").write_text("org,num_leaderboards\nBAAI,4\nAli,0\nBaidu,1\n")
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "off")
    return today.strftime("%Y-%m")


def test_live_run_against_the_mock_ecosystem_with_faults(live_inputs, monkeypatch, capsys):
    mock = _mock()
    with mock.MockEcosystem(
        latency_ms=2, error_rate=0.05, burst_429=5, retry_after=1, timeout_once="/api/datahub", timeout_s=0.6
    ) as eco:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        monkeypatch.setenv("LEADERBOARD_HTTP_OVERRIDES", json.dumps(FAST_HTTP))
        code, out, err = run_cli(capsys, "run", "--source", "live")
        assert code == 0, err
        served = eco.count()
        statuses = [status for _, _, status, _ in eco.log]
    assert 429 in statuses and any(s >= 500 for s in statuses)  # the faults really happened
    db = settings.warehouse_path()
    month = live_inputs
    manifest = read_partitions(db, "raw", "snapshot_manifest", [month], None)
    assert manifest["requests"].sum() >= 300 and manifest["retries"].sum() > 0
    assert served >= manifest.filter(pl.col("requests").is_not_null())["requests"].sum()
    hf = read_partitions(db, "raw", "hf_models", [month], None)
    assert (
        hf.height
        == mock.expected_rows(load_registry(settings.DATA_DIR / "registry" / "orgs.yaml"))["hf_models"]
    )
    # The warehouse's first live month has nothing to difference cumulative downloads against: it is
    # stored as a baseline, not ranked, and the command says so.
    overall = read_partitions(db, "scores", "overall", [month], "methodology")
    assert overall.is_empty()
    assert f"{month} is stored as a baseline, not ranked" in out
    snapshots = read_partitions(db, "clean", "snapshots", [month], "methodology")
    statuses = dict(snapshots.select("table", "status").iter_rows())
    assert statuses["hf_models"] == "rolling" and statuses["ms_models"] == "first"

    # A permanent failure: the run fails loudly, naming the request, and nothing stored changes.
    before = {t: read_partitions(db, "raw", t, [month], None) for t in ("hf_models", "ms_datasets")}
    with mock.MockEcosystem(fail_paths=("/ms/openapi/v1/datasets",)) as eco:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        code, _, err = run_cli(capsys, "run", "--source", "live", "--replace-raw")
    assert code == 2
    assert "ModelScope" in err and "openapi/v1/datasets" in err
    for table, frame in before.items():
        assert read_partitions(db, "raw", table, [month], None).equals(frame)
    assert read_partitions(db, "scores", "overall", [month], "methodology").equals(overall)


def test_live_run_without_network_fails_in_seconds(live_inputs, monkeypatch, capsys):
    for var in (
        "HF_ENDPOINT",
        "MODELSCOPE_ENDPOINT",
        "GITHUB_API_URL",
        "LEADERBOARD_OPENDATALAB_URL",
        "LEADERBOARD_BAAI_URL",
        "LEADERBOARD_GITEE_URL",
        "LEADERBOARD_GITCODE_URL",
        "LEADERBOARD_OPENI_URL",
    ):
        monkeypatch.setenv(var, "http://127.0.0.1:9")  # discard port: nothing listens
    started = time.monotonic()
    code, _, err = run_cli(capsys, "run", "--source", "live", "--yes")  # without tokens: hours, asked
    assert code == 2
    assert time.monotonic() - started < 15
    assert "failed" in err and "127.0.0.1:9" in err


def test_the_demo_run_stores_the_evidence_of_its_hand_inputs(use_demo):
    months = ["2024-12", "2025-01", "2025-02", "2025-03"]
    evidence = read_partitions(settings.warehouse_path(), "raw", "input_evidence", months, None)
    assert sorted(evidence["month"].unique()) == months[1:]  # 2024-12 has no hand inputs
    assert evidence.filter(pl.col("org") == "*")["month"].to_list() == ["2025-03"]  # its new column


def test_live_run_with_a_platform_allowed_to_be_missing(live_inputs, monkeypatch, capsys):
    mock = _mock()
    month = live_inputs
    db = settings.warehouse_path()
    with mock.MockEcosystem(down=("opendatalab",)) as eco:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        monkeypatch.setenv("LEADERBOARD_HTTP_OVERRIDES", json.dumps(FAST_HTTP))
        # By default a month needs every platform: it fails naming OpenDataLab, and stores nothing.
        code, _, err = run_cli(capsys, "run", "--source", "live")
        assert code == 2 and "OpenDataLab: org 'ShanghaiAILab'" in err and err.strip().count("\n") == 0
        assert read_partitions(db, "raw", "hf_models", [month], None) is None
        code, out, err = run_cli(capsys, "run", "--source", "live", "--allow-missing", "opendatalab,baai")
    assert code == 0, err
    assert "OpenDataLab: missing this month (allowed by --allow-missing)" in out  # said on the terminal
    assert "GitHub: org " in out and "ETA" in out  # progress lines
    manifest = read_partitions(db, "raw", "snapshot_manifest", [month], None)
    odl = manifest.filter(pl.col("table") == "odl_datasets").row(0, named=True)
    assert odl["status"] == "missing" and "HTTP 503" in odl["detail"]
    assert manifest.filter(pl.col("table") != "odl_datasets")["status"].to_list() == ["ok"] * (
        manifest.height - 1
    )
    # the warehouse's first live month is a baseline (ranking with a gap: the scenario test's November)
    assert f"{month} is stored as a baseline" in out

    # A later run with the platform back replaces the month, without --replace-raw.
    with mock.MockEcosystem() as eco:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        code, out, err = run_cli(capsys, "run", "--source", "live")
    assert code == 0, err
    assert f"raw: replaced {month}" in out
    manifest = read_partitions(db, "raw", "snapshot_manifest", [month], None)
    assert manifest["status"].to_list() == ["ok"] * manifest.height
    assert read_partitions(db, "raw", "odl_datasets", [month], None).height > 0


def test_allow_missing_names_an_unknown_platform_in_one_line(capsys):
    code, _, err = run_cli(capsys, "run", "--source", "live", "--allow-missing", "opendatalab,odl")
    assert code == 2 and err.strip().count("\n") == 0
    assert "unknown platform 'odl'" in err and "opendatalab" in err


def test_a_live_month_recorded_beside_the_demo_cassettes_leaves_the_demo_alone(tmp_path, monkeypatch):
    """Recording a live month into data/cassettes/<month>/ must not make the demo want that month."""
    from leaderboard_pipeline.sources.factory import make_source

    cassettes = tmp_path / "cassettes"
    shutil.copytree(settings.DEMO_CASSETTES, cassettes)
    (cassettes / "2026-12").mkdir()
    (cassettes / "2026-12" / "_snapshot.json").write_text('{"orgs": ["BAAI"], "date_crawl": "2026-12-07"}')
    monkeypatch.setattr(settings, "DEMO_CASSETTES", cassettes)
    assert make_source("demo").months() == ["2024-12", "2025-01", "2025-02", "2025-03"]


def test_a_warehouse_held_by_another_process_is_one_line(capsys, monkeypatch):
    import duckdb

    def locked(*args, **kwargs):
        raise duckdb.IOException(
            'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in /usr/bin/python3 '
            "(PID 4242) by user root. See also https://duckdb.org/docs/connect/concurrency"
        )

    monkeypatch.setenv("LEADERBOARD_LOCK_WAIT", "0.3")
    monkeypatch.setattr(duckdb, "connect", locked)
    code, _, err = run_cli(capsys, "run", "--source", "demo")
    assert code == 2 and err.count("\n") == 1
    assert "locked by another process (PID 4242)" in err and str(settings.warehouse_path("demo")) in err


def test_a_new_version_of_the_bundled_demo_replaces_its_months(capsys):
    """The demo is versioned with the code: after new recordings its stored months are replaced, not
    refused (other sources' raw months stay immutable)."""
    import duckdb

    from leaderboard_pipeline.warehouse import record_source_version

    assert main(["run", "--source", "demo"]) == 0
    db = settings.warehouse_path("demo")
    with duckdb.connect(str(db)) as con:  # what an older demo recorded
        con.execute("update raw.hf_models set downloads_last_month = downloads_last_month + 1")
    record_source_version(db, "an older demo")
    code, out, err = run_cli(capsys, "run", "--source", "demo")
    assert code == 0, err
    assert "the bundled demo changed" in out and "raw: replaced 2024-12..2025-03" in out
    # the demo's first month has no earlier snapshot (and no hand inputs): the command says so, as the README does
    assert (
        "2024-12 is stored as a baseline, not ranked" in out and "2025-01 is stored as a baseline" not in out
    )
    assert "done: nothing changed" in run_cli(capsys, "run", "--source", "demo")[1]
