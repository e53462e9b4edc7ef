"""The shared HTTP layer: retries, rate-limit headers, error naming, limiter, ETags, secrets."""

from __future__ import annotations

import time

import httpx
import pytest

from leaderboard_pipeline.collectors.errors import CollectError, redact
from leaderboard_pipeline.collectors.pacing import TokenBucket, header_wait
from leaderboard_pipeline.contract.errors import SourceError


def _seq(*responses):
    """A MockTransport answering with the given (status, headers, body | exception) in turn."""
    answers = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = answers.pop(0)
        if isinstance(status, Exception):
            raise status
        content = body.encode() if isinstance(body, str) else httpx.Response(200, json=body).content
        return httpx.Response(status, headers=headers, content=content)

    transport = httpx.MockTransport(handler)
    transport.left = answers
    return transport


def test_429_waits_for_retry_after_then_succeeds(make_client, sleeps):
    transport = _seq((429, {"Retry-After": "2"}, {}), (200, {}, {"ok": True}))
    client = make_client("modelscope", transport, max_wait=10)
    assert client.get_json("/x", org="Ali") == {"ok": True}
    assert sleeps[-1] == 2  # honoured exactly, not a generic backoff
    assert client.counters.snapshot() == {"requests": 2, "retries": 1, "failures": 0}


def test_hf_ratelimit_header_sets_the_wait(make_client, sleeps, case):
    cases = case("huggingface", "rate_limited", "datasets")
    client = make_client("huggingface", cases, max_wait=10)
    url = "/api/datasets"
    from leaderboard_pipeline.collectors.huggingface import DATASET_EXPAND

    params = [("author", "BAAI"), ("limit", 1000), *(("expand", e) for e in DATASET_EXPAND)]
    assert len(client.get_json(url, org="BAAI", params=params)) == 1
    assert sleeps == [4]  # t=3 from `RateLimit: "api";r=0;t=3`, plus one second


def test_github_primary_limit_403_waits_until_reset(make_client, sleeps, case):
    limited = case("github", "primary_limit")[0]
    reset = int(time.time()) + 30
    limited["response"]["headers"]["x-ratelimit-reset"] = str(reset)
    client = make_client("github", [limited, *case("github", "repo")], max_wait=100)
    assert client.get_json("/repos/FlagOpen/FlagEmbedding", org="BAAI")["stargazers_count"] == 10432
    assert 28 <= sleeps[0] <= 32


def test_github_secondary_limit_honours_retry_after(make_client, sleeps, case):
    client = make_client("github", case("github", "secondary_limit", "repo"), max_wait=100)
    client.get_json("/repos/FlagOpen/FlagEmbedding", org="BAAI")
    assert sleeps[0] == 7


def test_github_other_403_is_not_retried(make_client, case):
    client = make_client("github", case("github", "contributors_too_large"))
    with pytest.raises(CollectError, match="HTTP 403"):
        client.get_json(
            "/repos/FlagOpen/FlagEmbedding/contributors", org="BAAI", params={"anon": "true", "per_page": 1}
        )
    assert client.counters.retries == 0


def test_5xx_retried_then_succeeds(make_client):
    client = make_client("huggingface", _seq((503, {}, "busy"), (502, {}, "bad"), (200, {}, [])))
    assert client.get_json("/api/models", org="BAAI") == []
    assert client.counters.retries == 2


def test_permanent_5xx_names_platform_org_and_request(make_client):
    client = make_client("modelscope", _seq(*[(500, {}, "boom")] * 6))
    with pytest.raises(SourceError) as err:
        client.get_json("/openapi/v1/models", org="Ali", params={"owner": "Qwen"})
    msg = str(err.value)
    assert (
        "ModelScope" in msg and "'Ali'" in msg and "GET https://api.test/openapi/v1/models?owner=Qwen" in msg
    )
    assert "gave up after 6 attempts" in msg
    assert client.counters.failures == 1


