"""A live month that fails: every failing platform named in one line (with the probe that checks them),
no progress line about a platform after it is missing or failed, and a refused connection that does not
wait for the rate limiter."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from leaderboard_pipeline.collectors.client import PlatformClient
from leaderboard_pipeline.collectors.errors import CollectError
from leaderboard_pipeline.collectors.platforms import PLATFORMS, platform_config, window_rate
from leaderboard_pipeline.collectors.progress import Progress
from leaderboard_pipeline.contract.errors import SourceError

URL_ENV = {
    "huggingface": "HF_ENDPOINT",
    "modelscope": "MODELSCOPE_ENDPOINT",
    "github": "GITHUB_API_URL",
    "opendatalab": "LEADERBOARD_OPENDATALAB_URL",
    "baai": "LEADERBOARD_BAAI_URL",
    "gitee": "LEADERBOARD_GITEE_URL",
    "gitcode": "LEADERBOARD_GITCODE_URL",
    "openi": "LEADERBOARD_OPENI_URL",
}
GITHUB_ANONYMOUS = window_rate(60, 3600, burst=2)  # 58 / h: one token every 62 s


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Refused(httpx.BaseTransport):
    def __init__(self):
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def test_a_refused_connection_is_retried_without_waiting_for_the_limiter(make_client, sleeps):
    transport = _Refused()
    # GitHub without a token: the bucket holds 2 requests, then one every 62 s
    client = make_client("github", transport, rate=GITHUB_ANONYMOUS, burst=2, connect_retries=2, max_wait=5.0)
    with pytest.raises(CollectError, match="cannot connect"):
        client.request("GET", "/repos/a/b", org="BAAI")
    assert transport.calls == 3  # the first attempt and two quick retries
    assert sleeps == [pytest.approx(0.2), pytest.approx(0.4)]  # the retries' pauses, no 62 s limiter wait
    # what never reached the server cost no quota: the second listing still goes out at once
    with pytest.raises(CollectError, match="cannot connect"):
        client.request("GET", "/repos/a/c", org="BAAI")
    assert max(sleeps) < 1.0


def test_offline_every_platform_is_named_in_one_line(live_source, small_registry, e2e, monkeypatch):
    for var in URL_ENV.values():
        monkeypatch.setenv(var, f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path, _ = small_registry
    events = []
    source = live_source(e2e, orgs=None, registry=path, progress=events.append)
    with pytest.raises(SourceError) as failure:
        source.read_month(source.months()[0])
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith(
        f"{len(PLATFORMS)} platforms failed (HuggingFace, ModelScope, GitHub, OpenDataLab, BAAIData, "
    )
    for key, config in PLATFORMS.items():
        assert f"{config.name}: org " in message, key
    assert message.count("cannot connect") == len(PLATFORMS)
    assert message.endswith(f"(check them in seconds: leaderboard probe --platform {','.join(PLATFORMS)})")
    failed = [e for e in events if e.kind == "failed"]
    assert sorted(e.platform for e in failed) == sorted(c.name for c in PLATFORMS.values())
    assert all(e.warning and "cannot connect" in e.message for e in failed)


def test_two_platforms_down_are_both_named_and_the_others_collect(
    eco_env, e2e, live_source, small_registry, monkeypatch
):
    eco_env(down=("opendatalab",))
    monkeypatch.setenv("LEADERBOARD_GITEE_URL", f"http://127.0.0.1:{_closed_port()}")
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path)
    with pytest.raises(SourceError) as failure:
        source.read_month(source.months()[0])
    message = str(failure.value)
    assert message.startswith("2 platforms failed (OpenDataLab, Gitee): OpenDataLab: org 'ShanghaiAILab': ")
    assert "HTTP 503" in message and "Gitee: org " in message and "cannot connect" in message
    assert message.endswith("(check them in seconds: leaderboard probe --platform opendatalab,gitee)")


def test_one_failing_platform_keeps_its_message_and_points_to_the_probe(
    eco_env, e2e, live_source, small_registry
):
    eco_env(down=("modelscope",))
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path)
    with pytest.raises(SourceError, match=r"^ModelScope: org '\w+': GET .*HTTP 503") as failure:
        source.read_month(source.months()[0])
    assert str(failure.value).endswith("(check them in seconds: leaderboard probe --platform modelscope)")


def test_an_unreachable_github_fails_in_seconds_at_the_anonymous_pace(
    eco_env, e2e, live_source, small_registry, monkeypatch
):
    """Before: each connect retry waited for a limiter token (62 s apart without a token): ~3 min."""
    eco_env()
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path)
    source.platform_settings["github"] = {**e2e, "rate": GITHUB_ANONYMOUS, "burst": 2, "connect_retries": 2}
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"^GitHub: org .*cannot connect"):
        source.read_month(source.months()[0])
    assert time.monotonic() - started < 30  # generous under load; the limiter alone would take > 2 min


def _progress(keys=("huggingface", "github")) -> tuple[Progress, list]:
    events: list = []
    clients = {k: PlatformClient(platform_config(k)) for k in keys}
    progress = Progress(clients, events.append)
    for key in keys:
        for org in ("BAAI", "Ali"):
            progress.add(key, org, 1)
    progress.plan()
    return progress, events


@pytest.mark.parametrize("how", ["missing", "failed"])
def test_no_working_line_after_a_platform_is_missing_or_failed(how):
    progress, events = _progress()
    getattr(progress, how)("huggingface", "HuggingFace: org 'BAAI': GET /api/models: cannot connect")
    [stopped] = [e for e in events if e.kind == how]
    assert stopped.platform == "HuggingFace" and stopped.warning
    events.clear()
    progress.heartbeat(0.0)  # every platform still working has been quiet "long enough"
    assert [e.platform for e in events] == ["GitHub"]
    assert events[0].message.startswith("GitHub: working (0/2 orgs)")


def test_a_failure_does_not_wait_for_a_slow_platform_that_answers(
    eco_env, e2e, live_source, small_registry, monkeypatch
):
    """GitHub without a token finishes its first listing only after a 62 s limiter wait, but it has
    answered: a failure elsewhere is reported at once, not after the connect-timeout grace (16 s here)."""
    eco_env()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path, _ = small_registry
    source = live_source(e2e, orgs=None, registry=path)
    github = {**e2e, "rate": GITHUB_ANONYMOUS, "burst": 2, "connect_timeout": 5.0, "connect_retries": 2}
    source.platform_settings["github"] = github
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"^HuggingFace: org .*cannot connect"):
        source.read_month(source.months()[0])
    assert time.monotonic() - started < 8  # the grace would be 5 s x 3 connects + 1 s
