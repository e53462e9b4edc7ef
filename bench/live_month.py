"""A whole-registry live month against the mock ecosystem, paced at the platforms' published quotas.

    .venv/bin/python bench/live_month.py                  # all 32 registry orgs, with and without tokens
    .venv/bin/python bench/live_month.py --speed 20       # each platform at ~20 scaled requests / s

Reports per platform: requests and retries of one month, the limiter's pace (the published quota with
a token and without: `collectors.http.PLATFORMS`, `effective_rate`), and the wall time the month takes
at that pace. Time is scaled per platform so the run takes seconds, not hours: each platform's limiter
runs `k = speed / rate` times faster than its real rate, the server-side span of its requests is
measured, and multiplied by k. Platforms run in parallel (own pools and limiters), so the month takes
as long as its slowest platform. The mock answers after `--latency-ms` (not scaled: keep `speed` below
what the concurrency carries at that latency, 2 / 5 ms = 400 req/s here).

The mock's accounts are smaller than the real ones; the last table projects the Hugging Face figures
to the sizes of the published registry's 2025-08 crawl (platform-apis.md §1) with the share of models
this run asked a detail request for.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

sys.path.insert(0, str(ROOT))

TOKENS = ("HF_TOKEN", "MODELSCOPE_API_TOKEN", "GITHUB_TOKEN", "GITEE_TOKEN", "GITCODE_TOKEN")
# The published registry's 2025-08 crawl (platform-apis.md §1): HF models / datasets over 69 accounts.
REAL_HF = {"accounts": 69, "models": 7_196, "datasets": 2_078}
# The whole-Hub census (issue 19): ~2 M models and ~500 k datasets at 1000 a page (bench/census_cost.py)
HUB_PAGES = {"models": 2_000, "datasets": 500}


def _mock():
    import importlib.util

    path = ROOT / "leaderboard_pipeline_tests" / "collectors" / "mock_ecosystem.py"
    spec = importlib.util.spec_from_file_location("bench_mock_ecosystem", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_month(with_tokens: bool, speed: float, latency_ms: float) -> dict:
    """One month of the whole registry; per platform: requests, retries, real rate, real wall time."""
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
    with mock.MockEcosystem(latency_ms=latency_ms) as eco, mock.env_vars({**tokens, **eco.env()}):
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
        }
    detail = len({path for _, path, *_ in log if path.startswith("/hf/api/models/")})
    return {
        "platforms": rows,
        "scaled_elapsed": elapsed,
        "hf_models": tables["hf_models"].height,
        "hf_datasets": tables["hf_datasets"].height,
        "hf_detail_calls": detail,
        "hf_namespaces": sum(1 for _ in source.last_run["org"]),
    }


def _duration(seconds: float) -> str:
    from leaderboard_pipeline.collectors.progress import duration

    return duration(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speed", type=float, default=40.0, help="scaled requests per second per platform")
    parser.add_argument("--latency-ms", type=float, default=5.0)
    args = parser.parse_args()
    import logging

    logging.getLogger("leaderboard_pipeline.sources.live").setLevel(logging.WARNING)
    runs = {tokens: run_month(tokens, args.speed, args.latency_ms) for tokens in (True, False)}
    print(
        f"live month of the whole registry against the mock ecosystem, paced at the published quotas "
        f"(time scaled per platform to {args.speed:g} req/s, latency {args.latency_ms:g} ms); {machine()}"
    )
    print()
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
            ]
        )
    total_with = max(p["wall_s"] for p in with_t.values())
    total_without = max(p["wall_s"] for p in without.values())
    rows.append(
        [
            "month (platforms in parallel)",
            sum(p["requests"] for p in with_t.values()),
            sum(p["retries"] for p in with_t.values()),
            "",
            _duration(total_with),
            "",
            _duration(total_without),
        ]
    )
    print(
        table(["platform", "requests", "retries", "pace with tokens", "wall", "pace without", "wall"], rows)
    )
    print("(GitHub retries: the mock answers each repo's first /commits with 202, as /stats/* do for real)")
    print()
    run = runs[True]
    share = run["hf_detail_calls"] / run["hf_models"] if run["hf_models"] else 0.0
    # list calls: one per 1000 repos and kind per account (at least one each); detail calls: the share of
    # models this run asked about (large models with >= 50 downloads and no list field for the count)
    per_kind = [REAL_HF["models"] / REAL_HF["accounts"], REAL_HF["datasets"] / REAL_HF["accounts"]]
    lists = REAL_HF["accounts"] * sum(max(1, math.ceil(n / 1000)) for n in per_kind)
    details = round(share * REAL_HF["models"])
    hf = with_t["huggingface"]
    census = sum(HUB_PAGES.values())
    real_with = (lists + details + census) / (hf["rate_per_h"] / 3600)
    real_without = (lists + details + census) / (without["huggingface"]["rate_per_h"] / 3600)
    print(
        table(
            ["Hugging Face at the published registry's size", "value"],
            [
                ["models / datasets in the mock month", f"{run['hf_models']} / {run['hf_datasets']}"],
                [
                    "detail requests in the mock month (share of models)",
                    f"{run['hf_detail_calls']} ({share:.0%})",
                ],
                [
                    "2025-08 crawl: accounts, models, datasets",
                    f"{REAL_HF['accounts']}, {REAL_HF['models']:,}, {REAL_HF['datasets']:,}",
                ],
                [
                    "projected requests: list + detail + whole-Hub census",
                    f"{lists} + {details} + {census:,} = {lists + details + census:,}",
                ],
                [
                    "projected wall with HF_TOKEN / anonymous",
                    f"{_duration(real_with)} / {_duration(real_without)}",
                ],
            ],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
