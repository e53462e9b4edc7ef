"""LiveSource end to end: the mock ecosystem on 127.0.0.1 with faults, failures, no network, replay."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.sources.live import LiveSource

E2E_ORGS = ["BAAI", "ShanghaiAILab", "Ali", "Baidu", "Huawei"]  # as conftest.E2E_ORGS

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "data" / "registry" / "orgs.yaml"
CASSETTES = ROOT / "data" / "cassettes"


def test_end_to_end_with_faults(eco_env, e2e, mock, check_complete, live_source):
    eco = eco_env(error_rate=0.05, burst_429=4, retry_after=1, timeout_once="/api/datahub", timeout_s=0.6)
    source = live_source(e2e)
    month = source.months()[0]
    tables = source.read_month(month)
    registry = load_registry(REGISTRY).subset(E2E_ORGS)
    check_complete(eco, tables, registry, month)
    manifest = tables["snapshot_manifest"]
    deadline = time.monotonic() + 2  # the timed-out answer reaches the server's log late
    while len(eco.log) < manifest["requests"].sum() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert manifest["requests"].sum() == len(eco.log)  # every request the server saw is accounted for
    assert manifest["retries"].sum() >= 4 + 1  # the 429 burst and the timeout at least
    assert manifest["failures"].sum() == 0
    assert tables["baai_datasets"].height == 5 and tables["code_repos"]["platform"].n_unique() == 3


def test_permanent_failure_raises_and_publishes_nothing(eco_env, e2e, tmp_path, live_source):
    eco_env(fail_paths=("/ms/openapi/v1/datasets",))
    source = live_source(e2e, tmp_path, "record", orgs=["BAAI"])
    with pytest.raises(SourceError) as err:
        source.read_month("2025-04")
    msg = str(err.value)
    assert "ModelScope: org 'BAAI': GET http://127.0.0.1:" in msg
    assert "/ms/openapi/v1/datasets?owner=BAAI&page_number=1&page_size=50" in msg and "HTTP 500" in msg
    # The partial recording is not a month: replay does not offer it.
    assert live_source(e2e, tmp_path, "replay").months() == []


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


def test_replay_of_the_demo_cassettes(monkeypatch, mock, check_complete):
    for config in PLATFORMS.values():
        for var in config.url_env:
            monkeypatch.delenv(var, raising=False)
    source = LiveSource(REGISTRY, CASSETTES, "replay")
    assert "2025-03" in source.months()
    tables = source.read_month("2025-03")
    registry = load_registry(REGISTRY).subset(mock.DEMO_ORGS)
    check_complete(mock, tables, registry, "2025-03")
    assert set(tables["org_registry"]["org"]) == set(mock.DEMO_ORGS)
    assert tables["hf_models"]["date_crawl"].unique().to_list() == [
        pl.Series(["2025-03-07"]).str.to_date()[0]
    ]
    assert (tables["snapshot_manifest"]["source"] == "live:replay").all()


def test_only_the_current_month_can_be_fetched_live(e2e, live_source):
    with pytest.raises(SourceError, match="only the current month"):
        live_source(e2e).read_month("2020-01")
    with pytest.raises(SourceError, match="no recorded snapshot for 2020-01"):
        LiveSource(REGISTRY, CASSETTES, "replay").read_month("2020-01")


def test_collector_runs_close_to_the_configured_rate(eco_env, e2e, live_source):
    eco = eco_env()
    settings = {**e2e, "rate": 80.0, "burst": 1}
    source = live_source(settings, orgs=["ShanghaiAILab"])
    source.read_month(source.months()[0])
    hf_rate = eco.rate("hf")
    assert eco.count("hf") > 40
    assert 0.6 * 80 <= hf_rate <= 1.05 * 80, hf_rate
