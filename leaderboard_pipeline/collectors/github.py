"""GitHub REST: metrics of one repository for the system and benchmark dimensions.

Four requests per repo, all cheap: the repo (stars, forks, open issues *including* PRs), open PRs and
contributors counted with `per_page=1` and the `Link rel="last"` page number, and commits of the last
month the same way. ETags are reused within a run by the HTTP layer; 202 answers are retried there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from leaderboard_pipeline.collectors.http import PlatformClient, last_page, next_link


def month_window(month: str) -> tuple[str, str]:
    """The calendar month before the snapshot month: the 'last month' of a snapshot taken in `month`."""
    first = date.fromisoformat(f"{month}-01")
    prev = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return f"{prev.isoformat()}T00:00:00Z", f"{first.isoformat()}T00:00:00Z"


def count_listing(client: PlatformClient, url: str, org: str, params: list, allow=()) -> int | None:
    """Items in a paginated listing, from one `per_page=1` request."""
    resp = client.request("GET", url, org=org, params=[*params, ("per_page", 1)], allow=allow)
    if resp.status_code == 204:  # empty repository
        return 0
    if resp.status_code == 403:  # "contributor list is too large": a known, permanent answer
        return None
    pages = last_page(resp)
    return pages if pages is not None else len(client.parse_json(resp, org) or [])


def repo_metrics(client: PlatformClient, repo: str, org: str, month: str) -> dict[str, Any]:
    info = client.get_json(f"/repos/{repo}", org=org)
    since, until = month_window(month)
    open_prs = count_listing(client, f"/repos/{repo}/pulls", org, [("state", "open")]) or 0
    return {
        "repo": info.get("full_name", repo),
        "stars": info.get("stargazers_count"),
        "forks": info.get("forks_count"),
        # open_issues_count counts open PRs too; subtract them to get issues alone.
        "open_issues": max(0, (info.get("open_issues_count") or 0) - open_prs),
        "contributors": count_listing(
            client, f"/repos/{repo}/contributors", org, [("anon", "true")], allow=(204, 403)
        ),
        "commits_last_month": count_listing(
            client, f"/repos/{repo}/commits", org, [("since", since), ("until", until)], allow=(204,)
        ),
    }


def list_org_repos(
    client: PlatformClient, owner: str, org: str, *, sources_only: bool = True
) -> list[dict[str, Any]]:
    """An organisation's public repos (forks excluded by default), following `Link rel="next"`."""
    url: str | None = f"/orgs/{owner}/repos"
    params: Any = [("type", "sources" if sources_only else "public"), ("per_page", 100)]
    repos: list[dict[str, Any]] = []
    while url:
        resp = client.request("GET", url, org=org, params=params)
        repos.extend(client.parse_json(resp, org) or [])
        url, params = next_link(resp), None  # never build page URLs ourselves
    return repos
