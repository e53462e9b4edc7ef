"""Hugging Face Hub: list an account's models and datasets, then per-item counts the lists do not carry.

`downloads` on the list endpoint is the rolling 30-day count (the page's "Downloads last month");
`downloadsAllTime` is cumulative and only returned when expanded. `expand` is a whitelist, so every
field we read is listed, and always in this order so recorded requests match (platform-apis.md §3).

Per item, as huggingface_hub does it (docs/data-sources.md, "Official clients"):

- `community` of a model: `count` of `GET /api/models/{id}/discussions?p=0` (`get_repo_discussions`:
  the total of the filter asked; no `status` / `type` filter = every discussion and pull request, open
  and closed: the Community tab's number, which the published values follow);
- `descendants`: `childrenModelCount` of `GET /api/models/{id}?expand=childrenModelCount`, unless the
  list item already has it;
- `dataset_usage` of a dataset: the public models tagged `dataset:<id>`, counted over the pages of
  `GET /api/models?filter=dataset:<id>` (`list_models(trained_dataset=...)`; no count field exists).

The per-model calls are made only for models with at least `MIN_DOWNLOADS_FOR_DETAIL` monthly downloads:
every profile excludes the others before any metric (`cleaning.clean_models`, `min_model_downloads`), so
their counts provably cannot reach a rank; they stay null (unknown), never 0. Datasets have no such
threshold in any profile, so every dataset gets its usage count.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, json_pages, requested
from leaderboard_pipeline.collectors.shape import BadShape, counter, label, owned, require
from leaderboard_pipeline.contract.untrusted import item_link

log = logging.getLogger("leaderboard_pipeline.collectors")

SITE = "https://huggingface.co"
PAGE_LIMIT = 1000
# Monthly downloads a model needs for its per-model calls: the lowest `min_model_downloads` of any
# profile (test_item_counts.py checks every profile against it). Below it a model is excluded before any
# metric in every profile, whatever its labels, so its discussions and children cannot change a rank.
MIN_DOWNLOADS_FOR_DETAIL = 50
DISCUSSIONS_PAGE = 0  # `count` is on every page; the first is the one that always exists
USAGE_EXPAND = ["private", "tags"]  # private: dropped (a token lists them); tags: the filter was applied
MAX_USAGE_PAGES = 200  # 200,000 models of one dataset at limit=1000: a bound, not a Hub figure
# A Hub repo id as huggingface_hub's `validate_repo_id` allows (letters, digits, "-", "_", ".", at most 96
# a side). Listed names are untrusted: with ".." refused too, no name can steer a per-item request path.
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9_.-]{1,96}")
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
    for pages, (resp, page) in enumerate(json_pages(client, url, params, org, max_pages=max_pages), 1):
        with client.checking(org, requested(resp)):
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


def discussions_count(client: PlatformClient, repo_id: str, org: str, kind: str = "models") -> int:
    """Every discussion and pull request of a repo, open and closed: `count` of the first discussions page.

    huggingface_hub `get_repo_discussions` pages with `p=` and reads `count` as the total of the filter
    asked (`has_next = start + len(discussions) < count`); without `status` / `type` that is all of them.
    A missing or odd `count` is a shape error, never 0."""
    url = f"/api/{kind}/{repo_id}/discussions"
    resp = client.request("GET", url, org=org, params=[("p", DISCUSSIONS_PAGE)])
    body = client.parse_json(resp, org)
    with client.checking(org, requested(resp)):
        where = f"discussions of {repo_id!r}"
        if not isinstance(body, dict):
            raise BadShape(f"{where}: expected an object, got {type(body).__name__}")
        if not isinstance(body.get("discussions", []), list):
            raise BadShape(f"{where}: field 'discussions' is not a list")
        total = counter(require(body, "count", where=where), "count", where)
        if total is None:
            raise BadShape(f"{where}: field 'count' is null")
        return total


def dataset_usage(
    client: PlatformClient,
    dataset_id: str,
    org: str,
    *,
    limit: int = PAGE_LIMIT,
    max_pages: int | None = None,
) -> int:
    """Public models tagged `dataset:<dataset_id>` ("models trained or fine-tuned on" the dataset).

    The Hub has no count for it: `list_models(trained_dataset=id)` sends `filter=dataset:<id>` and pages
    by `Link: rel=next`, so the models are counted over the pages (one request per 1000 models).
    Private models (a token lists its orgs' own) are left out; a listed model without the tag means the
    server ignored the filter: an error, not a count of the whole Hub. `max_pages` makes the probe's one
    small request; a listing longer than MAX_USAGE_PAGES is refused rather than followed forever."""
    tag = f"dataset:{dataset_id}".casefold()
    url: str | None = "/api/models"
    params: Any = [
        ("filter", f"dataset:{dataset_id}"),
        ("limit", limit),
        *(("expand", e) for e in USAGE_EXPAND),
    ]
    seen: set[str] = set()
    listing = json_pages(client, url, params, org, max_pages=max_pages, most=MAX_USAGE_PAGES)
    for resp, page in listing:
        with client.checking(org, requested(resp)):
            for item in page:
                model = require(item, "id")
                if not isinstance(model, str):
                    raise BadShape(f"{label(item)}: field 'id' is not text")
                tags = item.get("tags")
                if not isinstance(tags, list) or tag not in {str(t).casefold() for t in tags}:
                    raise BadShape(
                        f"{label(item)}: listed for filter=dataset:{dataset_id} without that tag: "
                        "the server ignores the filter"
                    )
                if not item.get("private"):
                    seen.add(item.get("_id") or model)
    return len(seen)


def repo_id(client: PlatformClient, record: dict[str, Any], org: str) -> str | None:
    """The record's `<namespace>/<name>` for a per-item request path, or None for a name the Hub would
    never serve as a repo id: no request is sent to a path built from it, and its counts stay unknown
    (one odd name from any account must not fail everyone's month). Noted in the manifest's detail."""
    rid = f"{record['namespace']}/{record['name']}"
    if not _REPO_ID.fullmatch(rid) or ".." in rid:
        client.note("items whose name is not a Hub repo id: per-item counts unknown")
        log.warning(
            "HuggingFace: org %r: %r is not a Hub repo id: its per-item counts stay unknown", org, rid
        )
        return None
    return rid


def needs_item_calls(record: dict[str, Any]) -> bool:
    """Whether a model's per-model counts can reach a rank (see MIN_DOWNLOADS_FOR_DETAIL)."""
    return (record["downloads_last_month"] or 0) >= MIN_DOWNLOADS_FOR_DETAIL


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


def list_models(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    """hf_models records of one account from its listing alone: `descendants` when the list item has
    `childrenModelCount`, else null; `community` null until `add_model_counts` asks for it."""
    records = []
    for item in list_repos(client, "models", namespace, org):
        record = _record(item, "models")
        record["community"] = None
        record["descendants"] = item.get("childrenModelCount")
        records.append(record)
    return records


def model_calls(record: dict[str, Any]) -> int:
    """Requests `add_model_counts` makes for a record: 0, or the discussions count and, when the list did
    not give `descendants`, the model-tree detail."""
    return (2 if record["descendants"] is None else 1) if needs_item_calls(record) else 0


def add_model_counts(client: PlatformClient, records: list[dict[str, Any]], org: str) -> None:
    """Fill `community` and missing `descendants` of the records that need them (`model_calls`)."""
    for record in records:
        if not needs_item_calls(record):
            continue
        rid = repo_id(client, record, org)
        if rid is None:
            continue
        record["community"] = discussions_count(client, rid, org)
        if record["descendants"] is None:
            record["descendants"] = children_count(client, rid, org)


def list_datasets(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    """hf_datasets records of one account; `community` is not used by any profile and stays null,
    `dataset_usage` stays null until `add_dataset_usage` counts it."""
    records = [_record(i, "datasets") for i in list_repos(client, "datasets", namespace, org)]
    for record in records:
        record["community"] = None
        record["dataset_usage"] = None
    return records


def add_dataset_usage(client: PlatformClient, records: list[dict[str, Any]], org: str) -> None:
    for record in records:
        rid = repo_id(client, record, org)
        if rid is not None:
            record["dataset_usage"] = dataset_usage(client, rid, org)


def collect_models(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    """hf_models records with every count (the live source runs the two steps as separate jobs)."""
    records = list_models(client, namespace, org)
    add_model_counts(client, records, org)
    return records


def collect_datasets(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    """hf_datasets records with their usage counts."""
    records = list_datasets(client, namespace, org)
    add_dataset_usage(client, records, org)
    return records
