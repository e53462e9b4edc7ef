"""A platform allowed to be missing: its failure is a gap recorded in the manifest, not a failed month;
every other failure still fails the month loudly."""

from __future__ import annotations

import socket

import polars as pl
import pytest

from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.sources.live import parse_allow_missing

ALLOWED = frozenset({"opendatalab", "baai"})


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manifest(tables) -> dict[str, dict]:
    return {r["table"]: r for r in tables["snapshot_manifest"].to_dicts()}


def test_a_down_platform_allowed_to_be_missing_leaves_a_gap(eco_env, e2e, live_source, small_registry, mock):
    eco = eco_env(down=("opendatalab",))
    path, registry = small_registry
    source = live_source(e2e, orgs=None, registry=path, allow_missing=ALLOWED)
    tables = source.read_month(source.months()[0])
    assert tables["odl_datasets"].is_empty()
    rows = _manifest(tables)
    odl = rows["odl_datasets"]
    assert odl["status"] == "missing" and odl["rows"] == 0
    assert odl["detail"].startswith("OpenDataLab missing: OpenDataLab: org 'ShanghaiAILab': POST ")
    assert "gave up after" in odl["detail"] and "HTTP 503" in odl["detail"] and "\n" not in odl["detail"]
    assert odl["requests"] > 0 and odl["failures"] >= 1
    others = [r for t, r in rows.items() if t != "odl_datasets"]
    assert all(r["status"] == "ok" for r in others)
    # everything else is complete: the gap is only OpenDataLab's
    expected = eco.expected_rows(registry)
    for table in ("hf_models", "hf_datasets", "ms_models", "ms_datasets", "baai_datasets", "code_repos"):
        assert tables[table].height == expected[table], table
    odl_keys = {
        f"OpenDataLab/{d['name']}"
        for ns in registry.namespaces("opendatalab")
        for d in mock.odl_datasets(ns[1])
    }
    assert not odl_keys & set(tables["dataset_labels"]["key"])
    assert source.last_run["missing"] == {"opendatalab": odl["detail"].removeprefix("OpenDataLab missing: ")}


def test_connection_refused_counts_as_down(eco_env, e2e, live_source, small_registry, monkeypatch):
    eco_env()
    monkeypatch.setenv("LEADERBOARD_BAAI_URL", f"http://127.0.0.1:{_closed_port()}")
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path, allow_missing=ALLOWED)
    tables = source.read_month(source.months()[0])
    baai = _manifest(tables)["baai_datasets"]
    assert baai["status"] == "missing" and "cannot connect" in baai["detail"]
    assert _manifest(tables)["odl_datasets"]["status"] == "ok"  # allowed, but it answered


def test_without_the_allowance_a_down_platform_fails_the_month(eco_env, e2e, live_source, small_registry):
    eco_env(down=("opendatalab",))
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path, allow_missing={"baai"})
    with pytest.raises(SourceError, match=r"^OpenDataLab: org 'ShanghaiAILab': POST .*HTTP 503"):
        source.read_month(source.months()[0])


def test_a_platform_not_allowed_still_fails_while_an_allowed_one_is_down(
    eco_env, e2e, live_source, small_registry
):
    eco_env(down=("opendatalab", "modelscope"))
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path, allow_missing=ALLOWED)
    with pytest.raises(SourceError, match=r"^ModelScope: org "):
        source.read_month(source.months()[0])


def test_a_missing_forge_keeps_the_other_forges_repos(eco_env, e2e, live_source, small_registry, mock):
    eco_env(down=("gitee",))
    path, registry = small_registry
    source = live_source(e2e, orgs=None, registry=path, allow_missing={"gitee"})
    tables = source.read_month(source.months()[0])
    code = tables["code_repos"]
    assert set(code["platform"]) == {"github", "gitcode"}
    assert code.height == len([r for r in registry.code_repos() if r.platform != "gitee"])
    row = _manifest(tables)["code_repos"]
    assert row["status"] == "missing" and row["detail"].startswith("Gitee missing: Gitee: org 'BAAI'")
    flag = code.filter(pl.col("repo") == "FlagOpen/FlagGems").row(0, named=True)
    assert flag["stars"] == mock.repo_numbers("FlagOpen/FlagGems")["stars"]


def test_a_recorded_gap_replays_as_the_same_gap(
    eco_env, e2e, live_source, small_registry, tmp_path, monkeypatch
):
    eco_env(down=("opendatalab",))
    path, _ = small_registry
    recorded = live_source(e2e, tmp_path, "record", orgs=None, registry=path, allow_missing=ALLOWED)
    month = "2026-11"
    first = recorded.read_month(month)
    for var in ("HF_ENDPOINT", "LEADERBOARD_OPENDATALAB_URL"):
        monkeypatch.setenv(var, f"http://127.0.0.1:{_closed_port()}")  # replay never touches the network
    events = []
    replay = live_source(e2e, tmp_path, "replay", orgs=None, registry=path, progress=events.append)
    again = replay.read_month(month)  # no allowance needed: the recording says which platform is missing
    assert [e.platform for e in events if e.kind == "missing"] == ["OpenDataLab"]
    assert _manifest(again)["odl_datasets"]["status"] == "missing"
    assert _manifest(again)["odl_datasets"]["detail"] == _manifest(first)["odl_datasets"]["detail"]
    assert _manifest(again)["odl_datasets"]["requests"] == 0  # the gap is not fetched again
    for table in ("hf_models", "ms_models", "code_repos", "baai_datasets"):
        assert again[table].equals(first[table]), table


def test_allowing_an_unknown_platform_is_an_error():
    with pytest.raises(SourceError, match="unknown platform 'odl'"):
        parse_allow_missing("odl,baai")
    assert parse_allow_missing(" OpenDataLab , baai,") == ALLOWED
    assert parse_allow_missing("") == frozenset()
