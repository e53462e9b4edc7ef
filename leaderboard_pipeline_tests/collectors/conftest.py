"""Shared helpers: recorded fixtures served through httpx.MockTransport, and fast client settings."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import httpx
import polars as pl
import pytest

from leaderboard_pipeline.collectors import huggingface
from leaderboard_pipeline.collectors.client import PlatformClient
from leaderboard_pipeline.collectors.platforms import PLATFORMS, platform_config
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS
from leaderboard_pipeline.sources.live import LiveSource

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
REGISTRY = HERE.parents[1] / "data" / "registry" / "orgs.yaml"
SMALL_REGISTRY = FIXTURES / "registry-small.yaml"  # every platform, few namespaces: quick variant runs
E2E_ORGS = ["BAAI", "ShanghaiAILab", "Ali", "Baidu", "Huawei"]  # every platform incl. Gitee and GitCode
BASE = "https://api.test"
# Time scaled down: tests must not wait for real backoffs or rate windows.
FAST = {
    "rate": 10_000.0,
    "burst": 100,
    "backoff_base": 0.001,
    "backoff_cap": 0.01,
    "secondary_wait": 0.01,
    "max_wait": 0.02,
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "max_attempts": 6,
}


def _load_mock_ecosystem():
    # Loaded by path: test folders have no __init__.py and we do not touch sys.path.
    spec = importlib.util.spec_from_file_location("collectors_mock_ecosystem", HERE / "mock_ecosystem.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


MOCK_ECOSYSTEM = _load_mock_ecosystem()


def load_case(platform: str, case: str) -> dict:
    return json.loads((FIXTURES / f"{platform}.json").read_text())[case]


def _pairs(url: httpx.URL) -> list:
    return sorted(url.params.multi_items())


class FixtureTransport(httpx.BaseTransport):
    """Serves recorded cases in order: each case answers the first request that matches it, once."""

    def __init__(self, cases: list[dict], base: str = BASE, extra_headers: dict | None = None):
        self.cases, self.base, self.seen = list(cases), base, []
        self.extra_headers = extra_headers or {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        for i, case in enumerate(self.cases):
            want = httpx.URL(self.base + case["request"]["url"])
            got = httpx.URL(str(request.url).replace("access_token=", "access_token=").split("#")[0])
            got_pairs = [(k, "***" if k == "access_token" else v) for k, v in _pairs(got)]
            if case["request"]["method"] != request.method or want.path != got.path:
                continue
            if _pairs(want) != got_pairs:
                continue
            if "body" in case["request"] and json.loads(request.content) != case["request"]["body"]:
                continue
            self.cases.pop(i)
            return _response(case["response"], self.base, request, self.extra_headers)
        raise AssertionError(f"unexpected request {request.method} {request.url}")


def _response(res: dict, base: str, request: httpx.Request, extra: dict) -> httpx.Response:
    headers = {k: v.replace("{BASE}", base) for k, v in {**res["headers"], **extra}.items()}
    body = res["body"]
    content = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    return httpx.Response(res["status"], headers=headers, content=content, request=request)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps, monkeypatch):
    """make_client(platform, cases_or_transport, **config) -> PlatformClient on BASE with fake sleep."""
    monkeypatch.delenv("GITEE_TOKEN", raising=False)

    def make(platform: str, cases, **overrides) -> PlatformClient:
        transport = cases if isinstance(cases, httpx.BaseTransport) else FixtureTransport(cases)
        config = platform_config(platform, default_url=BASE, url_env=(), **{**FAST, **overrides})
        return PlatformClient(config, transport=transport, sleep=sleeps.append)

    return make


def case(platform: str, *names: str) -> list[dict]:
    return [load_case(platform, n) for n in names]


@pytest.fixture(name="case")
def case_fixture():
    """case(platform, *names) -> the recorded fixture cases, in order."""
    return case


@pytest.fixture
def fast() -> dict:
    return dict(FAST)


@pytest.fixture
def mock():
    """The mock_ecosystem module (MockEcosystem, expected_rows, the fake data generators)."""
    return MOCK_ECOSYSTEM


# -- end to end against the mock ecosystem ------------------------------------------------------


def make_live_source(settings, cassettes=None, mode="off", orgs=E2E_ORGS, registry=REGISTRY, **kwargs):
    """A LiveSource (on the project registry by default) with every platform's config replaced by
    `settings`; `orgs=None` takes every org of the registry."""
    return LiveSource(
        registry, cassettes, mode, orgs=orgs, platform_settings=dict.fromkeys(PLATFORMS, settings), **kwargs
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


def check_complete(data, tables, registry, month, *, odl_form="sdk"):
    """Every table, every record with its numbers. `data` serves the expected values: a running
    MockEcosystem (its month and switches applied) or the mock module (the demo month)."""
    assert set(tables) == set(RAW_SCHEMAS)
    for name, frame in tables.items():
        assert frame.schema == RAW_SCHEMAS[name], name
    for table, rows in data.expected_rows(registry).items():
        assert tables[table].height == rows, table
    want = {
        (ns, m["id"].split("/")[1], m["downloads"], m["downloadsAllTime"], m["likes"])
        for _, ns in registry.namespaces("huggingface")
        for m in data.hf_models(ns)
        if not m["private"]
    }
    got = (
        tables["hf_models"]
        .select("namespace", "name", "downloads_last_month", "downloads_all_time", "likes")
        .rows()
    )
    assert set(got) == want
    check_hub_counts(data, tables)
    want = {
        (m["id"], m["downloads"], m["likes"])
        for _, ns in registry.namespaces("modelscope")
        for kind in ("models", "datasets")
        for m in data.ms_repos(kind, ns)
    }
    got = {
        row
        for t in ("ms_models", "ms_datasets")
        for row in tables[t]
        .select(pl.concat_str("namespace", pl.lit("/"), "name"), "total_downloads", "likes")
        .rows()
    }
    assert got == want
    assert set(tables["ms_models"]["created_at"]) <= {"2024-03-01T00:00:00Z"}
    want = {
        (org, f"OpenDataLab/{d['name']}", data.odl_downloads(d, odl_form), d["likes"])
        for org, ns in registry.namespaces("opendatalab")
        for d in data.odl_datasets(ns)
    }
    got = (
        tables["odl_datasets"]
        .select("org", pl.concat_str("namespace", pl.lit("/"), "name"), "total_downloads", "likes")
        .rows()
    )
    assert set(got) == want
    if tables["odl_datasets"].height:  # media types reach the labels: none is left without a modality
        odl_keys = tables["odl_datasets"].select(key=pl.concat_str("namespace", pl.lit("/"), "name"))
        labels = tables["dataset_labels"].join(odl_keys, on="key")
        assert labels.height == odl_keys.height and labels["modality"].null_count() == 0
    want = {(d["uriName"], d["downloadNumb"], d["subscribedNumb"]) for d in data.baai_datasets()}
    if registry.namespaces("baai"):
        assert set(tables["baai_datasets"].select("name", "total_downloads", "likes").rows()) == want
    code = tables["code_repos"]
    for repo in registry.code_repos():
        row = code.filter(pl.col("repo") == repo.repo).row(0, named=True)
        nums = data.repo_numbers(repo.repo)
        assert (row["stars"], row["forks"]) == (nums["stars"], nums["forks"])
        if repo.platform == "github":
            assert row["open_issues"] == nums["open_issues_and_prs"] - nums["open_prs"]
            assert (
                row["contributors"] == nums["contributors"] and row["commits_last_month"] == nums["commits"]
            )
    assert (tables["org_registry"]["month"] == month).all()
    assert tables["model_labels"].height == tables["hf_models"].height + tables["ms_models"].height
    manifest = tables["snapshot_manifest"]
    assert (manifest["status"] == "ok").all() and manifest["failures"].sum() == 0


def check_hub_counts(data, tables) -> None:
    """Hub counts per item (issue 16): every discussion and PR of each model that can reach a rank (the
    unfiltered total, not the open ones), unknown for the others; every dataset's public users."""
    assert tables["hf_models"].filter(pl.col("community").is_not_null()).height > 0
    for row in tables["hf_models"].iter_rows(named=True):
        rid = f"{row['namespace']}/{row['name']}"
        if row["downloads_last_month"] >= huggingface.MIN_DOWNLOADS_FOR_DETAIL:
            assert row["community"] == data.hf_discussions(rid)["total"], rid
        else:  # nothing asked; children only when the list item carried them
            assert row["community"] is None and row["descendants"] in (None, data.hf_children(rid)), rid
    for row in tables["hf_datasets"].iter_rows(named=True):
        did = f"{row['namespace']}/{row['name']}"
        assert row["dataset_usage"] == data.hf_dataset_users(did), did
        assert row["community"] is None, did


@pytest.fixture(name="check_complete")
def check_complete_fixture():
    """check_complete(data, tables, registry, month, odl_form=...): every record with its numbers."""
    return check_complete


@pytest.fixture
def e2e_registry():
    """The project registry restricted to E2E_ORGS (what `live_source` collects by default)."""
    from leaderboard_pipeline.config.registry import load_registry

    return load_registry(REGISTRY).subset(E2E_ORGS)


@pytest.fixture
def small_registry():
    """(path, Registry) of fixtures/registry-small.yaml."""
    from leaderboard_pipeline.config.registry import load_registry

    return SMALL_REGISTRY, load_registry(SMALL_REGISTRY)


@pytest.fixture(name="live_source")
def live_source_fixture():
    """live_source(settings, cassettes=None, mode="off", orgs=E2E_ORGS, **LiveSource kwargs)."""
    return make_live_source
