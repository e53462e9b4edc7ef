"""OpenDataLab: datasets of one publisher (`createdBy` id).

No list-by-publisher API is documented, and the two sources of evidence disagree (docs/data-sources.md):

1. `POST /api/datasets/list` with a JSON body: the `opendatalab` SDK's `search_dataset`
   (`client/api.py`, 0.0.10) — `{"backend": false, "keywords": ..., "pageSize": 25, "state": ["online"]}`
   answered by `{"data": {"list": [...]}}` without any `code`; items carry `name`, `viewCount` and
   `attrs.{mediaTypes, taskTypes, publisher}`, each type a `{"name": {"en": ...}}` object.
2. `GET /api/datasets?createdBy=&pageNo=&pageSize=&sort=downloadCount`: our reading of the site's XHR
   behind `https://opendatalab.com/?createdBy=<id>&pageNo=&pageSize=12&sort=downloadCount`, answering
   `{"code": 200|0, "data": {"list": [...], "total": N}}` with top-level counters and `mediaTypes: [str]`.

Both are supported, the SDK's form first (it is in an official client); a form that does not answer its
first page (404 / 405 / HTML / not the shape) hands over to the next, and the manifest's `detail`
records which one answered. Counters may be display strings ("10.3k", "1.2w"): `parse_count`. Pages are
paged by `shape.paged`, so a server capping pages below our size (the site shows 12) loses nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, decode_json
from leaderboard_pipeline.collectors.shape import (
    BadShape,
    TooLarge,
    counter,
    label,
    optional,
    paged,
    require,
    rows_of,
    total_of,
    unwrap,
)
from leaderboard_pipeline.contract.untrusted import item_link

SITE = "https://opendatalab.com"
PAGE_SIZE = 25  # the SDK's size; the server may cap lower (the site pages by 12)
_SUFFIX = {"k": 1e3, "w": 1e4, "万": 1e4, "m": 1e6, "b": 1e9}


class NotAnswering(BadShape):
    """A list form whose first page is not there or not in shape: the next form is tried."""


@dataclass(frozen=True)
class ListForm:
    method: str
    path: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def request(self, created_by: str, page: int, size: int) -> dict[str, Any]:
        if self.method == "POST":
            body = {
                "backend": False,
                "keywords": "",
                "createdBy": int(created_by) if created_by.isdigit() else created_by,
                "pageNo": page,
                "pageSize": size,
                "sort": "downloadCount",
                "state": ["online"],
            }
            return {"json_body": body}
        params = [("createdBy", created_by), ("pageNo", page), ("pageSize", size), ("sort", "downloadCount")]
        return {"params": params}


FORMS = (ListForm("POST", "/api/datasets/list"), ListForm("GET", "/api/datasets"))


def parse_count(value: Any) -> int | None:
    """12, "1,234", "10.3k", "1.2w" / "1.2万" -> int; "", "-" and None -> None; a text too long for a
    count -> `TooLarge` (the counter check rejects it naming the field)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(",", "").lower()
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([kwmb万]?)", text)
    if not m:
        return None
    if len(m[1]) > 20:
        return TooLarge(m[1])
    return round(float(m[1]) * _SUFFIX.get(m[2], 1))


