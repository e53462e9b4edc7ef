"""OpenI (启智, openi.pcl.ac.cn): the registry orgs' repositories that carry a dataset or a model.

What the official client confirms (`openi` 3.0.1 on the package index; paths inside the package):

- the API root is ``<endpoint>/api/v1`` (``refactor/core/session.py``: ``base_url = f"{endpoint}/api/v1"``),
  with ``https://openi.pcl.ac.cn`` as the default endpoint (``refactor/constants.py``);
- the token goes as ``Authorization: Bearer <token>`` (``refactor/core/session.py``; the deprecated
  ``_session.py`` sent Gitea's ``token <token>``), read from ``OPENI_TOKEN`` (``refactor/core/auth.py``);
- answers are an envelope ``{"code", "msg", "data"}``: ``code`` 0 is success, **9004 is "not found"** and
  arrives with HTTP 200 (the client raises only on HTTP errors, then reads ``code``:
  ``refactor/service/downloader.py`` / ``uploader.py`` ``check_auth``); the item is ``data`` with an ``id``;
- lookups by name: ``GET /api/v1/dataset?dataset_name=OWNER/REPO`` and
  ``GET /api/v1/aimodel?aimodel_name=OWNER/NAME`` (``refactor/core/router.py`` ``subject_query``);
  repository names match ``^[.a-zA-Z0-9_-]+/[.a-zA-Z0-9_-]+$`` (``REPO_ID_REGEX``).

The client has no listing of an account's items and no download counts. OpenI is built on Gitea (its own
documentation: "启智社区是基于Gitea发展而来的"; one dataset per project), and what lists an account's
repositories is Gitea's API (``routers/api/v1/user/repo.go``): ``GET /api/v1/orgs/{org}/repos`` and
``GET /api/v1/users/{username}/repos``, paged by ``page`` (1-based) and ``limit`` (capped by the server's
``MAX_RESPONSE_ITEMS``, 50 by default), with the total in ``X-Total-Count``; repository objects carry
``full_name``, ``owner.login``, ``private``, ``stars_count``, ``forks_count``, ``created_at``,
``updated_at`` (``modules/structs/repo.go``). Everything else is unknown and stored as null.
"""

from __future__ import annotations

from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, requested
from leaderboard_pipeline.collectors.shape import BadShape, counter, label, optional, owned, paged, timestamp

API = "/api/v1"
PAGE_LIMIT = 50  # Gitea's default MAX_RESPONSE_ITEMS: asking for more is capped anyway
MAX_REPOS = 10_000  # an account with more is not an organisation's: fail loudly, do not page forever
NOT_FOUND = 9004  # the envelope's code for "no such dataset / model" (HTTP 200)
LOOKUPS = {"datasets": ("/dataset", "dataset_name"), "models": ("/aimodel", "aimodel_name")}
# Download counters a lookup's `data` may carry. None of these is read by the official client: taken when
# present (a count >= 0), otherwise the downloads stay null.
DOWNLOAD_FIELDS = ("download_count", "downloadCount", "downloads", "download_times", "downloadTimes")


def _total(resp) -> int | None:
    value = resp.headers.get("x-total-count")
    return int(value) if value is not None and value.strip().isdigit() else None


def list_repos(
    client: PlatformClient, owner: str, org: str, *, limit: int = PAGE_LIMIT, max_pages: int | None = None
) -> list[dict[str, Any]]:
    """Every public repository of the account ``owner``: its organisation listing, or its user listing
    when the account is a user (Gitea answers the organisation listing with 404 then)."""
    first = client.request(
        "GET", f"{API}/orgs/{owner}/repos", org=org, params=[("page", 1), ("limit", limit)], allow=(404,)
    )
    base = f"{API}/orgs/{owner}/repos"
    if first.status_code == 404:
        base = f"{API}/users/{owner}/repos"
        first = client.request("GET", base, org=org, params=[("page", 1), ("limit", limit)])
        client.note("listing: /users/{user}/repos")
    else:
        client.note("listing: /orgs/{org}/repos")
    pages = 0

    def fetch(page: int, size: int) -> tuple[list, int | None]:
        nonlocal pages
        pages += 1
        if max_pages is not None and pages > max_pages:
            return [], 0
        resp = first if page == 1 and size == limit else None
        if resp is None:
            resp = client.request("GET", base, org=org, params=[("page", page), ("limit", size)])
        body = client.parse_json(resp, org)
        with client.checking(org, requested(resp)):
            if not isinstance(body, list):
                raise BadShape(f"expected a JSON array of repositories, got {type(body).__name__}")
            if page * size > MAX_REPOS + size:
                raise BadShape(f"more than {MAX_REPOS} repositories listed for {owner!r}: not an org account")
            return [_checked(item, owner) for item in body], _total(resp)

    with client.checking(org, f"GET {client.base_url}{base}"):
        repos = paged(fetch, key=lambda r: r["full_name"].casefold(), first=1, size=limit)
    # A token also lists the account's private repositories: they are not public items.
    return [r for r in repos if not r["private"]]


