"""The Hugging Face collector against a local, rate-limited mock of the Hub on 127.0.0.1.

    .venv/bin/python bench/collector_throughput.py                   # 1000 req / 5 min, time x10, 50 ms
    .venv/bin/python bench/collector_throughput.py --time-scale 20 --detail 1500

The server enforces a fixed-window quota like the Hub's (``RateLimit-Policy: "fixed window";q=1000;
w=300``), answers every request after ``--latency-ms``, sends the Hub's ``RateLimit: "api";r=..;t=..``
header and a 429 with ``Retry-After`` once the window's quota is spent. Latency is not scaled, so keep
``quota / window * time_scale`` below ``concurrency / latency`` (4 / 50 ms = 80 req/s, less in practice)
or the client cannot reach the allowed rate whatever its limiter does. Time is scaled down: with
``--time-scale 10`` the 300 s window lasts 30 s and the client's limiter runs 10 times faster, so the
ratio between the two is the real one. The client is the production code path: ``PlatformClient`` with
the platform config of ``collectors.http`` (its rate set to the window's quota), ``huggingface.list_repos``
for listings (1000 per page, ``Link: rel=next``) and ``huggingface.children_count`` for detail calls, run
from a pool as wide as the configured concurrency.

Reported: achieved request rate as a fraction of the allowed rate (over whole windows), 429s received,
list calls per 1000 repos, and wall time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

sys.path.insert(0, str(ROOT))


class RateLimitedHub:
    """A threaded HTTP server with the Hub's list and detail endpoints and a fixed-window quota."""

    def __init__(self, repos: dict[str, int], quota: int, window_s: float, latency_s: float, page_cap: int):
        self.repos, self.quota, self.window, self.latency, self.page_cap = (
            repos,
            quota,
            window_s,
            latency_s,
            page_cap,
        )
        self.lock = threading.Lock()
        self.window_start = None  # the first request opens the first window
        self.used = 0
        self.log: list[tuple[float, int, str]] = []  # (monotonic time, status, kind)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.hub = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RateLimitedHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def admit(self, kind: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds to the window's reset) for one request arriving now."""
        with self.lock:
            now = time.monotonic()
            if self.window_start is None or now - self.window_start >= self.window:
                # Windows are aligned to the first request, back to back, like a fixed-window counter.
                if self.window_start is None:
                    self.window_start = now
                else:
                    self.window_start += self.window * math.floor((now - self.window_start) / self.window)
                self.used = 0
            reset = self.window - (now - self.window_start)
            allowed = self.used < self.quota
            if allowed:
                self.used += 1
            self.log.append((now, 200 if allowed else 429, kind))
            return allowed, self.quota - self.used, reset


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        hub: RateLimitedHub = self.server.hub
        split = urlsplit(self.path)
        pairs = parse_qsl(split.query)
        query = dict(pairs)
        time.sleep(hub.latency)
        kind = "list" if split.path in ("/api/models", "/api/datasets") else "detail"
        allowed, remaining, reset = hub.admit(kind)
        headers = {
            "RateLimit": f'"api";r={remaining};t={max(0, math.ceil(reset))}',
            "RateLimit-Policy": f'"fixed window";"api";q={hub.quota};w={math.ceil(hub.window)}',
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(reset)))
            return self._send(429, {"error": "rate limited"}, headers)
        if kind == "list":
            namespace = query["author"]
            total = hub.repos.get(namespace, 0)
            start = int(query.get("cursor", 0))
            size = min(hub.page_cap, int(query.get("limit", 1000)))
            page = [
                {
                    "_id": f"{namespace}-{i}",
                    "id": f"{namespace}/model-{i}",
                    "downloads": i % 997,
                    "likes": i % 13,
                }
                for i in range(start, min(total, start + size))
            ]
            if start + size < total:
                nxt = urlencode([(k, v) for k, v in pairs if k != "cursor"] + [("cursor", start + size)])
                headers["Link"] = f'<{hub.url}{split.path}?{nxt}>; rel="next"'
            return self._send(200, page, headers)
        repo = split.path.removeprefix("/api/models/")
        return self._send(200, {"_id": repo, "id": repo, "childrenModelCount": len(repo) % 7}, headers)

    def _send(self, status: int, payload, headers: dict[str, str]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)


