"""GitHub REST: metrics of one repository for the system and benchmark dimensions.

Four requests per repo, all cheap and none avoidable: the repo (stars, forks, open issues *including*
PRs), open PRs and contributors counted with `per_page=1` and the `Link rel="last"` page number, and
commits of the last month the same way (no list field carries these counts). An empty repository
answers 204 (contributors) or 409 (commits): zero. ETags are reused within a run by the HTTP layer; 202
answers are retried there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, json_pages, last_page, requested
from leaderboard_pipeline.collectors.shape import BadShape, counter, require


def month_window(month: str) -> tuple[str, str]:
    """The calendar month before the snapshot month: the 'last month' of a snapshot taken in `month`."""
    first = date.fromisoformat(f"{month}-01")
    prev = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return f"{prev.isoformat()}T00:00:00Z", f"{first.isoformat()}T00:00:00Z"


def count_listing(client: PlatformClient, url: str, org: str, params: list, allow=()) -> int | None:
    """Items in a paginated listing, from one `per_page=1` request."""
    resp = client.request("GET", url, org=org, params=[*params, ("per_page", 1)], allow=allow)
    if resp.status_code == 204:  # empty repository (contributors)
        return 0
    if resp.status_code == 409:  # empty repository (commits: githubkit-schemas lists the 409)
        return 0
    if resp.status_code == 403:  # "contributor list is too large": a known, permanent answer
        return None
    with client.checking(org, requested(resp)):
        pages = last_page(resp)
    if pages is not None:
        return pages
    body = client.parse_json(resp, org)
    with client.checking(org, requested(resp)):
        if body is not None and not isinstance(body, list):
            raise BadShape(f"expected a JSON array, got {type(body).__name__}: {str(body)[:120]}")
        return len(body or [])


def repo_info(client: PlatformClient, repo: str, org: str) -> dict[str, Any]:
    """`GET /repos/{o}/{r}`: the three counters the collector reads, checked (PyGithub `Repository.py`)."""
    resp = client.request("GET", f"/repos/{repo}", org=org)
    info = client.parse_json(resp, org)
    with client.checking(org, requested(resp)):
        where = f"repo {repo}"
        return {
            "repo": (info or {}).get("full_name") or repo,
            **{
                name: counter(require(info, name, where=where), name, where)
                for name in ("stargazers_count", "forks_count", "open_issues_count")
            },
        }


def open_pulls(client: PlatformClient, repo: str, org: str) -> int | None:
    return count_listing(client, f"/repos/{repo}/pulls", org, [("state", "open")])


def contributors(client: PlatformClient, repo: str, org: str) -> int | None:
    return count_listing(client, f"/repos/{repo}/contributors", org, [("anon", "true")], allow=(204, 403))


def commits(client: PlatformClient, repo: str, org: str, month: str) -> int | None:
    since, until = month_window(month)
    return count_listing(
        client, f"/repos/{repo}/commits", org, [("since", since), ("until", until)], allow=(204, 409)
    )


def repo_metrics(client: PlatformClient, repo: str, org: str, month: str) -> dict[str, Any]:
    info = repo_info(client, repo, org)
    prs = open_pulls(client, repo, org)
    issues_and_prs = info["open_issues_count"]
    return {
        "repo": info["repo"],
        "stars": info["stargazers_count"],
        "forks": info["forks_count"],
        # open_issues_count counts open PRs too; subtract them to get issues alone (unknown stays null).
        "open_issues": None if issues_and_prs is None or prs is None else max(0, issues_and_prs - prs),
        "contributors": contributors(client, repo, org),
        "commits_last_month": commits(client, repo, org, month),
    }


def list_org_repos(
    client: PlatformClient, owner: str, org: str, *, sources_only: bool = True
) -> list[dict[str, Any]]:
    """An organisation's public repos (forks excluded by default), following `Link rel="next"`."""
    params: Any = [("type", "sources" if sources_only else "public"), ("per_page", 100)]
    # never build page URLs ourselves: the next links are followed (the client refuses other hosts)
    return [repo for _, page in json_pages(client, f"/orgs/{owner}/repos", params, org) for repo in page]
