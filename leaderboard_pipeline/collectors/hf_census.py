"""The whole-Hub census: one paged pass over every public Hugging Face model (and dataset) a month.

``GET /api/models?limit=1000&expand=createdAt&expand=downloads&expand=likes&expand=private&expand=tags``
without ``author``, following ``Link: rel="next"`` (a cursor; there is no offset and no total:
huggingface_hub ``utils/_pagination.py``, ``hf_api.py`` ``list_models``). Datasets the same without
``tags``. The namespace is the id's first part (the ``author``), so ``author`` is not expanded.

The base-model relation comes from the tags: ``base_model:<id>`` and ``base_model:<relation>:<id>``
(relation finetune, adapter, quantized or merge). The Hub refuses ``baseModels`` and
``childrenModelCount`` as ``expand`` fields of a listing (detail calls only: platform-apis.md §3.1), and
a detail call per model is out of the question for two million models.

Records are kept compact (no tag lists: only the base models and their relation) and built page by page
into polars frames, so a pass of two million models never holds two million Python dicts.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from leaderboard_pipeline.collectors.client import PlatformClient, json_pages, requested
from leaderboard_pipeline.collectors.shape import BadShape, counter, label, timestamp
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS

PAGE_LIMIT = 1000  # asked per page; the server may serve fewer (huggingface.js asks 500): always follow Link
MAX_PAGES = 20_000  # 20 M items at 1000 a page: a pagination that never ends is an error, not a census
RELATIONS = ("finetune", "adapter", "quantized", "merge")
MAX_BASES = 32  # base models kept per model (a merge names a handful; more is not a model card)
EXPAND = {
    "models": ["createdAt", "downloads", "likes", "private", "tags"],
    "datasets": ["createdAt", "downloads", "likes", "private"],
}
TABLE = {"models": "hf_census_models", "datasets": "hf_census_datasets"}
# A repository id as the Hub allows it: letters, digits, "-", "_", "." in one or two parts.
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]{0,95}(/[\w.\-]{1,96})?$")


def base_models(tags: Any) -> tuple[list[str], str | None]:
    """The base model ids named by ``base_model:`` tags (first seen order, at most MAX_BASES) and the
    relation they name (the first of ``RELATIONS`` found; None when only bare ``base_model:<id>`` tags).

    Malformed tags (no id, an id that is not a repository id) are ignored: they name no model."""
    if not isinstance(tags, list):
        return [], None
    bases: list[str] = []
    relations: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str) or not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        head, sep, tail = rest.partition(":")
        relation = head if sep and head in RELATIONS else None
        rest = tail if relation else rest
        if not _REPO_ID.match(rest):
            continue  # names no model: neither it nor its relation counts
        if relation:
            relations.add(relation)
        if rest not in bases and len(bases) < MAX_BASES:
            bases.append(rest)
    relation = next((r for r in RELATIONS if r in relations), None)
    return bases, relation


def _schema(kind: str) -> dict[str, pl.DataType]:
    """The columns a listing gives (the month and the registry's accounts are the live source's)."""
    skip = ("month", "registry_org", "registry_platform")
    return {c: t for c, t in RAW_SCHEMAS[TABLE[kind]].items() if c not in skip}


def _page_frame(items: list, kind: str, seen: set[str]) -> pl.DataFrame:
    """One page of list items -> rows of the census table (private and repeated items dropped)."""
    columns: dict[str, list] = {c: [] for c in _schema(kind)}
    for item in items:
        repo_id = item.get("id") if isinstance(item, dict) else None
        where = label(item)
        if not isinstance(repo_id, str) or repo_id.count("/") != 1 or "" in repo_id.split("/"):
            raise BadShape(f"{where}: field 'id' is not 'namespace/name'")
        if item.get("private") is True or repo_id in seen:
            continue
        seen.add(repo_id)
        namespace, _, name = repo_id.partition("/")
        if "downloads" not in item or "likes" not in item:
            raise BadShape(f"{where}: field {'downloads' if 'downloads' not in item else 'likes'!r} missing")
        columns["namespace"].append(namespace)
        columns["name"].append(name)
        columns["downloads_last_month"].append(counter(item["downloads"], "downloads", where))
        columns["likes"].append(counter(item["likes"], "likes", where))
        columns["created_at"].append(timestamp(item.get("createdAt"), "createdAt", where))
        if kind == "models":
            bases, relation = base_models(item.get("tags"))
            columns["base_models"].append(bases)
            columns["base_relation"].append(relation)
    return pl.DataFrame(columns, schema=_schema(kind))


def census(
    client: PlatformClient,
    kind: str,
    *,
    limit: int = PAGE_LIMIT,
    max_pages: int | None = None,
    sort: str | None = None,
    org: str = "(Hub census)",
) -> pl.DataFrame:
    """Every public model or dataset of the Hub (``kind`` "models" / "datasets") as rows of
    ``hf_census_models`` / ``hf_census_datasets`` (without ``month``).

    ``max_pages`` stops early (the probe's one small request; a head of the list with ``sort``, e.g.
    "downloads": the Hub sorts descending only). A pagination that repeats a page link, leaves the
    platform's origin or exceeds MAX_PAGES is an error naming the request."""
    url: str | None = f"/api/{kind}"
    params: Any = [
        ("limit", limit),
        *([("sort", sort)] if sort else []),
        *(("expand", e) for e in EXPAND[kind]),
    ]
    frames: list[pl.DataFrame] = []
    seen_items: set[str] = set()
    for resp, page in json_pages(client, url, params, org, max_pages=max_pages, most=MAX_PAGES):
        with client.checking(org, requested(resp)):
            frames.append(_page_frame(page, kind, seen_items))
    client.note(f"census of {kind}: {len(frames)} pages")
    return pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=_schema(kind))
