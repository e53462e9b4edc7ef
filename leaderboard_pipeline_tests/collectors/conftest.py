"""Shared helpers: recorded fixtures served through httpx.MockTransport, and fast client settings."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import httpx
import pytest

from leaderboard_pipeline.collectors.http import PlatformClient, platform_config

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
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