def _checked(item: Any, owner: str) -> dict[str, Any]:
    """A repository object with what the collector reads checked: its name, that it is ``owner``'s, the
    counters (integers >= 0 or absent)."""
    if not isinstance(item, dict):
        raise BadShape(f"expected a repository object, got {type(item).__name__}")
    where = label(item)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadShape(f"{where}: field 'name' missing")
    login = (
        optional(item.get("owner") or {}, "login", "username")
        if isinstance(item.get("owner"), dict)
        else None
    )
    full_name = item.get("full_name") or (f"{login}/{name}" if login else None)
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        raise BadShape(f"{where}: neither 'full_name' nor 'owner.login' names the repository")
    account, _, repo = full_name.partition("/")
    if not owned(account, owner) or repo != name:
        raise BadShape(f"{where}: listed for {owner!r} but belongs to {full_name!r}")
    return {
        "full_name": full_name,
        "namespace": account,
        "name": name,
        "private": item.get("private") is True,
        "stars": counter(item.get("stars_count"), "stars_count", where),
        "forks": counter(item.get("forks_count"), "forks_count", where),
        "created_at": timestamp(item.get("created_at"), "created_at", where),
        "last_modified": timestamp(item.get("updated_at"), "updated_at", where),
    }


def lookup(client: PlatformClient, kind: str, full_name: str, org: str) -> dict[str, Any] | None:
    """The dataset / model named ``full_name`` (``data`` of the envelope), or None when OpenI says it has
    none (code 9004). Any other code is an error naming it; so is an HTTP error (a 404 means the
    endpoint is gone, not that the repository has no dataset)."""
    path, param = LOOKUPS[kind]
    resp = client.request("GET", f"{API}{path}", org=org, params=[(param, full_name)])
    body = client.parse_json(resp, org)
    with client.checking(org, requested(resp)):
        if not isinstance(body, dict):
            raise BadShape(f"expected an envelope object, got {type(body).__name__}: {str(body)[:120]}")
        code = body.get("code")
        if code is not None and str(code).strip() == str(NOT_FOUND):
            return None
        if code is not None and str(code).strip() != "0":
            raise BadShape(f"code={code}: {body.get('msg') or body.get('message')}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadShape(f"no `data` object for {full_name!r} (code {code})")
        return data


def downloads(data: dict[str, Any], where: str) -> int | None:
    for name in DOWNLOAD_FIELDS:
        if data.get(name) is not None:
            return counter(data[name], name, where)
    return None


def collect(client: PlatformClient, kind: str, owner: str, org: str) -> list[dict[str, Any]]:
    """openi_models / openi_datasets records of one account: its repositories whose name resolves to a
    model / a dataset (the lookups above), with the repository's stars and forks."""
    records = []
    for repo in list_repos(client, owner, org):
        data = lookup(client, kind, repo["full_name"], org)
        if data is None:
            continue
        with client.checking(org, f"{kind} {repo['full_name']}"):
            count = downloads(data, f"{kind} {repo['full_name']!r}")
        suffix = "datasets" if kind == "datasets" else "modelmanage/show_model"  # the client's page URLs
        records.append(
            {
                "org": org,
                "namespace": repo["namespace"],
                "name": repo["name"],
                "stars": repo["stars"],
                "forks": repo["forks"],
                "downloads": count,
                "link": f"{client.base_url}/{repo['full_name']}/{suffix}",
                "created_at": repo["created_at"],
                "last_modified": repo["last_modified"],
            }
        )
    return records
