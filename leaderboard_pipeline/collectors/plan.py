"""How long a live month takes at least, with the credentials at hand and with the tokens that would make
it faster: what `leaderboard run --source live` says before it starts, and the rule that a long crawl
starts from a terminal only when asked (`--yes`).

The time is a lower bound: each platform's listings times the requests a listing needs at least, at the
limiter's pace (the platform's published quota for the credentials at hand); platforms run in parallel,
so the month takes as long as its slowest platform. Pagination and retries only add to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from leaderboard_pipeline.collectors.platforms import PlatformConfig, effective_rate, token
from leaderboard_pipeline.collectors.progress import duration

# A crawl planned to take longer than this starts from a terminal only when asked (`run --yes`): ten
# minutes is past any month with tokens at the registry's size (about 4 min, paced by GitHub), and far
# below one without GITHUB_TOKEN (hours), so the question comes exactly when a token is missing.
LONG_RUN_S = 600.0


@dataclass(frozen=True)
class PlatformPlan:
    name: str
    token_env: tuple[str, ...]
    listings: int
    orgs: int
    min_requests: int
    rate: float  # requests / s with the credentials at hand (inf: unpaced, a replay)
    token_rate: float | None  # with the platform's token, where that is faster than `rate`

    @property
    def seconds(self) -> float:
        return 0.0 if self.rate == float("inf") else self.min_requests / self.rate

    @property
    def token_seconds(self) -> float | None:
        return None if self.token_rate is None else self.min_requests / self.token_rate


@dataclass(frozen=True)
class CrawlPlan:
    platforms: tuple[PlatformPlan, ...]

    @property
    def seconds(self) -> float:
        """At least this long: the slowest platform (they run in parallel)."""
        return max((p.seconds for p in self.platforms), default=0.0)

    @property
    def seconds_with_tokens(self) -> float:
        """At least this long with every token that helps."""
        return max((p.token_seconds if p.token_rate else p.seconds for p in self.platforms), default=0.0)

    @property
    def helped(self) -> list[PlatformPlan]:
        """Platforms a token would make faster, slowest first."""
        return sorted((p for p in self.platforms if p.token_rate), key=lambda p: -p.seconds)

    def advice(self) -> list[str]:
        """One line per token that helps, e.g. "GITHUB_TOKEN: GitHub 6 h 08 min -> 4 min"."""
        return [
            f"{' or '.join(p.token_env)}: {p.name} {duration(p.seconds)} -> {duration(p.token_seconds)}"
            for p in self.helped
        ]

    def needs_consent(self) -> bool:
        return self.seconds > LONG_RUN_S


def crawl_plan(jobs: Iterable[tuple[str, str, int]], configs: dict[str, PlatformConfig]) -> CrawlPlan:
    """`jobs`: (platform key, org, requests the listing needs at least); `configs`: each platform's
    config as the run will use it (rates overridden, replay unpaced)."""
    listings: dict[str, list[tuple[str, int]]] = {}
    for platform, org, requests in jobs:
        listings.setdefault(platform, []).append((org, requests))
    plans = []
    for key, config in configs.items():
        if key not in listings:
            continue
        has_token = token(config) is not None
        rate = effective_rate(config, has_token)
        faster = not has_token and config.anonymous_rate is not None and config.rate > rate
        plans.append(
            PlatformPlan(
                config.name,
                config.token_env,
                len(listings[key]),
                len({org for org, _ in listings[key]}),
                sum(n for _, n in listings[key]),
                rate,
                config.rate if faster and rate != float("inf") else None,
            )
        )
    return CrawlPlan(tuple(plans))
