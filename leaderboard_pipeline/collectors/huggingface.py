"""Hugging Face Hub: list an account's models and datasets; per-repo calls only for model-tree children.

`downloads` on the list endpoint is the rolling 30-day count (the page's "Downloads last month");
`downloadsAllTime` is cumulative and only returned when expanded. `expand` is a whitelist, so every
field we read is listed, and always in this order so recorded requests match (platform-apis.md §3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leaderboard_pipeline.collectors.http import PlatformClient, next_link

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


def list_repos(client: PlatformClient, kind: str, namespace: str, org: str) -> list[dict[str, Any]]:
    """Every public repo of `namespace` (kind "models" or "datasets"), following `Link: rel=next`."""
    expand = MODEL_EXPAND if kind == "models" else DATASET_EXPAND
    url: str | None = f"/api/{kind}"
    params: Any = [("author", namespace), ("limit", PAGE_LIMIT), *(("expand", e) for e in expand)]
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    while url:
        resp = client.request("GET", url, org=org, params=params)
        page = client.parse_json(resp, org)
        if not isinstance(page, list):
            client.fail(org, client.describe("GET", url, params), f"expected a JSON array, got {type(page)}")
        for item in page:
            # A token also lists private repos of its orgs; renamed accounts can list a repo twice.
            if item.get("private") or item.get("_id", item["id"]) in seen:
                continue
            seen.add(item.get("_id", item["id"]))
            items.append(item)
        url, params = next_link(resp), None  # the next link already carries every parameter
    return items


def children_count(client: PlatformClient, repo_id: str, org: str) -> int:
    """Model-tree children ("descendants"): only on the detail endpoint."""
    body = client.get_json(f"/api/models/{repo_id}", org=org, params=[("expand", "childrenModelCount")])
    return int((body or {}).get("childrenModelCount") or 0)


def _record(item: dict[str, Any], kind: str) -> dict[str, Any]:
    namespace, _, name = item["id"].partition("/")
    safetensors = item.get("safetensors") or {}
    return {
        "namespace": namespace,
        "name": name,
        "downloads_last_month": item.get("downloads"),
        "downloads_all_time": item.get("downloadsAllTime"),
        "likes": item.get("likes"),
        "link": f"{SITE}/{item['id']}" if kind == "models" else f"{SITE}/datasets/{item['id']}",
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
    """hf_models records; `descendants` is fetched only for large models with enough downloads, else null."""
    records = [_record(i, "models") for i in list_repos(client, "models", namespace, org)]
    for record, large in zip(records, is_large(records), strict=True):
        wanted = large and (record["downloads_last_month"] or 0) >= MIN_DOWNLOADS_FOR_TREE
        full_id = f"{record['namespace']}/{record['name']}"
        record["descendants"] = children_count(client, full_id, org) if wanted else None
        record["community"] = None  # the discussions count costs one call per repo: not collected
    return records


def collect_datasets(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    """hf_datasets records; `dataset_usage` (models trained on it) has no cheap API, so it stays null."""
    records = [_record(i, "datasets") for i in list_repos(client, "datasets", namespace, org)]
    for record in records:
        record["community"] = None
        record["dataset_usage"] = None
    return records
