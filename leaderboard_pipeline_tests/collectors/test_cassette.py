"""Record -> replay through the same client code, with no network and no secrets on disk."""

from __future__ import annotations

import json

import httpx
import pytest

from leaderboard_pipeline.collectors import huggingface
from leaderboard_pipeline.collectors.cassette import CassetteMiss, CassetteTransport, cassette_mode
from leaderboard_pipeline.collectors.client import PlatformClient
from leaderboard_pipeline.collectors.errors import CollectError
from leaderboard_pipeline.collectors.platforms import platform_config

LIVE = "https://hf.live.example"


def _upstream(request: httpx.Request) -> httpx.Response:
    """A tiny fake Hub: two pages joined by an absolute Link URL, and cookies it should not leak."""
    cursor = request.url.params.get("cursor")
    headers = {"set-cookie": "session=abc", "x-request-id": "r1"}
    if cursor is None:
        nxt = str(request.url.copy_merge_params({"cursor": "2"}))
        return httpx.Response(
            200,
            json=[{"_id": "1", "id": "BAAI/a", "downloads": 5, "likes": 0}],
            headers={**headers, "link": f'<{nxt}>; rel="next"'},
        )
    return httpx.Response(
        200, json=[{"_id": "2", "id": "BAAI/b", "downloads": 7, "likes": 1}], headers=headers
    )


def _client(tmp_path, mode, base, inner=None):
    config = platform_config(
        "huggingface", default_url=base, url_env=(), rate=float("inf"), backoff_base=0.001
    )
    transport = CassetteTransport(tmp_path / "2025-03" / "huggingface", mode, base, inner)
    return PlatformClient(config, transport=transport)


def test_record_then_replay_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    recorded = huggingface.list_repos(
        _client(tmp_path, "record", LIVE, httpx.MockTransport(_upstream)), "datasets", "BAAI", "BAAI"
    )
    files = sorted((tmp_path / "2025-03" / "huggingface").glob("*.json"))
    assert len(files) == 2
    text = "".join(f.read_text() for f in files)
    assert "hf_secret" not in text and "session=abc" not in text and "x-request-id" not in text
    assert LIVE not in text and "{BASE}/api/datasets" in text  # base-independent

    def no_network(request):
        raise AssertionError("replay touched the network")

    # Replay against a different base URL: keys and Link headers are relative to the base.
    client = _client(tmp_path, "replay", "https://mirror.example", httpx.MockTransport(no_network))
    assert huggingface.list_repos(client, "datasets", "BAAI", "BAAI") == recorded
    assert [r["id"] for r in recorded] == ["BAAI/a", "BAAI/b"]


def test_replay_miss_names_the_request(tmp_path):
    client = _client(tmp_path, "replay", LIVE)
    with pytest.raises(
        CollectError, match=r"HuggingFace: org 'BAAI'.*no recording for GET /api/models\?author=BAAI"
    ):
        client.get_json("/api/models", org="BAAI", params={"author": "BAAI"})
    with pytest.raises(CassetteMiss):
        CassetteTransport(tmp_path, "replay", LIVE).handle_request(httpx.Request("GET", f"{LIVE}/x"))


def test_request_body_is_part_of_the_key(tmp_path):
    calls = []
    inner = httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200, json=json.loads(r.content)))
    rec = CassetteTransport(tmp_path, "record", LIVE, inner)
    for offset in (0, 3):
        rec.handle_request(httpx.Request("POST", f"{LIVE}/api", json={"offset": offset}))
    rep = CassetteTransport(tmp_path, "replay", LIVE)
    answer = rep.handle_request(httpx.Request("POST", f"{LIVE}/api", json={"offset": 3}))
    assert json.loads(answer.read()) == {"offset": 3}


def test_mode_from_env_and_argument(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    assert cassette_mode() == "replay"
    assert cassette_mode("record") == "record"
    with pytest.raises(ValueError, match="cassette mode"):
        cassette_mode("rewind")
