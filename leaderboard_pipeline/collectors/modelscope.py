"""ModelScope OpenAPI v1: list an owner's models and datasets, page by page.

The envelope is `{success, data, message}`; key casing inside is not stable (`models` / `Models`,
`total_count` / `TotalCount`), so every key is read through its known variants (platform-apis.md §4.3).
`page_size` is capped at 50 and `page_number * page_size` at 3000; `downloads` is cumulative.
"""

from __future__ import annotations

from typing import Any

from leaderboard_pipeline.collectors.http import PlatformClient

SITE = "https://modelscope.cn"
PAGE_SIZE = 50
MAX_ITEMS = 3000
_LIST_KEYS = ("models", "Models", "datasets", "Datasets", "items", "Items", "list", "List")
_TOTAL_KEYS = ("total_count", "TotalCount", "totalCount", "total", "Total")


def pick(item: dict[str, Any], *keys: str, default: Any = None) -> Any:
    """The first key present, trying snake_case and PascalCase spellings of each."""
    for key in keys:
        pascal = "".join(p[:1].upper() + p[1:] for p in key.split("_"))
        for variant in (key, pascal):
            if item.get(variant) is not None:
                return item[variant]
    return default


def list_repos(client: PlatformClient, kind: str, owner: str, org: str) -> list[dict[str, Any]]:
    """Every public repo of `owner` (kind "models" or "datasets") from the OpenAPI list endpoint."""
    url, items, page = f"/openapi/v1/{kind}", [], 1
    while True:
        params = [("owner", owner), ("page_number", page), ("page_size", PAGE_SIZE)]
        if page * PAGE_SIZE > MAX_ITEMS:
            client.fail(
                org,
                client.describe("GET", url, params),
                f"{owner} has more than {MAX_ITEMS} {kind}: the OpenAPI cap; split the crawl (platform-apis.md §4.2)",
            )
        body = client.get_json(url, org=org, params=params)
        if not isinstance(body, dict) or not pick(body, "success"):
            message = pick(body, "message") if isinstance(body, dict) else body
            client.fail(org, client.describe("GET", url, params), f"success=false: {message}")
        data = pick(body, "data", default={})
        rows = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), [])
        total = next((int(data[k]) for k in _TOTAL_KEYS if data.get(k) is not None), None)
        items.extend(r for r in rows if not pick(r, "private"))
        if len(rows) < PAGE_SIZE or (total is not None and page * PAGE_SIZE >= total):
            return items
        page += 1


def _record(item: dict[str, Any], kind: str, owner: str) -> dict[str, Any]:
    repo_id = pick(item, "id", "model_id", "dataset_id")
    if isinstance(repo_id, str) and "/" in repo_id:
        namespace, _, name = repo_id.partition("/")
    else:  # legacy PascalCase items: Path is the owner, Name the repo
        namespace, name = pick(item, "path", "owner", default=owner), pick(item, "name")
    tasks = pick(item, "tasks", default=[])
    task = tasks[0] if tasks else None
    if isinstance(task, dict):
        task = pick(task, "name")
    return {
        "namespace": namespace,
        "name": name,
        "total_downloads": pick(item, "downloads"),
        # Models call them Stars in the legacy surface, datasets Likes.
        "likes": pick(item, "likes", "stars"),
        "community": None,
        "link": f"{SITE}/{kind}/{namespace}/{name}",
        "pipeline_tag": task,
        "library": pick(item, "library"),
        "tags": [str(t) for t in pick(item, "tags", default=[])],
        "parameters": pick(item, "params", "parameters"),
        "license": pick(item, "license"),
        "created_at": _iso(pick(item, "created_at", "created_time", "gmt_create")),
        "last_modified": _iso(pick(item, "last_modified", "last_updated_time")),
    }


def _iso(value: Any) -> str | None:
    if isinstance(value, int | float):  # legacy surface: Unix seconds
        from datetime import UTC, datetime

        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def collect(client: PlatformClient, kind: str, owner: str, org: str) -> list[dict[str, Any]]:
    return [_record(i, kind, owner) for i in list_repos(client, kind, owner, org)]
