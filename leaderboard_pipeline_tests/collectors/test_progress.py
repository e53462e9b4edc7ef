"""Progress of a live month: the plan up front (with the anonymous GitHub quota), org i/n, requests,
retries and an ETA per platform, through the `progress` hook and the logger."""

from __future__ import annotations

import logging

import pytest

from leaderboard_pipeline.collectors.client import PlatformClient
from leaderboard_pipeline.collectors.platforms import platform_config, window_rate
from leaderboard_pipeline.collectors.progress import Progress, duration


def test_events_plan_first_then_orgs_then_done(eco_env, e2e, live_source, small_registry, caplog):
    eco_env(error_rate=0.1, seed=3)
    events = []
    path, registry = small_registry
    source = live_source(e2e, orgs=None, registry=path, progress=events.append)
    with caplog.at_level(logging.INFO, logger="leaderboard_pipeline.sources.live"):
        source.read_month(source.months()[0])
    platforms = {
        "HuggingFace",
        "ModelScope",
        "GitHub",
        "OpenDataLab",
        "BAAIData",
        "Gitee",
        "GitCode",
        "OpenI",
    }
    plans = [e for e in events if e.kind == "plan"]
    assert {e.platform for e in plans} == platforms
    assert events[: len(plans)] == plans  # every plan comes before the first request's news
    for name in platforms:
        mine = [e for e in events if e.platform == name and e.kind in ("org", "done")]
        orgs = [e for e in mine if e.kind == "org"]
        assert [e.orgs_done for e in orgs] == list(range(1, len(orgs) + 1))
        assert orgs[-1].orgs_done == orgs[-1].orgs_total
        assert mine[-1].kind == "done"
        final = source.last_run["platform"][next(k for k, c in _names().items() if c == name)]
        assert (mine[-1].requests, mine[-1].retries) == (final["requests"], final["retries"])
    gh = next(e for e in events if e.platform == "GitHub" and e.kind == "org")
    assert gh.message.startswith(f"GitHub: org {gh.org} done (1/2 orgs), ") and "requests" in gh.message
    assert "retries, ETA " in gh.message
    # the same lines reach the terminal through the logger
    assert [r.getMessage() for r in caplog.records] == [e.message for e in events]
    assert sum(e.retries for e in events if e.kind == "done") > 0  # the faults were counted


def _names() -> dict[str, str]:
    from leaderboard_pipeline.collectors.platforms import PLATFORMS

    return {k: c.name for k, c in PLATFORMS.items()}


def test_a_slow_platform_reports_while_it_works(eco_env, e2e, live_source, small_registry):
    eco_env(latency_ms=30)
    events = []
    path, _ = small_registry
    source = live_source(
        {**e2e, "concurrency": 1}, orgs=None, registry=path, progress=events.append, heartbeat=0.05
    )
    source.read_month(source.months()[0])
    beats = [e for e in events if e.kind == "progress"]
    assert beats and all("working (" in e.message and "ETA" in e.message for e in beats)


@pytest.mark.parametrize("has_token", [False, True])
def test_github_paces_for_the_quota_of_its_credentials(monkeypatch, has_token):
    if has_token:
        monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    else:
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    client = PlatformClient(platform_config("github"))
    quota = 5000 if has_token else 60
    assert client.rate == window_rate(quota, 3600, burst=2)
    assert client.auth == ("GITHUB_TOKEN" if has_token else "anonymous")
    events = []
    progress = Progress({"github": client}, events.append)
    for i in range(55):  # the registry's repos: four requests each
        progress.add("github", f"org{i % 12}", 4)
    progress.plan()
    [plan] = events
    assert plan.kind == "plan" and plan.message.startswith(
        "GitHub: 55 listings for 12 orgs, at least 220 requests; "
    )
    if has_token:
        assert "GITHUB_TOKEN, paced at 4998 / h" in plan.message and "at least 3 min" in plan.message
        assert not plan.warning and "set GITHUB_TOKEN" not in plan.message
    else:
        # said up front: hours at the anonymous quota, and what a token would make of it
        assert "anonymous, paced at 58 / h (5000 / h with GITHUB_TOKEN, 60 / h anonymous)" in plan.message
        assert (
            "at least 3 h 48 min" in plan.message
            and "set GITHUB_TOKEN for 4998 / h (at least 3 min)" in plan.message
        )
        assert plan.warning
    client.close()


def test_overridden_rates_apply_with_or_without_a_token(monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    assert PlatformClient(platform_config("huggingface", rate=50.0)).rate == 50.0
    assert PlatformClient(platform_config("huggingface")).rate == window_rate(500, 300, burst=4)
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    assert PlatformClient(platform_config("huggingface")).rate == window_rate(1000, 300, burst=4)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "unknown"), (12.4, "12 s"), (600, "10 min"), (13_680, "3 h 48 min"), (-1, "0 s")],
)
def test_duration(seconds, text):
    assert duration(seconds) == text