def workload(namespaces: int, repos: int) -> dict[str, int]:
    """Repos per namespace, Zipf-like (a few orgs with thousands of repos, most with a handful)."""
    weights = [1 / (i + 1) ** 1.1 for i in range(namespaces)]
    scale = repos / sum(weights)
    counts = {f"org{i:03d}": max(1, round(w * scale)) for i, w in enumerate(weights)}
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quota", type=int, default=1000, help="requests per window (the Hub: 1000 / 5 min)")
    parser.add_argument("--window", type=float, default=300.0, help="window length in real-world seconds")
    parser.add_argument("--time-scale", type=float, default=10.0, help="how much faster than real time")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--namespaces", type=int, default=40)
    parser.add_argument("--repos", type=int, default=20_000, help="repos over all namespaces")
    parser.add_argument("--detail", type=int, default=2_000, help="per-repo detail calls (model-tree counts)")
    parser.add_argument("--page-cap", type=int, default=1000, help="the server's largest page")
    parser.add_argument(
        "--at-quota",
        action="store_true",
        help="limiter rate quota / window instead of the production sizing (quota - burst) / window "
        "(collectors.http.window_rate), to show the 429s the burst headroom prevents",
    )
    args = parser.parse_args()

    from leaderboard_pipeline.collectors import huggingface
    from leaderboard_pipeline.collectors.client import PlatformClient
    from leaderboard_pipeline.collectors.platforms import PLATFORMS, platform_config, window_rate

    window = args.window / args.time_scale
    allowed_rate = args.quota / window
    repos = workload(args.namespaces, args.repos)
    base = PLATFORMS["huggingface"]
    client_rate = allowed_rate if args.at_quota else window_rate(args.quota, window, base.burst)
    config = platform_config(
        "huggingface",
        rate=client_rate,
        # Waits the client takes from its own backoff are scaled too; server-given waits are real seconds.
        backoff_base=base.backoff_base / args.time_scale,
        backoff_cap=base.backoff_cap / args.time_scale,
    )
    with RateLimitedHub(repos, args.quota, window, args.latency_ms / 1000, args.page_cap) as hub:
        os.environ["HF_ENDPOINT"] = hub.url
        client = PlatformClient(config)
        listed: dict[str, list] = {}
        detail_ids: list[str] = []
        started = time.monotonic()
        with ThreadPoolExecutor(config.concurrency) as pool:
            for namespace, items in zip(
                repos,
                pool.map(lambda ns: huggingface.list_repos(client, "models", ns, ns), repos),
                strict=True,
            ):
                listed[namespace] = items
                detail_ids += [i["id"] for i in items]
            detail_ids = detail_ids[: args.detail]
            list(pool.map(lambda rid: huggingface.children_count(client, rid, rid.split("/")[0]), detail_ids))
        elapsed = time.monotonic() - started
        client.close()
        log = list(hub.log)

    served = [t for t, status, _ in log if status == 200]
    too_many = sum(1 for _, status, _ in log if status == 429)
    list_calls = sum(1 for _, status, kind in log if kind == "list" and status == 200)
    total_repos = sum(len(v) for v in listed.values())
    minimum = sum(math.ceil(len(v) / huggingface.PAGE_LIMIT) for v in listed.values())
    # Rate over whole windows only: the last, partial window would understate a client that is done.
    first = log[0][0] if log else 0.0
    whole = math.floor((served[-1] - first) / window) if served else 0
    in_whole = sum(1 for t in served if t - first < whole * window)
    achieved = in_whole / (whole * window) if whole else len(served) / elapsed
    print(
        f"collector throughput: quota {args.quota} / {args.window:.0f} s, time x{args.time_scale:g} "
        f"(window {window:.1f} s, allowed {allowed_rate:.1f} req/s), latency {args.latency_ms:.0f} ms, "
        f"client limiter {client_rate:.1f} req/s, concurrency {config.concurrency}, burst {config.burst}; "
        f"{machine()}"
    )
    print()
    rows = [
        ["requests served (2xx)", len(served)],
        ["429 answers received", too_many],
        ["client retries", client.counters.retries],
        ["whole windows measured", whole],
        ["achieved rate over whole windows (req/s)", f"{achieved:.1f}"],
        ["achieved / allowed rate", f"{achieved / allowed_rate:.1%}"],
        ["repos listed", total_repos],
        ["list calls", list_calls],
        ["list calls per 1000 repos", f"{list_calls / (total_repos / 1000):.2f}" if total_repos else "-"],
        ["fewest possible (sum of ceil(repos / 1000) per namespace)", minimum],
        ["namespaces (each needs >= 1 list call)", len(repos)],
        ["detail calls", len(detail_ids)],
        ["wall time (s, scaled)", f"{elapsed:.1f}"],
    ]
    print(table(["measure", "value"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
