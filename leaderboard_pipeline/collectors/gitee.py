"""Gitee and GitCode (API v5, same paths): repository metrics and an org's repository list.

Gitee authenticates with an `access_token` query parameter (redacted by the HTTP layer), GitCode with a
bearer header; which one is the client's configuration. Contributor and commit counts have no documented
cheap form on v5, so they stay null (platform-apis.md §8).
"""

from __future__ import annotations

from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, requested
from leaderboard_pipeline.collectors.shape import counter, require

PER_PAGE = 100


def repo_metrics(client: PlatformClient, repo: str, org: str) -> dict[str, Any]:
    """Stars, forks and open issues (open issues only on Gitee: gitee_client `models/repo.py`)."""
    resp = client.request("GET", f"/repos/{repo}", org=org)
    info = client.parse_json(resp, org)
    where = f"repo {repo}"
    with client.checking(org, requested(resp)):
        stars, forks = (
            counter(require(info, k, where=where), k, where) for k in ("stargazers_count", "forks_count")
        )
        return {
            "repo": info.get("full_name") or repo,
            "stars": stars,
            "forks": forks,
            "open_issues": counter(info.get("open_issues_count"), "open_issues_count", where),
            "contributors": None,
            "commits_last_month": None,
        }


def list_org_repos(client: PlatformClient, owner: str, org: str) -> list[dict[str, Any]]:
    """An org's public repos, page by page until a short page (v5 has no reliable total)."""
    items, page = [], 1
    while True:
        params = [("type", "public"), ("page", page), ("per_page", PER_PAGE)]
        rows = client.get_json(f"/orgs/{owner}/repos", org=org, params=params) or []
        items.extend(rows)
        if len(rows) < PER_PAGE:
            return items
        page += 1
