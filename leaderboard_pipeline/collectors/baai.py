"""BAAI data platform: the internal JSON search endpoint the reference crawler used (2025-09).

Undocumented and moved once already (platform-apis.md §7), hence this single function. Anonymous first;
`BAAI_TOKEN` (bearer) only if that ever fails. Offset/limit paging until `offset >= total`.
"""

from __future__ import annotations

from typing import Any

from leaderboard_pipeline.collectors.http import PlatformClient

SITE = "https://data.baai.ac.cn"
PATH = "/api/datahub/search/v1/getAllDataset"
LIMIT = 1000


def collect(client: PlatformClient, namespace: str, org: str) -> list[dict[str, Any]]:
    records, offset = [], 0
    while True:
        body = {
            "limit": LIMIT,
            "offset": offset,
            "datasetName": "",
            "startTime": None,
            "endTime": None,
            "orderBy": "5",
        }
        resp = client.request("POST", PATH, org=org, json_body=body)
        payload = client.parse_json(resp, org)
        what = f"POST {resp.request.url} offset={offset}"
        if (
            not isinstance(payload, dict)
            or payload.get("code") != 0
            or not isinstance(payload.get("data"), dict)
        ):
            client.fail(org, what, f"unexpected envelope: {str(payload)[:160]}")
        rows = payload["data"].get("list") or []
        total = int(payload["data"].get("total") or 0)
        for row in rows:
            if row.get("deleted"):
                continue
            records.append(
                {
                    "org": org,
                    "namespace": namespace,
                    "name": row["uriName"],
                    "total_downloads": row.get("downloadNumb"),
                    "likes": row.get("subscribedNumb"),  # the reference's "likes"
                    "link": f"{SITE}/datadetail/{row['uriName']}",
                    "tags": [str(t) for t in row.get("tags") or []],
                }
            )
        offset += len(rows)
        if not rows or offset >= total:
            return records
