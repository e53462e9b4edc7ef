"""ModelScope OpenAPI v1: list an owner's models and datasets, page by page.

What the official clients do (docs/data-sources.md): modelscope_hub `_openapi.py` sends
`GET /openapi/v1/{models,datasets}?owner=&page_number=&page_size=` (size <= 50, page x size <= 3000),
unwraps `data` / `Data` and never reads `success` (errors come as HTTP >= 400); modelscope 1.37.1 lists
datasets with `author=` instead. Key casing inside is not stable (`models` / `Models`, `total_count` /
`TotalCount`), so keys are read through their known variants; timestamps come in seconds or
milliseconds; `downloads` is cumulative.

The owner filter is checked, not trusted: every id must start with `<owner>/`. When the first page of a
dataset listing shows other owners' items, the server ignored `owner=`, and the listing is asked again
with `author=`; the manifest's `detail` records which parameter answered.
"""

from __future__ import annotations

from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient
from leaderboard_pipeline.collectors.shape import (
    BadShape,
    counter,
    label,
    optional,
    owned,
    paged,
    require,
    rows_of,
    timestamp,
    total_of,
    unwrap,
)
from leaderboard_pipeline.contract.untrusted import item_link

SITE = "https://modelscope.cn"
PAGE_SIZE = 50
MAX_ITEMS = 3000
_LIST_KEYS = ("models", "Models", "datasets", "Datasets", "items", "Items", "list", "List")
_TOTAL_KEYS = ("total_count", "TotalCount", "totalCount", "total", "Total")
# The owner parameter, best-evidenced first: modelscope_hub sends `owner` for both kinds; modelscope
# 1.37.1 sends `author` for datasets (hub/api.py list_datasets). No client lists models with `author`.
OWNER_PARAMS = {"models": ("owner",), "datasets": ("owner", "author")}


class OwnerIgnored(BadShape):
    """The listing holds other owners' items: the server did not apply the owner filter."""


def pick(item: dict[str, Any], *keys: str, default: Any = None) -> Any:
    """The first key present, trying snake_case and PascalCase spellings of each."""
    for key in keys:
        pascal = "".join(p[:1].upper() + p[1:] for p in key.split("_"))
        for variant in (key, pascal):
            if item.get(variant) is not None:
                return item[variant]
    return default


def _has(item: dict[str, Any], key: str) -> bool:
    pascal = "".join(p[:1].upper() + p[1:] for p in key.split("_"))
    return key in item or pascal in item


def list_repos(
    client: PlatformClient,
    kind: str,
    owner: str,
    org: str,
    *,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
) -> list[dict[str, Any]]:
    """Every public repo of `owner` (kind "models" or "datasets") from the OpenAPI list endpoint.

    `page_size` and `max_pages` make the probe's one small request out of the same code."""
    url, tried = f"/openapi/v1/{kind}", OWNER_PARAMS[kind]
    for param in tried:
        last = {"what": client.describe("GET", url, [(param, owner)])}

        def fetch(page: int, size: int, param=param, last=last) -> tuple[list, int | None]:
            params = [(param, owner), ("page_number", page), ("page_size", size)]
            last["what"] = client.describe("GET", url, params)
            if max_pages is not None and page > max_pages:
                return [], None
            if page * size > MAX_ITEMS:
                raise BadShape(
                    f"{owner} has more than {MAX_ITEMS} {kind}: the OpenAPI cap; split the crawl "
                    "(platform-apis.md §4.2)"
                )
            return parse_page(client.get_json(url, org=org, params=params), kind, owner)

        try:
            items = paged(fetch, _key, first=1, size=page_size)
        except OwnerIgnored as exc:
            if param != tried[-1]:
                continue  # ask again with the next parameter (its requests are counted)
            names = ", ".join(f"{p}=" for p in tried)
            client.shape_fail(org, last["what"], f"{exc}: the server applies none of {names}")
        except BadShape as exc:
            client.shape_fail(org, last["what"], str(exc))
        client.note(f"owner filter: {param}=")
        return [i for i in items if not pick(i, "private")]
    raise AssertionError("unreachable: the last parameter returns or raises")


def _key(item: dict[str, Any]) -> Any:
    return pick(item, "id", "model_id", "dataset_id") or (pick(item, "path"), pick(item, "name"))


def parse_page(body: Any, kind: str, owner: str) -> tuple[list[dict[str, Any]], int | None]:
    """(items, total) of one list page, every item checked (`check_item`)."""
    data = unwrap(body, "envelope")
    rows = rows_of(data, _LIST_KEYS, "data")
    for item in rows:
        check_item(item, kind, owner)
    return rows, total_of(data, _TOTAL_KEYS)


def check_item(item: Any, kind: str, owner: str) -> None:
    """An id under `owner`, a downloads counter, readable times. `params` / `library` are optional: no
    official client reads them (docs/data-sources.md)."""
    namespace, name = _repo_id(item, owner)
    where = f"item '{namespace}/{name}'"
    if not owned(namespace, owner):
        raise OwnerIgnored(f"{where}: listed for {owner} but owned by {namespace!r}")
    if not _has(item, "downloads"):
        raise BadShape(f"{where}: field 'downloads' missing")
    counter(pick(item, "downloads"), "downloads", where)
    counter(pick(item, "likes", "stars"), "likes", where)
    counter(pick(item, "params", "parameters"), "params", where)
    for key in ("created_at", "created_time", "gmt_create", "last_modified", "last_updated_time"):
        timestamp(pick(item, key), key, where)


def _repo_id(item: Any, owner: str) -> tuple[str, str]:
    repo_id = optional(item, "id", "Id", "model_id", "dataset_id") if isinstance(item, dict) else None
    if isinstance(repo_id, str) and "/" in repo_id:
        namespace, _, name = repo_id.partition("/")
        return namespace, name
    # Legacy PascalCase items: Path (or Owner) is the owner, Name the repo.
    name = require(item, "name", "Name", where=label(item))
    return str(pick(item, "path", "owner", default=owner)), str(name)


def _record(item: dict[str, Any], kind: str, owner: str) -> dict[str, Any]:
    namespace, name = _repo_id(item, owner)
    where = f"item '{namespace}/{name}'"
    tasks = pick(item, "tasks", default=[])
    task = tasks[0] if tasks else None
    if isinstance(task, dict):
        task = pick(task, "name")
    return {
        "namespace": namespace,
        "name": name,
        "total_downloads": counter(pick(item, "downloads"), "downloads", where),
        # Models call them Stars in the legacy surface, datasets Likes.
        "likes": counter(pick(item, "likes", "stars"), "likes", where),
        "community": None,
        "link": item_link(SITE, (kind,), namespace, name),
        "pipeline_tag": task,
        "library": pick(item, "library"),
        "tags": [str(t) for t in pick(item, "tags", default=[])],
        "parameters": counter(pick(item, "params", "parameters"), "params", where),
        "license": pick(item, "license"),
        "created_at": timestamp(pick(item, "created_at", "created_time", "gmt_create"), "created_at", where),
        "last_modified": timestamp(pick(item, "last_modified", "last_updated_time"), "last_modified", where),
    }


def collect(client: PlatformClient, kind: str, owner: str, org: str) -> list[dict[str, Any]]:
    return [_record(i, kind, owner) for i in list_repos(client, kind, owner, org)]
