"""OpenDataLab: datasets of one publisher (`createdBy` id).

No list-by-publisher API is documented (platform-apis.md §6). This is our best reading of the site's
XHR behind `https://opendatalab.com/?createdBy=<id>&pageNo=&pageSize=&sort=downloadCount`:
`GET /api/datasets?createdBy=&pageNo=&pageSize=&sort=downloadCount` answering
`{"code": 200|0, "data": {"list": [...], "total": N}}`. It is UNVERIFIED until someone with network
records it; when it differs, this function is the one place to fix. Counters may arrive as display
strings ("10.3k", "1.2w"), so they go through `parse_count`.
"""

from __future__ import annotations

import re
from typing import Any

from leaderboard_pipeline.collectors.http import PlatformClient

SITE = "https://opendatalab.com"
PATH = "/api/datasets"
PAGE_SIZE = 50
_SUFFIX = {"k": 1e3, "w": 1e4, "万": 1e4, "m": 1e6, "b": 1e9}


def parse_count(value: Any) -> int | None:
    """12, "1,234", "10.3k", "1.2w" / "1.2万" -> int; "", "-" and None -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip().replace(",", "").lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kwmb万]?)", text)
    if not m:
        return None
    return round(float(m[1]) * _SUFFIX.get(m[2], 1))


def collect(client: PlatformClient, created_by: str, org: str) -> list[dict[str, Any]]:
    records, page = [], 0
    while True:
        params = [
            ("createdBy", created_by),
            ("pageNo", page),
            ("pageSize", PAGE_SIZE),
            ("sort", "downloadCount"),
        ]
        body = client.get_json(PATH, org=org, params=params)
        if (
            not isinstance(body, dict)
            or body.get("code") not in (0, 200)
            or not isinstance(body.get("data"), dict)
        ):
            client.fail(org, client.describe("GET", PATH, params), f"unexpected envelope: {str(body)[:160]}")
        rows = body["data"].get("list") or []
        total = int(body["data"].get("total") or 0)
        for row in rows:
            # Names are "<publisher>/<dataset>" on the site; the bare name when the publisher is implicit.
            namespace, _, name = str(row.get("name", "")).rpartition("/")
            namespace = namespace or str(row.get("publisher") or created_by)
            records.append(
                {
                    "org": org,
                    "namespace": namespace,
                    "name": name,
                    "total_downloads": parse_count(row.get("downloadCount")),
                    "likes": parse_count(row.get("likeCount")),
                    "link": f"{SITE}/{namespace}/{name}",
                    "tags": [str(t) for t in row.get("mediaTypes") or []],
                }
            )
        page += 1
        if len(rows) < PAGE_SIZE or page * PAGE_SIZE >= total:
            return records
