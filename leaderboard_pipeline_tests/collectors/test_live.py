"""LiveSource end to end: the mock ecosystem on 127.0.0.1 with faults, failures, no network, replay."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.collectors.http import PLATFORMS
from leaderboard_pipeline.raw_tables import RAW_SCHEMAS
from leaderboard_pipeline.registry import load_registry
from leaderboard_pipeline.sources.base import SourceError
from leaderboard_pipeline.sources.live import LiveSource

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "data" / "registry" / "orgs.yaml"
CASSETTES = ROOT / "data" / "cassettes"
E2E_ORGS = ["BAAI", "ShanghaiAILab", "Ali", "Baidu", "Huawei"]  # every platform incl. Gitee and GitCode


def _source(settings, cassettes=None, mode="off", orgs=E2E_ORGS):
    return LiveSource(
        REGISTRY, cassettes, mode, orgs=orgs, platform_settings=dict.fromkeys(PLATFORMS, settings)
    )


@pytest.fixture
def e2e(fast) -> dict:
    return {**fast, "read_timeout": 0.3}


@pytest.fixture
def eco_env(monkeypatch, mock):
    def start(**faults):
        eco = mock.MockEcosystem(**faults).__enter__()
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        started.append(eco)
        return eco

    started: list = []
    yield start
    for eco in started:
        eco.__exit__(None, None, None)


def _check_complete(mock, tables, registry, month):
    assert set(tables) == set(RAW_SCHEMAS)
    for name, frame in tables.items():
        assert frame.schema == RAW_SCHEMAS[name], name
    for table, rows in mock.expected_rows(registry).items():
        assert tables[table].height == rows, table
    # Every record with its numbers, not just the counts.
    want = {
        (ns, m["id"].split("/")[1], m["downloads"])
        for _, ns in registry.namespaces("huggingface")
        for m in mock.hf_models(ns)
        if not m["private"]
    }
    assert set(tables["hf_models"].select("namespace", "name", "downloads_last_month").rows()) == want
    want = {
        (m["id"], m["downloads"])
        for _, ns in registry.namespaces("modelscope")
        for m in mock.ms_repos("models", ns)
    }
    got = (
        tables["ms_models"].select(pl.concat_str("namespace", pl.lit("/"), "name"), "total_downloads").rows()
    )
    assert set(got) == want
    code = tables["code_repos"]
    for repo in registry.code_repos():
        row = code.filter(pl.col("repo") == repo.repo).row(0, named=True)
        nums = mock.repo_numbers(repo.repo)
        assert (row["stars"], row["forks"]) == (nums["stars"], nums["forks"])
        if repo.platform == "github":
            assert row["open_issues"] == nums["open_issues_and_prs"] - nums["open_prs"]
            assert (
                row["contributors"] == nums["contributors"] and row["commits_last_month"] == nums["commits"]
            )
    assert (tables["org_registry"]["month"] == month).all()
    assert tables["model_labels"].height == tables["hf_models"].height + tables["ms_models"].height


def test_end_to_end_with_faults(eco_env, e2e, mock):
    eco = eco_env(error_rate=0.05, burst_429=4, retry_after=1, timeout_once="/api/datahub", timeout_s=0.6)
    source = _source(e2e)
    month = source.months()[0]
    tables = source.read_month(month)
    registry = load_registry(REGISTRY).subset(E2E_ORGS)
    _check_complete(mock, tables, registry, month)
    manifest = tables["snapshot_manifest"]
    deadline = time.monotonic() + 2  # the timed-out answer reaches the server's log late
    while len(eco.log) < manifest["requests"].sum() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert manifest["requests"].sum() == len(eco.log)  # every request the server saw is accounted for
    assert manifest["retries"].sum() >= 4 + 1  # the 429 burst and the timeout at least
    assert manifest["failures"].sum() == 0
    assert tables["baai_datasets"].height == 5 and tables["code_repos"]["platform"].n_unique() == 3


def test_permanent_failure_raises_and_publishes_nothing(eco_env, e2e, tmp_path):
    eco_env(fail_paths=("/ms/openapi/v1/datasets",))
    source = _source(e2e, tmp_path, "record", orgs=["BAAI"])
    with pytest.raises(SourceError) as err:
        source.read_month("2025-04")
    msg = str(err.value)
    assert "ModelScope: org 'BAAI': GET http://127.0.0.1:" in msg
    assert "/ms/openapi/v1/datasets?owner=BAAI&page_number=1&page_size=50" in msg and "HTTP 500" in msg
    # The partial recording is not a month: replay does not offer it.
    assert _source(e2e, tmp_path, "replay").months() == []


def test_no_network_fails_in_seconds(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for config in PLATFORMS.values():
        for var in config.url_env:
            monkeypatch.setenv(var, f"http://127.0.0.1:{port}")
    source = LiveSource(REGISTRY, None, "off", orgs=["BAAI"])  # the real settings, not the scaled ones
    start = time.monotonic()
    with pytest.raises(SourceError, match=r"cannot connect"):
        source.read_month(source.months()[0])
    assert time.monotonic() - start < 5


def test_replay_of_the_demo_cassettes(monkeypatch, mock):
    for config in PLATFORMS.values():
        for var in config.url_env:
            monkeypatch.delenv(var, raising=False)
    source = LiveSource(REGISTRY, CASSETTES, "replay")
    assert "2025-03" in source.months()
    tables = source.read_month("2025-03")
    registry = load_registry(REGISTRY).subset(mock.DEMO_ORGS)
    _check_complete(mock, tables, registry, "2025-03")
    assert set(tables["org_registry"]["org"]) == set(mock.DEMO_ORGS)
    assert tables["hf_models"]["date_crawl"].unique().to_list() == [
        pl.Series(["2025-03-07"]).str.to_date()[0]
    ]
    assert (tables["snapshot_manifest"]["source"] == "live:replay").all()


def test_only_the_current_month_can_be_fetched_live(e2e):
    with pytest.raises(SourceError, match="only the current month"):
        _source(e2e).read_month("2020-01")
    with pytest.raises(SourceError, match="no recorded snapshot for 2020-01"):
        LiveSource(REGISTRY, CASSETTES, "replay").read_month("2020-01")


def test_collector_runs_close_to_the_configured_rate(eco_env, e2e):
    eco = eco_env()
    settings = {**e2e, "rate": 80.0, "burst": 1}
    source = _source(settings, orgs=["ShanghaiAILab"])
    source.read_month(source.months()[0])
    hf_rate = eco.rate("hf")
    assert eco.count("hf") > 40
    assert 0.6 * 80 <= hf_rate <= 1.05 * 80, hf_rate
