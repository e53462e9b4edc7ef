"""BAAI data platform: the internal JSON search endpoint the reference crawler used (2025-09).

Undocumented and moved once already (platform-apis.md §7), hence this single module. The only public
client (OSIR-LMTS `oslm_crawler/crawler/baai_data.py`) never reads a `code`, so none is required (one
that says failure is an error). Anonymous first; when access is refused (HTTP 401 / 403, or a `code`
of 401 / 403), the HTTP layer switches to `BAAI_TOKEN` (bearer) or `BAAI_COOKIE` (the session cookie)
from the environment, or fails saying to set one. Offset/limit paging until `offset >= total`.
"""

from __future__ import annotations

from typing import Any

from leaderboard_pipeline.collectors.client import PlatformClient, requested
from leaderboard_pipeline.collectors.shape import BadShape, counter, label, require, rows_of, total_of, unwrap
from leaderboard_pipeline.contract.untrusted import item_link

SITE = "https://data.baai.ac.cn"
PATH = "/api/datahub/search/v1/getAllDataset"
LIMIT = 1000
_REFUSED = (401, 403, "401", "403")


def _body(offset: int, limit: int) -> dict[str, Any]:
    return {
        "limit": limit,
        "offset": offset,
        "datasetName": "",
        "startTime": None,
        "endTime": None,
        "orderBy": "5",
    }


def fetch_page(client: PlatformClient, org: str, offset: int, limit: int = LIMIT) -> tuple[list, int | None]:
    """One page from `offset`: (items, total), every item checked."""
    while True:
        resp = client.request("POST", PATH, org=org, json_body=_body(offset, limit))
        payload = client.parse_json(resp, org)
        what = f"{requested(resp)} offset={offset}"
        if isinstance(payload, dict) and payload.get("code") in _REFUSED:  # refused inside a 200
            if client.use_credentials():
                continue
            client.refused(
                org, what, f"code={payload['code']}: {payload.get('message') or payload.get('msg')}"
            )
        with client.checking(org, what):
            data = unwrap(payload, "envelope")
            rows = rows_of(data, ("list", "List", "records"), "data")
            for row in rows:
                check_item(row)
            return rows, total_of(data, ("total", "totalCount"))


def check_item(row: Any) -> None:
    where = label(row)
    uri = require(row, "uriName", where=where)
    if not isinstance(uri, str) or not uri:
        raise BadShape(f"{where}: field 'uriName' is not a name")
    counter(require(row, "downloadNumb", where=where), "downloadNumb", where)
    counter(row.get("subscribedNumb"), "subscribedNumb", where)


def collect(
    client: PlatformClient, namespace: str, org: str, *, limit: int = LIMIT, max_pages: int | None = None
) -> list[dict[str, Any]]:
    records, seen, offset, pages = [], set(), 0, 0
    while max_pages is None or pages < max_pages:
        rows, total = fetch_page(client, org, offset, limit)
        pages += 1
        new = [r for r in rows if r["uriName"] not in seen]
        if rows and not new:  # `offset` counting pages, not rows, would show up here: say so, never loop
            client.shape_fail(
                org,
                f"POST {PATH} offset={offset}",
                "page repeats earlier items only: offset is not a row offset",
            )
        for row in new:
            seen.add(row["uriName"])
            if row.get("deleted"):
                continue
            where = label(row)
            records.append(
                {
                    "org": org,
                    "namespace": namespace,
                    "name": row["uriName"],
                    "total_downloads": counter(row["downloadNumb"], "downloadNumb", where),
                    "likes": counter(row.get("subscribedNumb"), "subscribedNumb", where),  # reference "likes"
                    "link": item_link(SITE, ("datadetail",), row["uriName"]),
                    "tags": [str(t) for t in row.get("tags") or []],
                }
            )
        offset += len(rows)
        if not rows or (total is not None and offset >= total):
            break
    return records
