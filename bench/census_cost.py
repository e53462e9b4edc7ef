"""What the monthly whole-Hub census costs at the real quota, and whether a head of the list would do.

    .venv/bin/python bench/census_cost.py                   # projections + head analysis at scale 0.25
    .venv/bin/python bench/census_cost.py --scale 1         # the head analysis on 2 M models

1. **Cost of a full pass.** Pages: ceil(items / page size) for the Hub's ~2 M models and ~500 k
   datasets, at the 1000 items a page we ask for and at 500 (what huggingface.js asks; the server's cap is
   undocumented, so the collector follows ``Link`` whatever it serves). Requests at the quota
   (collectors/platforms.py: 1000 / 5 min with HF_TOKEN, 500 / 5 min anonymous) together with the
   registry's own Hugging Face requests (docs/data-sources.md: ~3,413 at the published registry's size).
   A cursor chain is sequential: its wall time is at least pages x (server time + transfer + our
   parsing). Our parsing is measured here (the census collector on realistic 1000-item pages through
   the real PlatformClient and an in-process transport); the server's time per page cannot be measured
   offline, so it is a stated assumption (``--page-seconds``, several values).
2. **Is a head of the list by downloads enough?** On the synthetic census of ``synthetic_scale.py`` (the
   same heavy-tailed downloads, derivative trees), each use computed from the first K models by downloads
   (``sort=downloads``, descending: the Hub sorts no other way) against the full census.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

sys.path.insert(0, str(ROOT))

HUB = {"models": 2_000_000, "datasets": 500_000}  # public items on the Hub, order of magnitude (2025)
REGISTRY_HF_REQUESTS = 3_413  # the registry's own HF listing + detail requests (docs/data-sources.md)
QUOTA = {"with HF_TOKEN": 1000 / 300, "anonymous": 500 / 300}  # requests per second
TAGS = [
    "transformers",
    "safetensors",
    "llama",
    "text-generation",
    "conversational",
    "en",
    "zh",
    "arxiv:2407.21783",
    "license:apache-2.0",
    "autotrain_compatible",
    "text-generation-inference",
    "endpoints_compatible",
    "region:us",
]


def _page(n: int, page: int) -> list[dict]:
    rng = np.random.default_rng(page)
    out = []
    for i in range(n):
        rid = f"user{rng.integers(0, 400_000)}/model-{page}-{i}-Instruct-GGUF"
        tags = [
            *TAGS,
            *(
                ["base_model:meta-llama/Llama-3.1-8B", "base_model:quantized:meta-llama/Llama-3.1-8B"]
                if i % 3 == 0
                else []
            ),
        ]
        out.append(
            {
                "_id": f"{page:012x}{i:012x}",
                "id": rid,
                "likes": int(rng.integers(0, 50)),
                "private": False,
                "downloads": int(rng.integers(0, 5000)),
                "tags": tags,
                "createdAt": "2025-03-01T10:00:00.000Z",
            }
        )
    return out


def client_seconds_per_page(pages: int = 30, size: int = 1000) -> tuple[float, int]:
    """Seconds our client spends per census page (request through PlatformClient, JSON decoding, checks,
    compact rows), and the bytes of one page, on an in-process transport (no network, no server)."""
    from leaderboard_pipeline.collectors import hf_census
    from leaderboard_pipeline.collectors.client import PlatformClient
    from leaderboard_pipeline.collectors.platforms import platform_config

    bodies = [json.dumps(_page(size, p)).encode() for p in range(pages)]

    def handler(request: httpx.Request) -> httpx.Response:
        i = int(request.url.params.get("cursor", 0))
        headers = (
            {"Link": f'<https://hub.test/api/models?cursor={i + 1}>; rel="next"'} if i + 1 < pages else {}
        )
        return httpx.Response(200, content=bodies[i], headers={"content-type": "application/json", **headers})

    config = platform_config("huggingface", default_url="https://hub.test", url_env=(), rate=1e6, burst=100)
    client = PlatformClient(config, transport=httpx.MockTransport(handler))
    started = time.perf_counter()
    frame = hf_census.census(client, "models")
    seconds = time.perf_counter() - started
    assert frame.height == pages * size
    return seconds / pages, len(bodies[0])


def projections(per_page: float, page_seconds: list[float]) -> list[list]:
    rows = []
    for size in (1000, 500):
        pages = {k: math.ceil(v / size) for k, v in HUB.items()}
        total = REGISTRY_HF_REQUESTS + sum(pages.values())
        for label, rate in QUOTA.items():
            quota_s = total / rate
            for server in page_seconds:
                chain = pages["models"] * (server + per_page)  # datasets run beside it, shorter
                rows.append(
                    [
                        size,
                        f"{pages['models']:,} + {pages['datasets']:,}",
                        f"{total:,}",
                        label,
                        f"{quota_s / 60:.0f} min",
                        f"{server:g} s",
                        f"{chain / 60:.0f} min",
                        f"{max(quota_s, chain) / 60:.0f} min",
                    ]
                )
    return rows


def head_analysis(scale: float, seed: int) -> list[list]:
    """Each use computed from the head of the list by downloads against the full census."""
    from synthetic_scale import MONTH, generate

    from leaderboard_pipeline.config.profiles import load_profile
    from leaderboard_pipeline.core.census import candidates, census_orgs

    raw = generate(scale, seed)
    models, datasets, registry = raw["hf_census_models"], raw["hf_census_datasets"], raw["org_registry"]
    profile = load_profile("methodology")
    floor = profile.cleaning.min_model_downloads
    full = census_orgs(models, datasets, registry, MONTH, profile)
    # every owner ranked (the synthetic registry has thousands of orgs above any account)
    full_top = _top(candidates(models, datasets, registry, MONTH, profile, pool=10**9))
    ordered = models.sort("downloads_last_month", descending=True, maintain_order=True)
    above = int((models["downloads_last_month"] >= floor).sum())
    rows = []
    heads = [
        ("1 %", 0.01),
        ("5 %", 0.05),
        ("10 %", 0.10),
        (f">= {floor} downloads", above / models.height),
        ("25 %", 0.25),
    ]
    for label, share in heads:
        k = max(1, round(models.height * share))
        head = ordered.head(k)
        part = census_orgs(head, datasets, registry, MONTH, profile)
        both = full.join(part, on="org", suffix="_head")
        top = _top(candidates(head, datasets, registry, MONTH, profile, pool=10**9))
        rows.append(
            [
                f"{label} ({k:,} models, {math.ceil(k / 1000):,} pages)",
                f"{head['downloads_last_month'].sum() / models['downloads_last_month'].sum():.4f}",
                _ratio(both, "models"),
                _ratio(both, "derivative_models"),
                _ratio(both, "derivative_downloads"),
                f"{len(full_top & top)}/{len(full_top)}",
            ]
        )
    return rows


def _top(frame: pl.DataFrame, n: int = 10) -> set[str]:
    """The n best-ranked accounts outside the registry (model dimension)."""
    rows = frame.filter((pl.col("dimension") == "model") & pl.col("org").is_null()).sort("rank", "owner")
    return set(rows["owner"].head(n).to_list())


def _ratio(both: pl.DataFrame, column: str) -> str:
    whole = both[column].sum()
    return f"{both[f'{column}_head'].sum() / whole:.3f}" if whole else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.25, help="synthetic census for the head analysis")
    parser.add_argument("--seed", type=int, default=20250807)
    parser.add_argument("--page-seconds", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    args = parser.parse_args()
    print(f"census cost; {machine()}\n")
    per_page, size = client_seconds_per_page()
    print(
        f"our client per 1000-item page (request, decode, checks, rows): {per_page * 1000:.0f} ms; {size / 1e6:.2f} MB a page\n"
    )
    headers = [
        "page size",
        "pages (models + datasets)",
        "HF requests a month",
        "quota",
        "at the quota",
        "server a page",
        "models chain",
        "month (HF)",
    ]
    print(table(headers, projections(per_page, args.page_seconds)))
    print(f"\nhead of the list by downloads vs the full census (synthetic, scale {args.scale}):\n")
    headers = [
        "head",
        "share of Hub downloads",
        "org models (>= floor)",
        "derivative models",
        "derivative downloads",
        "the 10 best accounts outside the registry",
    ]
    print(table(headers, head_analysis(args.scale, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