def fetch_page(
    client: PlatformClient, form: ListForm, created_by: str, org: str, page: int, size: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of a publisher's datasets in `form`: (items, total or None), every item checked.

    The first page of a form that is not there raises NotAnswering (so the next form can be tried)."""
    kwargs = form.request(created_by, page, size)
    resp = client.request(form.method, form.path, org=org, allow=(400, 404, 405), **kwargs)
    try:
        if resp.status_code in (400, 404, 405):
            raise BadShape(f"HTTP {resp.status_code}")
        data = unwrap(decode_json(resp), "envelope")
        rows = rows_of(data, ("list", "List", "records"), "data")
        for item in rows:
            check_item(item, created_by)
    except BadShape as exc:
        if page == 0:
            raise NotAnswering(str(exc)) from None
        raise
    return rows, total_of(data, ("total", "totalCount", "total_count"))


def check_item(item: Any, created_by: str) -> None:
    where = label(item)
    name = require(item, "name", where=where)
    if not isinstance(name, str) or not name.strip("/"):
        raise BadShape(f"{where}: field 'name' is not a dataset name")
    owner = optional(item, "createdBy", "created_by")
    if owner is not None and str(owner) != str(created_by):
        raise BadShape(f"{where}: listed for createdBy={created_by} but created by {owner}")
    _namespace(item, where)
    if "downloadCount" not in item and "downloadCount" not in _attrs(item):
        raise BadShape(f"{where}: field 'downloadCount' missing (neither on the item nor in attrs)")
    for key in ("downloadCount", "likeCount"):
        counter(_value(item, key), key, where, parse=parse_count)


def _attrs(item: dict[str, Any]) -> dict[str, Any]:
    return item.get("attrs") if isinstance(item.get("attrs"), dict) else {}


def _value(item: dict[str, Any], key: str) -> Any:
    """A field of the item, or of its `attrs` (where the SDK's form keeps file and type details)."""
    return item[key] if key in item else _attrs(item).get(key)


def _text(value: Any) -> str | None:
    """A name given as text, or as the SDK's `{"name": {"en": ..., "zh": ...}}` object."""
    if isinstance(value, dict):
        value = value.get("name", value)
        if isinstance(value, dict):
            value = value.get("en") or value.get("zh")
    return str(value).strip() if value not in (None, "") else None


def _namespace(item: dict[str, Any], where: str) -> tuple[str, str]:
    """(publisher, dataset): "<publisher>/<dataset>" names, else the item's publisher (a string, or the
    SDK's `attrs.publisher` objects). Never the numeric createdBy id: keys are `<namespace>/<name>`."""
    # the publisher is the first segment (a publisher name has no "/"; a dataset name might)
    namespace, _, name = str(item["name"]).strip("/").partition("/")
    if not name:
        namespace, name = "", namespace
    if not namespace:
        publisher = item.get("publisher") or _attrs(item).get("publisher")
        if isinstance(publisher, list):
            publisher = publisher[0] if publisher else None
        namespace = _text(publisher)
    if not namespace:
        raise BadShape(f"{where}: no publisher (neither '<publisher>/<name>' nor a 'publisher' field)")
    return namespace, name


def _types(item: dict[str, Any], key: str, prefix: str) -> list[str]:
    """Media / task types as the tags our label rules read (`modality:text`, `task_categories:...`)."""
    names = [_text(v) for v in _value(item, key) or []]
    return [f"{prefix}:{'-'.join(n.lower().split())}" for n in names if n]


def _record(item: dict[str, Any], org: str) -> dict[str, Any]:
    where = label(item)
    namespace, name = _namespace(item, where)
    return {
        "org": org,
        "namespace": namespace,
        "name": name,
        "total_downloads": counter(_value(item, "downloadCount"), "downloadCount", where, parse=parse_count),
        "likes": counter(_value(item, "likeCount"), "likeCount", where, parse=parse_count),
        "link": item_link(SITE, (), namespace, name),
        "tags": _types(item, "mediaTypes", "modality") + _types(item, "taskTypes", "task_categories"),
    }


def collect(
    client: PlatformClient, created_by: str, org: str, *, size: int = PAGE_SIZE, max_pages: int | None = None
) -> list[dict[str, Any]]:
    """Every dataset of publisher `created_by`, from the first list form that answers."""
    refusals = []
    for form in FORMS:
        last = {"what": client.describe(form.method, form.path)}

        def fetch(page: int, page_size: int, form=form, last=last) -> tuple[list, int | None]:
            last["what"] = f"{form.name} createdBy={created_by} pageNo={page}"
            if max_pages is not None and page >= max_pages:
                return [], None
            return fetch_page(client, form, created_by, org, page, page_size)

        try:
            items = paged(fetch, lambda r: str(r["name"]), first=0, size=size)
        except NotAnswering as exc:
            refusals.append(f"{form.name}: {exc}")
            continue
        except BadShape as exc:
            client.shape_fail(org, last["what"], str(exc))
        client.note(f"list: {form.name}")
        return [_record(i, org) for i in items]
    client.shape_fail(
        org, f"datasets of createdBy={created_by}", "no list form answered: " + "; ".join(refusals)
    )
