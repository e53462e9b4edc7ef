"""Hugging Face Hub: list an account's models and datasets; per-repo calls only for model-tree children.

`downloads` on the list endpoint is the rolling 30-day count (the page's "Downloads last month");
`downloadsAllTime` is cumulative and only returned when expanded. `expand` is a whitelist, so every
field we read is listed, and always in this order so recorded requests match (platform-apis.md §3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, next_link, requested
from leaderboard_pipeline.collectors.shape import BadShape, counter, label, owned, require
from leaderboard_pipeline.contract.untrusted import item_link

SITE = "https://huggingface.co"
PAGE_LIMIT = 1000
MIN_DOWNLOADS_FOR_TREE = 50  # below this a model cannot matter for the ranking: skip its detail call
MODEL_EXPAND = [
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "downloadsAllTime",
    "likes",
    "pipeline_tag",
    "library_name",
    "tags",
    "private",
    "safetensors",
    "gated",
]
DATASET_EXPAND = [
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "private",
]


def list_repos(
    client: PlatformClient,
    kind: str,
    namespace: str,
    org: str,
    *,
    limit: int = PAGE_LIMIT,
    max_pages: int | None = None,
) -> list[dict[str, Any]]:
    """Every public repo of `namespace` (kind "models" or "datasets"), following `Link: rel=next`
    (the client refuses a next link off the Hub's origin: the token would go with it).

    Items are checked as they arrive (`check_item`); `limit` and `max_pages` make the probe's one small
    request out of the same code. A repo listed twice (the same id, or the same internal `_id`: renamed
    accounts) is kept once, as first listed; `client.duplicate` warns with both values."""
    expand = MODEL_EXPAND if kind == "models" else DATASET_EXPAND
    url: str | None = f"/api/{kind}"
    params: Any = [("author", namespace), ("limit", limit), *(("expand", e) for e in expand)]
    items: list[dict[str, Any]] = []
    first: dict[str, dict[str, Any]] = {}  # repo id (case-insensitive, as the Hub) and _id -> first item
    pages, visited = 0, set()
    while url and (max_pages is None or pages < max_pages):
        resp = client.request("GET", url, org=org, params=params)
        pages += 1
        visited.add(str(resp.request.url))
        page = client.parse_json(resp, org)
        with client.checking(org, requested(resp)):
            if not isinstance(page, list):
                raise BadShape(f"expected a JSON array, got {type(page).__name__}: {str(page)[:120]}")
            repeats = 0
            for item in page:
                check_item(item, kind, namespace)
                if item.get("private"):  # a token also lists private repos of its orgs
                    continue
                keys = [item["id"].casefold(), *([str(item["_id"])] if item.get("_id") else [])]
                kept = next((first[k] for k in keys if k in first), None)
                if kept is not None:
                    client.duplicate(org, requested(resp), kept["id"], kept, item, ("downloads", "likes"))
                    repeats += 1
                    continue
                first.update(dict.fromkeys(keys, item))
                items.append(item)
            if pages > 1 and page and repeats == len(page):
                raise BadShape("the page repeats earlier items only: the pagination loops")
        url, params = next_link(resp), None  # the next link already carries every parameter
        if url is not None and str(client.resolve(url)) in visited:
            client.shape_fail(
                org, requested(resp), f'Link rel="next" points back to a page already read: {url[:120]}'
            )
    return items


def check_item(item: Any, kind: str, namespace: str) -> None:
    """What the collector reads from a list item: an id in the namespace, and the two counters."""
    repo_id = require(item, "id")
    if not isinstance(repo_id, str) or "/" not in repo_id:
        raise BadShape(f"{label(item)}: field 'id' is not 'namespace/name'")
    where = label(item)
    if not owned(repo_id.partition("/")[0], namespace):
        raise BadShape(f"{where}: listed for author={namespace} but belongs to another namespace")
    for name in ("downloads", "likes"):
        counter(require(item, name, where=where), name, where)
    counter(item.get("downloadsAllTime"), "downloadsAllTime", where)
    if kind == "models":
        counter(item.get("childrenModelCount"), "childrenModelCount", where)
        counter((item.get("safetensors") or {}).get("total"), "safetensors.total", where)


def children_count(client: PlatformClient, repo_id: str, org: str) -> int | None:
    """Model-tree children ("descendants"): only on the detail endpoint. None when the Hub does not say
    (the SDK's `children_model_count` is None then, not 0)."""
    url = item_link("", ("api", "models"), *repo_id.split("/", 1))
    if url is None:  # a name the Hub itself would never serve ("..": it would resolve elsewhere)
        return None
    resp = client.request("GET", url, org=org, params=[("expand", "childrenModelCount")])
    body = client.parse_json(resp, org)
    with client.checking(org, requested(resp)):
        if not isinstance(body, dict):
            raise BadShape(f"expected an object, got {type(body).__name__}")
        return counter(body.get("childrenModelCount"), "childrenModelCount", label(body))


def _record(item: dict[str, Any], kind: str) -> dict[str, Any]:
    namespace, _, name = item["id"].partition("/")
    safetensors = item.get("safetensors") or {}
    return {
        "namespace": namespace,
        "name": name,
        "downloads_last_month": item["downloads"],
        "downloads_all_time": item.get("downloadsAllTime"),
        "likes": item["likes"],
        # quoted path segments: a name like "../../x" cannot point outside the item's own namespace
        "link": item_link(SITE, () if kind == "models" else ("datasets",), namespace, name),
        "pipeline_tag": item.get("pipeline_tag"),
        "library": item.get("library_name"),
        "tags": item.get("tags") or [],
        "parameters": safetensors.get("total"),
        # false | "auto" | "manual" (huggingface_hub ModelInfo.gated); absent: not reported, unknown
        "gated": None if item.get("gated") is None else item["gated"] not in (False, "false"),
        "created_at": item.get("createdAt"),
        "last_modified": item.get("lastModified"),
    }


def collect_models(
    client: PlatformClient, namespace: str, org: str, is_large: Callable[[list[dict]], list[bool | None]]
) -> list[dict[str, Any]]:
    """hf_models records. `descendants` comes from the list item when the Hub puts it there, else from
    one detail call, made only for large models with enough downloads; otherwise it stays null."""
    items = list_repos(client, "models", namespace, org)
    records = [_record(i, "models") for i in items]
    for item, record, large in zip(items, records, is_large(records), strict=True):
        record["community"] = None  # the discussions count costs one call per repo: not collected
        if "childrenModelCount" in item:  # a list field has the number: no detail request
            record["descendants"] = item["childrenModelCount"]
            continue
        wanted = large and (record["downloads_last_month"] or 0) >= MIN_DOWNLOADS_FOR_TREE
        record["descendants"] = children_count(client, item["id"], org) if wanted else None
    return records


def collect_datasets(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    """hf_datasets records; `dataset_usage` (models trained on it) has no cheap API, so it stays null."""
    records = [_record(i, "datasets") for i in list_repos(client, "datasets", namespace, org)]
    for record in records:
        record["community"] = None
        record["dataset_usage"] = None
    return records
