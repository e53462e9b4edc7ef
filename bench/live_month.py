"""A whole-registry live month against the mock ecosystem, paced at the platforms' published quotas.

    .venv/bin/python bench/live_month.py                  # all 32 registry orgs, with and without tokens
    .venv/bin/python bench/live_month.py --speed 20       # each platform at ~20 scaled requests / s
    .venv/bin/python bench/live_month.py --published 2025-08-07 --published-speed 200   # (the default)
    .venv/bin/python bench/live_month.py --published none # only the mock's own small month

Reports per platform: requests and retries of one month, the limiter's pace (the published quota with
a token and without: `collectors.platforms.PLATFORMS`, `effective_rate`), and the wall time the month
takes at that pace. Time is scaled per platform so the run takes seconds, not hours: each platform's
limiter runs `k = speed / rate` times faster than its real rate, the server-side span of its requests
is measured, and multiplied by k. Platforms run in parallel (own pools and limiters), so the month takes
as long as its slowest platform. The mock answers after `--latency-ms` (not scaled: keep `speed` below
what the concurrency carries at that latency, 4 / 5 ms = 800 req/s for the Hub here; the achieved pace
is printed, and a pace below the configured one makes the wall figures pessimistic, never optimistic).

Two months are measured. The mock's own month (its accounts are small: 4 items a list page) shows
every platform. The published month (`--published`, default the archive's 2025-08-07, served by
`PublishedMonthEcosystem`: the registry's real item counts, 7,196 Hub models and 1,376 datasets of the
registry's accounts, the real 1000-item pages and the published counts) gives the Hub's real request
count with the per-item calls of issue 16 (discussions, model trees, dataset usage), broken down by
endpoint, next to what the collector asked before issue 16 (lists, and model trees of large models with
>= 50 downloads, the published labels standing in for our label rules).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

sys.path.insert(0, str(ROOT))

TOKENS = ("HF_TOKEN", "MODELSCOPE_API_TOKEN", "GITHUB_TOKEN", "GITEE_TOKEN", "GITCODE_TOKEN")
# The whole-Hub census (issue 19): ~2 M models and ~500 k datasets at 1000 a page (bench/census_cost.py)
HUB_PAGES = {"models": 2_000, "datasets": 500}


def _mock():
    import importlib.util

    path = ROOT / "leaderboard_pipeline_tests" / "collectors" / "mock_ecosystem.py"
    spec = importlib.util.spec_from_file_location("bench_mock_ecosystem", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_month(with_tokens: bool, speed: float, latency_ms: float, published: str | None = None) -> dict:
    """One month of the whole registry; per platform: requests, retries, real rate, real wall time.
    `published`: a dated folder of the archive served by PublishedMonthEcosystem instead of the mock's
    own month."""
    from leaderboard_pipeline.collectors.platforms import PLATFORMS, effective_rate
    from leaderboard_pipeline.sources.live import LiveSource

    mock = _mock()
    # only a token's presence matters here: the limiter's quota and the auth header
    tokens = dict.fromkeys(TOKENS, "bench-token" if with_tokens else None)
    scale, settings = {}, {}
    for key, config in PLATFORMS.items():
        real = effective_rate(config, with_tokens)
        scale[key] = speed / real
        settings[key] = {
            "rate": speed,
            "backoff_base": config.backoff_base / scale[key],
            "backoff_cap": config.backoff_cap / scale[key],
        }
    eco = mock.PublishedMonthEcosystem(published, latency_ms=latency_ms) if published else None
    with eco or mock.MockEcosystem(latency_ms=latency_ms) as eco, mock.env_vars({**tokens, **eco.env()}):
        source = LiveSource(ROOT / "data" / "registry" / "orgs.yaml", None, "off", platform_settings=settings)
        started = time.monotonic()
        tables = source.read_month(source.months()[0])
        elapsed = time.monotonic() - started
        log = list(eco.log)
    rows = {}
    for key, config in PLATFORMS.items():
        prefix = f"/{mock.PREFIX_OF[key]}/"
        times = sorted(t for _, path, _, t in log if path.startswith(prefix))
        span = (times[-1] - times[0]) if len(times) > 1 else 0.0
        counts = source.last_run["platform"][key]
        rows[key] = {
            "name": config.name,
            "requests": counts["requests"],
            "retries": counts["retries"],
            "rate_per_h": effective_rate(config, with_tokens) * 3600,
            "wall_s": span * scale[key],
            "achieved": (len(times) - 1) / span / speed if span else 1.0,  # share of the configured pace
        }
    paths = [path for _, path, *_ in log if path.startswith("/hf/")]
    discussions = sum(1 for p in paths if p.endswith("/discussions"))
    detail = sum(1 for p in paths if p.startswith("/hf/api/models/") and not p.endswith("/discussions"))
    dataset_lists = sum(1 for p in paths if p == "/hf/api/datasets")
    # /api/models answers both the model listings and the usage listings (filter=dataset:): the usage
    # ones are the hf_datasets table's requests that are not dataset listings
    usage = source.last_run["table"]["hf_datasets"]["requests"] - dataset_lists
    model_lists = sum(1 for p in paths if p == "/hf/api/models") - usage
    models = tables["hf_models"]
    return {
        "platforms": rows,
        "scaled_elapsed": elapsed,
        "hf_models": models.height,
        "hf_models_asked": models.filter(models["community"].is_not_null()).height,
        "hf_datasets": tables["hf_datasets"].height,
        "hf_calls": {
            "lists": model_lists + dataset_lists,
            "discussions": discussions,
            "model trees": detail,
            "dataset usage": usage,
        },
        "hf_namespaces": sum(1 for _ in source.last_run["org"]),
        "published": eco.published if published else None,
    }


def _duration(seconds: float) -> str:
    from leaderboard_pipeline.collectors.progress import duration

    return duration(seconds)


def _platform_table(runs: dict[bool, dict]) -> str:
    with_t, without = runs[True]["platforms"], runs[False]["platforms"]
    rows = []
    for key in with_t:
        a, b = with_t[key], without[key]
        rows.append(
            [
                a["name"],
                a["requests"],
                a["retries"],
                f"{a['rate_per_h']:,.0f} / h",
                _duration(a["wall_s"]),
                f"{b['rate_per_h']:,.0f} / h",
                _duration(b["wall_s"]),
                f"{min(a['achieved'], b['achieved']):.0%}",
            ]
        )
    rows.append(
        [
            "month (platforms in parallel)",
            sum(p["requests"] for p in with_t.values()),
            sum(p["retries"] for p in with_t.values()),
            "",
            _duration(max(p["wall_s"] for p in with_t.values())),
            "",
            _duration(max(p["wall_s"] for p in without.values())),
            "",
        ]
    )
    headers = [
        "platform",
        "requests",
        "retries",
        "pace with tokens",
        "wall",
        "pace without",
        "wall",
        "pace kept",
    ]
    return table(headers, rows)


def _before_trees(published) -> int:
    """Model trees the collector asked before issue 16: large models (our label rules; the published
    labels stand in for them, the mock serves no tags) with >= 50 monthly downloads."""
    import json

    labels = json.loads((published.archive / "config" / "model-info.json").read_text())
    return sum(
        1
        for r in published.rows["hf_models"]
        if r["downloads_last_month"] >= 50
        and (labels.get(f"{r['repo']}/{r['model_name']}") or {}).get("is_large_model")
    )


def _hub_table(run: dict, rates: dict[str, float]) -> str:
    """The Hub's requests of the published month by endpoint, before and after issue 16, and the time
    they take at the real quotas (the Hub paces the month with tokens)."""
    calls = run["hf_calls"]
    before = {"lists": calls["lists"], "model trees": _before_trees(run["published"])}
    after = dict(calls)
    every = {
        "lists": calls["lists"],
        "discussions": run["hf_models"],
        "model trees": run["hf_models"],
        "dataset usage": calls["dataset usage"],
    }
    rows = []
    for label, counts in (
        ("before issue 16: lists + model trees of large models >= 50 downloads", before),
        (
            "after: lists + discussions and model tree of every model >= 50 downloads + usage of every dataset",
            after,
        ),
        ("not chosen: the same for every model (no threshold)", every),
        (
            "after, with the whole-Hub census (issue 19: ~2 M models, ~500 k datasets, 1000 a page)",
            {**after, "census pages": sum(HUB_PAGES.values())},
        ),
    ):
        total = sum(counts.values())
        parts = " + ".join(f"{v:,} {k}" for k, v in counts.items())
        rows.append(
            [label, parts, total, _duration(total / rates["token"]), _duration(total / rates["anonymous"])]
        )
    return table(
        ["Hugging Face, one month", "requests by endpoint", "total", "with HF_TOKEN", "anonymous"], rows
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speed", type=float, default=40.0, help="scaled requests per second per platform")
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument(
        "--published", default="2025-08-07", help="dated folder of the archive to serve ('none': skip it)"
    )
    parser.add_argument(
        "--published-speed", type=float, default=200.0, help="scaled requests / s in the published month"
    )
    args = parser.parse_args()
    import logging

    from leaderboard_pipeline.collectors.platforms import PLATFORMS, effective_rate

    logging.getLogger("leaderboard_pipeline.sources.live").setLevel(logging.WARNING)
    print(
        f"live month of the whole registry against the mock ecosystem, paced at the published quotas "
        f"(latency {args.latency_ms:g} ms); {machine()}"
    )
    print()
    runs = {tokens: run_month(tokens, args.speed, args.latency_ms) for tokens in (True, False)}
    print(f"The mock's own month (small accounts), time scaled per platform to {args.speed:g} req/s:")
    print()
    print(_platform_table(runs))
    print("(GitHub retries: the mock answers each repo's first /commits with 202, as /stats/* do for real)")
    if args.published.lower() == "none":
        return 0
    print()
    pub = {
        tokens: run_month(tokens, args.published_speed, args.latency_ms, published=args.published)
        for tokens in (True, False)
    }
    run = pub[True]
    print(
        f"The published month {args.published} served by the mock (PublishedMonthEcosystem: "
        f"{run['hf_models']:,} Hub models of which {run['hf_models_asked']:,} with >= 50 monthly downloads, "
        f"{run['hf_datasets']:,} datasets, in {run['hf_namespaces']} orgs), time scaled to "
        f"{args.published_speed:g} req/s:"
    )
    print()
    print(_platform_table(pub))
    print()
    hub = PLATFORMS["huggingface"]
    rates = {"token": effective_rate(hub, True), "anonymous": effective_rate(hub, False)}
    print(_hub_table(run, rates))
    print()
    print(
        "Earlier projection (docs/data-sources.md, before issue 16): about 138 list + 3,275 model-tree "
        "requests = 3,413, about 17 min with HF_TOKEN."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
