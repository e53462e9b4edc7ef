"""Every variant the official clients allow, served by the mock ecosystem: a live month is complete and
correct with each, `leaderboard probe` reports each in shape, and a renamed field fails both loudly."""

from __future__ import annotations

import polars as pl
import pytest

from leaderboard_pipeline.collectors import probe
from leaderboard_pipeline.contract.errors import SourceError

EMPTY = ("FlagOpen/FlagGems", "InternLM/xtuner")  # repos of fixtures/registry-small.yaml served empty
QUICK = {"rate": 1000.0, "backoff_base": 0.001, "backoff_cap": 0.01}  # the probe's pace, scaled for tests
VARIANTS = {
    "ModelScope timestamps in milliseconds": {"ms_timestamps": "ms"},
    "ModelScope timestamps in seconds": {"ms_timestamps": "seconds"},
    "ModelScope envelope without success": {"ms_success": False},
    "ModelScope datasets filtered by author only": {"ms_owner_ignored": ("datasets",)},
    "GitHub empty repositories (409 on commits)": {"empty_repos": EMPTY},
    "OpenDataLab SDK list (POST, no code, type objects)": {"odl_form": "sdk"},
    "OpenDataLab GET list (code, display strings)": {"odl_form": "get"},
    "OpenDataLab SDK list capped at 12 per page": {"odl_form": "sdk", "odl_page_cap": 12},
    "OpenDataLab GET list capped at 12 per page": {"odl_form": "get", "odl_page_cap": 12},
    "BAAI envelope without code": {"baai_code": False},
    "BAAI refuses anonymous access (HTTP 401)": {"baai_login": "http"},
    "BAAI refuses anonymous access (code 401)": {"baai_login": "envelope"},
    "Hub detail without childrenModelCount": {"hf_children": False},
    "Hub list items with childrenModelCount": {"hf_children_in_list": True},
    "a later month (counters grown)": {"month": "2026-12"},
}


@pytest.fixture
def variant_env(eco_env, monkeypatch):
    def start(options: dict):
        if options.get("baai_login"):
            monkeypatch.setenv("BAAI_COOKIE", "session=from-the-browser")
        return eco_env(**options)

    return start


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_gives_a_complete_month(
    name, variant_env, e2e, check_complete, live_source, small_registry, mock
):
    options = VARIANTS[name]
    eco = variant_env(options)
    path, registry = small_registry
    source = live_source(e2e, orgs=None, registry=path)
    month = source.months()[0]  # live mode fetches the current month; the mock serves its own month
    tables = source.read_month(month)
    check_complete(eco, tables, registry, month, odl_form=options.get("odl_form", "sdk"))
    manifest = {r["table"]: r for r in tables["snapshot_manifest"].to_dicts()}
    odl_form = "POST /api/datasets/list" if options.get("odl_form", "sdk") == "sdk" else "GET /api/datasets"
    publishers, owners = (len(registry.namespaces(p)) for p in ("opendatalab", "modelscope"))
    assert manifest["odl_datasets"]["detail"] == f"list: {odl_form} ({publishers}/{publishers})"
    param = "author" if "datasets" in options.get("ms_owner_ignored", ()) else "owner"
    assert manifest["ms_datasets"]["detail"] == f"owner filter: {param}= ({owners}/{owners})"
    assert manifest["ms_models"]["detail"] == f"owner filter: owner= ({owners}/{owners})"
    hf = tables["hf_models"]
    # the models asked about (a request retried after a timeout under load is one model, logged twice)
    detail_calls = len(
        {
            path
            for _, path, *_ in eco.log
            if path.startswith("/hf/api/models/") and not path.endswith("/discussions")
        }
    )
    if options.get("hf_children_in_list"):
        assert detail_calls == 0  # a list field has the number: no per-repo request
        assert hf["descendants"].null_count() == 0
    elif options.get("hf_children") is False:
        assert detail_calls > 0 and hf["descendants"].null_count() == hf.height  # unknown, never 0
    else:
        asked = hf.filter(pl.col("descendants").is_not_null())
        assert asked.height == detail_calls > 0
        for row in asked.iter_rows(named=True):
            assert row["descendants"] == eco.hf_children(f"{row['namespace']}/{row['name']}")
    if options.get("month"):  # the later month really is later: cumulative counters grew
        grown = tables["code_repos"].filter(pl.col("repo") == "FlagOpen/FlagGems")["stars"].item()
        assert grown > mock.repo_numbers("FlagOpen/FlagGems")["stars"]


@pytest.mark.parametrize("name", VARIANTS)
def test_the_probe_reports_every_variant_in_shape(name, variant_env, small_registry):
    variant_env(VARIANTS[name])
    rows = probe.run_probe(small_registry[1], timeout=2.0, settings=QUICK)
    assert {r.platform for r in rows} == {
        "HuggingFace",
        "ModelScope",
        "GitHub",
        "OpenDataLab",
        "BAAIData",
        "Gitee",
        "GitCode",
        "OpenI",
    }
    bad = [(r.platform, r.endpoint, r.status, r.shape) for r in rows if not r.ok]
    assert not bad
    odl = [r for r in rows if r.platform == "OpenDataLab"]
    used = [r for r in odl if r.shape == "ok (the form the collector uses)"]
    assert len(used) == 1 and [r for r in odl if r not in used][0].shape.startswith("not answering: HTTP 404")


@pytest.mark.parametrize(
    ("platform", "field", "table_hint"),
    [
        ("huggingface", "downloads", "HuggingFace"),
        ("modelscope", "downloads", "ModelScope"),
        ("opendatalab", "downloadCount", "OpenDataLab"),
        ("baai", "downloadNumb", "BAAIData"),
    ],
)
def test_a_renamed_downloads_field_is_reported_and_fails_the_month(
    platform, field, table_hint, eco_env, e2e, live_source, small_registry
):
    eco_env(rename={platform: {field: field + "_renamed"}})
    path, registry = small_registry
    rows = probe.run_probe(registry, timeout=2.0, settings=QUICK)
    broken = [r for r in rows if r.platform == table_hint and f"'{field}' missing" in r.shape]
    assert broken and not any(r.ok for r in broken)
    assert all(r.ok for r in rows if r.platform != table_hint)
    source = live_source(e2e, orgs=None, registry=path)
    with pytest.raises(SourceError) as err:
        source.read_month(source.months()[0])
    message = str(err.value)
    assert message.startswith(f"{table_hint}: org ") and f"field '{field}" in message and "missing" in message
