"""Each platform's settings: base URL and credentials from the environment, published quotas, retries.

Base URLs and tokens are read from the platforms' environment variables only, never from config, so
they are never stored with a run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class PlatformConfig:
    key: str  # short id used in paths and env vars: huggingface, modelscope, github, ...
    name: str  # display name used in messages and the org_registry table
    default_url: str
    url_env: tuple[str, ...]
    token_env: tuple[str, ...]
    auth: str = "bearer"  # "bearer" header, or "query" (Gitee's access_token parameter)
    rate: float = 1.0  # sustained requests per second the limiter allows (with a token, if it matters)
    anonymous_rate: float | None = None  # the rate without a token, where the published quota is lower
    quota: str = "none published"  # the published limits, for the up-front time estimate and the probe
    cookie_env: tuple[str, ...] = ()  # a session cookie (BAAI), sent as the Cookie header
    credentials_on_refusal: bool = False  # anonymous first; token / cookie only once access is refused
    burst: int = 1  # token-bucket capacity
    concurrency: int = 1
    max_attempts: int = 5
    connect_retries: int = 2  # a refused connection means "no network": fail fast, do not loop
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    secondary_wait: float = 60.0  # GitHub: first wait after a secondary rate limit
    max_wait: float = 300.0  # longest single wait honoured from a server header
    connect_timeout: float = 5.0
    read_timeout: float = 60.0  # one socket read; the bounds below hold whatever the server does
    request_deadline: float = 120.0  # one attempt, connect to last body byte, redirects included
    # The platform's whole month: GitHub without a token takes about 3 h (60 requests / h); with tokens
    # every platform is done in under half an hour.
    platform_deadline: float = 5 * 3600.0
    max_body: int = 64 * 1024 * 1024  # bytes of one body after decompression
    max_depth: int = 64  # JSON nesting of one body (records need under 10)
    max_redirects: int = 5
    retry_202: bool = False  # GitHub answers 202 while it computes statistics
    etags: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def window_rate(quota: int, window_s: float, burst: int) -> float:
    """Limiter rate for a fixed-window quota: (quota - burst) / window.

    A full bucket spent right at a window's start plus the steady rate would otherwise fit quota + burst
    requests into one window and draw 429s; leaving the burst out of the rate makes that impossible.
    """
    return (quota - burst) / window_s


# Rates are the published limits (docs/data-sources.md): HF 500 requests / 5 min anonymous (1000 with a
# token), GitHub 5000 / h with a token (60 / h without), GitCode 50 / min; the rest publish none and get a
# polite 1 / s. Concurrency follows the per-host advice in platform-apis.md §2.
PLATFORMS: dict[str, PlatformConfig] = {
    c.key: c
    for c in (
        PlatformConfig(
            "huggingface",
            "HuggingFace",
            "https://huggingface.co",
            ("HF_ENDPOINT",),
            ("HF_TOKEN",),
            rate=window_rate(1000, 300, burst=4),  # free-account token: 1000 per 5-minute fixed window
            anonymous_rate=window_rate(500, 300, burst=4),  # anonymous: 500 per 5 minutes per IP
            quota="1000 / 5 min with HF_TOKEN, 500 / 5 min anonymous",
            burst=4,
            concurrency=4,
        ),
        PlatformConfig(
            "modelscope",
            "ModelScope",
            "https://modelscope.cn",
            ("MODELSCOPE_ENDPOINT",),
            ("MODELSCOPE_API_TOKEN", "MODELSCOPE_TOKEN"),
            rate=2.0,
            burst=2,
            concurrency=2,
        ),
        PlatformConfig(
            "github",
            "GitHub",
            "https://api.github.com",
            ("GITHUB_API_URL",),
            ("GITHUB_TOKEN",),
            rate=window_rate(5000, 3600, burst=2),
            anonymous_rate=window_rate(60, 3600, burst=2),  # 60 / h per IP: a month takes hours
            quota="5000 / h with GITHUB_TOKEN, 60 / h anonymous",
            # A primary limit resets within the hour: wait for it (progress lines keep coming) rather
            # than give up after a few capped waits when another client shares the IP's quota.
            max_wait=3660.0,
            burst=2,
            concurrency=2,
            retry_202=True,
            etags=True,
            headers=(("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")),
        ),
        PlatformConfig(
            "opendatalab",
            "OpenDataLab",
            "https://opendatalab.com",
            ("LEADERBOARD_OPENDATALAB_URL",),
            (),
        ),
        PlatformConfig(
            "baai",
            "BAAIData",
            "https://data.baai.ac.cn",
            ("LEADERBOARD_BAAI_URL",),
            ("BAAI_TOKEN",),
            cookie_env=("BAAI_COOKIE",),
            credentials_on_refusal=True,
        ),
        PlatformConfig(
            "gitee",
            "Gitee",
            "https://gitee.com/api/v5",
            ("LEADERBOARD_GITEE_URL",),
            ("GITEE_TOKEN", "GITEE_ACCESS_TOKEN"),  # the second is gitee_client's name
            auth="query",
        ),
        PlatformConfig(
            "gitcode",
            "GitCode",
            "https://api.gitcode.com/api/v5",
            ("LEADERBOARD_GITCODE_URL",),
            ("GITCODE_TOKEN",),
            rate=50 / 60,
            quota="50 / min, 4000 / h (third-party note)",
        ),
        PlatformConfig(
            # The site root, as the official client's endpoint (`openi` OPENI_ENDPOINT); the collector
            # adds the API root /api/v1. Token: the client's OPENI_TOKEN, sent as a bearer token.
            "openi",
            "OpenI",
            "https://openi.pcl.ac.cn",
            ("LEADERBOARD_OPENI_URL",),
            ("OPENI_TOKEN",),
        ),
    )
}


def platform_config(key: str, **overrides: Any) -> PlatformConfig:
    """The platform's config with fields replaced; an overridden `rate` is the rate with or without a token
    (tests and benchmarks scale time, whatever tokens the environment holds)."""
    if "rate" in overrides:
        overrides.setdefault("anonymous_rate", overrides["rate"])
    return replace(PLATFORMS[key], **overrides)


def base_url(config: PlatformConfig) -> str:
    for var in config.url_env:
        if os.environ.get(var):
            return os.environ[var].rstrip("/")
    return config.default_url


def token(config: PlatformConfig) -> str | None:
    return next((os.environ[v] for v in config.token_env if os.environ.get(v)), None)


def cookie(config: PlatformConfig) -> str | None:
    return next((os.environ[v] for v in config.cookie_env if os.environ.get(v)), None)


def effective_rate(config: PlatformConfig, has_token: bool) -> float:
    """The limiter's rate: the anonymous quota when there is no token and the platform has one."""
    if has_token or config.anonymous_rate is None:
        return config.rate
    return config.anonymous_rate


def auth_description(config: PlatformConfig) -> str:
    """Which credentials a client of this platform uses (the env var's name, never its value)."""
    names = [v for v in (*config.token_env, *config.cookie_env) if os.environ.get(v)]
    if not names:
        return "anonymous"
    when = " if refused" if config.credentials_on_refusal else ""
    return f"{' + '.join(names)}{when}"
