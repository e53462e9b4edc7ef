"""The curators' Candidates page, the share of the Hub on org pages and in the API (issue 19), on the demo
site (its live month carries the mock's Hub census and OpenI) and on a copy with a hostile account name."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.site import build_site

HERE = Path(__file__).resolve().parent


def _hub():
    spec = importlib.util.spec_from_file_location("site_mock_hub", HERE.parent / "collectors" / "mock_hub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_candidates_page_lists_the_planted_accounts_and_no_registry_account(demo_site):
    hub = _hub()
    page = (demo_site / "candidates-2025-03.html").read_text()
    for account in (*hub.PLANTED_MODEL_ACCOUNTS, *hub.PLANTED_DATA_ACCOUNTS):
        assert f'href="https://huggingface.co/{account}"' in page
        assert f"huggingface: [{account}]" in page  # the registry entry to paste
    registry = load_registry(settings.DATA_DIR / "registry" / "orgs.yaml")
    linked = {part.split('"')[0] for part in page.split('href="https://huggingface.co/')[1:]}
    accounts = {link for link in linked if "/" not in link}  # account links, not item links
    namespaces = {ns.casefold() for org in registry.orgs for nss in org.namespaces.values() for ns in nss}
    assert not {a.casefold() for a in accounts} & namespaces
    assert f"{hub.ELSEWHERE_ACCOUNT}: Zhipu's namespace on ModelScope" in page
    # an archive-layout month of the demo has no census: it says so instead of proposing anything
    assert "No Hub census this month" in (demo_site / "candidates-2025-01.html").read_text()


def test_org_pages_and_the_api_give_the_share_of_the_hub_null_without_a_census(demo_site):
    latest = (demo_site / "org" / "BAAI.html").read_text()
    assert "<dt>Share of the Hub</dt><dd>" in latest and "% of model downloads" in latest
    assert "no Hub census this month" in (demo_site / "org" / "BAAI-2025-01.html").read_text()
    doc = json.loads((demo_site / "api" / "v1" / "orgs" / "BAAI.json").read_text())
    hub = {entry["month"]: entry for entry in doc["hub"]}
    assert set(hub) == set(doc["months"])
    assert all(v is None for k, v in hub["2025-01"].items() if k != "month")
    march = hub["2025-03"]
    assert 0 < march["model_download_share"] < 1 and 0 < march["dataset_download_share"] < 1
    assert march["derivative_models"] > 0 and march["derivative_downloads"] > 0  # the mock's fine-tunes


@pytest.fixture(scope="module")
def hostile_site(demo_warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("site-hostile") / "hostile.duckdb"
    shutil.copy(demo_warehouse, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "update clean.census_candidates set owner = '<script>alert(1)</script>' "
            "where owner = 'QuantFactoryMock'"
        )
    finally:
        con.close()
    out = tmp_path_factory.mktemp("site-hostile-out") / "site"
    build_site(path, load_profile(settings.DEFAULT_PROFILE), out, source="demo")
    return out


def test_a_hostile_account_name_is_escaped_everywhere(hostile_site):
    page = (hostile_site / "candidates-2025-03.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, and its YAML entry quoted