def test_read_timeout_is_retried(make_client):
    client = make_client("baai", _seq((httpx.ReadTimeout("slow"), None, None), (200, {}, {"code": 0})))
    assert client.get_json("/api", org="BAAI") == {"code": 0}
    assert client.counters.retries == 1


def test_connect_errors_fail_fast(make_client):
    transport = _seq(*[(httpx.ConnectError("refused"), None, None)] * 10)
    client = make_client("github", transport)
    with pytest.raises(CollectError, match="cannot connect"):
        client.get_json("/repos/a/b", org="Meta")
    assert client.counters.requests == 3  # the first try and two quick retries, no long loop


def test_truncated_json_is_named(make_client):
    client = make_client(
        "huggingface", _seq((200, {"content-type": "application/json"}, '[{"id": "BAAI/bge'))
    )
    with pytest.raises(
        CollectError, match=r"HuggingFace: org 'BAAI': GET .*/api/models: truncated or invalid JSON"
    ):
        client.get_json("/api/models", org="BAAI")


def test_html_error_page_is_named(make_client):
    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    client = make_client("opendatalab", _seq((200, {"content-type": "text/html"}, page)))
    with pytest.raises(CollectError, match=r"OpenDataLab: org 'ShanghaiAILab': .*HTML page instead of JSON"):
        client.get_json("/api/datasets", org="ShanghaiAILab")


def test_202_still_computing_is_retried(make_client, case):
    client = make_client("github", case("github", "commits_202", "commits_one"))
    params = [("since", "2025-07-01T00:00:00Z"), ("until", "2025-08-01T00:00:00Z"), ("per_page", 1)]
    assert client.get_json("/repos/FlagOpen/FlagEmbedding/commits", org="BAAI", params=params) == [
        {"sha": "abc"}
    ]
    assert client.counters.retries == 1


def test_etag_reused_on_repeat_request(make_client, case):
    client = make_client("github", case("github", "repo", "not_modified"))
    first = client.get_json("/repos/FlagOpen/FlagEmbedding", org="BAAI")
    again = client.get_json("/repos/FlagOpen/FlagEmbedding", org="BAAI")
    assert first == again
    assert client._client._transport.seen[1].headers["If-None-Match"] == 'W/"0f1a"'


def test_tokens_from_env_and_never_in_errors(make_client, monkeypatch):
    monkeypatch.setenv("GITEE_TOKEN", "s3cret")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_s3cret")
    gitee = make_client("gitee", _seq(*[(500, {}, "x")] * 6))
    with pytest.raises(CollectError) as err:
        gitee.get_json("/repos/mindspore/mindspore", org="Huawei")
    assert "s3cret" not in str(err.value) and "access_token=***" in str(err.value)
    seen = []
    github = make_client(
        "github", httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={}))
    )
    github.get_json("/rate_limit", org="-")
    assert seen[0].headers["Authorization"] == "Bearer ghp_s3cret"
    assert redact("https://x/y?a=1&access_token=abc&b=2") == "https://x/y?a=1&access_token=***&b=2"


def test_header_wait_parses_http_date():
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 20))
    wait = header_wait(httpx.Response(503, headers={"Retry-After": when}))
    assert 15 < wait <= 20


def test_token_bucket_holds_the_rate():
    bucket = TokenBucket(rate=200, capacity=1)
    start = time.monotonic()
    for _ in range(21):
        bucket.acquire()
    elapsed = time.monotonic() - start
    assert 0.09 <= elapsed < 0.2  # 20 waits of 5 ms after the first token


def test_exhausted_quota_pauses_before_the_next_request(make_client, sleeps):
    reset = str(int(time.time()) + 10)
    transport = _seq((200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}, {}), (200, {}, {}))
    client = make_client("github", transport, max_wait=100)
    client.get_json("/a", org="Meta")
    assert sleeps == []
    client.get_json("/b", org="Meta")
    assert 8 <= sleeps[0] <= 11  # waited for the window instead of running into a 403
