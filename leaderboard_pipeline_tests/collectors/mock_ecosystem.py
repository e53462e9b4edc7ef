"""A fake ecosystem of all six platforms on 127.0.0.1, for end-to-end tests and the demo cassettes.

Every namespace / repo gets deterministic, plausible fake data derived from its name, so any registry can
be served, and `expected_rows` says how many records a complete collection must produce. Faults are
injectable: latency, a share of 5xx answers, a burst of 429s with Retry-After, one slow answer that trips
the client's read timeout, and permanent failures for chosen paths.

Record the demo month (run from the repo root):

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py record-demo

Measure requests per org / snapshot and the achieved request rate (all 32 registry orgs):

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py measure [rate]
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

DEMO_ORGS = ["BAAI", "ShanghaiAILab", "Ali", "Meta", "Google", "Baidu"]
PREFIXES = {
    "hf": "HF_ENDPOINT",
    "ms": "MODELSCOPE_ENDPOINT",
    "gh": "GITHUB_API_URL",
    "odl": "LEADERBOARD_OPENDATALAB_URL",
    "baai": "LEADERBOARD_BAAI_URL",
    "gitee": "LEADERBOARD_GITEE_URL",
    "gitcode": "LEADERBOARD_GITCODE_URL",
}
HF_PAGE = 4  # the mock's own page cap, far below the requested limit=1000, so paging is exercised
BAAI_PAGE = 3


def _n(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % mod


_MODEL_KINDS = [
    # name template, pipeline tag, library, tags, parameters
    ("{ns}-LM-7B-Instruct", "text-generation", "transformers", ["llama", "conversational"], 7_615_616_512),
    ("{ns}-LM-135M", "text-generation", "transformers", ["llama"], 134_515_008),
    ("{ns}-embed-m3", "feature-extraction", "sentence-transformers", ["xlm-roberta"], 567_754_752),
    ("{ns}-VL-2B", "image-text-to-text", "transformers", ["qwen2_vl"], 2_208_985_600),
    ("{ns}-asr-large", "automatic-speech-recognition", "transformers", ["whisper"], 1_543_490_560),
    ("{ns}-bert-base", "fill-mask", "transformers", ["bert"], 110_000_000),
    ("{ns}-seg-vit", "image-segmentation", "transformers", ["vit"], None),
    ("{ns}-protein-esm", None, "transformers", ["esm", "protein"], 650_000_000),
]
# Licences as the Hub tags them (`license:<id>`; None: the card names none), and dataset domain tags.
_LICENCES = ["apache-2.0", "mit", "llama3.1", "other", "cc-by-nc-4.0", "gemma", None, "apache-2.0"]
_DOMAIN_TAGS = ["medical", "finance", "legal", "code", "math", "chemistry", None, None]
_DATASET_KINDS = [
    ("{ns}-pretrain-corpus", ["modality:text", "task_categories:text-generation"]),
    ("{ns}-instruct-sft", ["modality:text", "task_categories:question-answering"]),
    ("{ns}-vqa-bench", ["modality:image", "modality:text"]),
    ("{ns}-dpo-pairs", ["modality:text"]),
]


def _licence_tag(rid: str) -> list[str]:
    licence = _LICENCES[_n(rid + "lic", len(_LICENCES))]
    return [f"license:{licence}"] if licence else []


def hf_models(ns: str) -> list[dict]:
    items = []
    for i in range(2 + _n(ns, 6)):
        tmpl, tag, lib, tags, params = _MODEL_KINDS[(i + _n(ns, 8)) % len(_MODEL_KINDS)]
        name = tmpl.format(ns=ns) + (f"-v{i}" if i >= len(_MODEL_KINDS) else "")
        rid = f"{ns}/{name}"
        item = {
            "_id": hashlib.md5(rid.encode()).hexdigest()[:24],
            "id": rid,
            "author": ns,
            "createdAt": "2024-05-01T10:00:00.000Z",
            "lastModified": "2025-02-01T10:00:00.000Z",
            "downloads": 10 + _n(rid, 200_000) * (i % 3),
            "downloadsAllTime": 1000 + _n(rid, 2_000_000),
            "likes": _n(rid + "l", 900),
            "pipeline_tag": tag,
            "library_name": lib,
            "tags": [*tags, lib, *_licence_tag(rid), "region:us"],
            "private": False,
            "safetensors": {"parameters": {"BF16": params}, "total": params} if params else None,
            "gated": "manual" if _n(rid + "g", 5) == 0 else False,
        }
        items.append(item)
    # One private repo per account: what a token would expose; the collector must drop it.
    items.append(
        {**items[0], "_id": "p" + items[0]["_id"][1:], "id": f"{ns}/internal-private", "private": True}
    )
    return items


def hf_datasets(ns: str) -> list[dict]:
    out = []
    for i in range(_n(ns + "/ds", 4)):
        tmpl, tags = _DATASET_KINDS[i]
        rid = f"{ns}/{tmpl.format(ns=ns)}"
        out.append(
            {
                "_id": hashlib.md5(rid.encode()).hexdigest()[:24],
                "id": rid,
                "author": ns,
                "createdAt": "2024-06-01T00:00:00.000Z",
                "lastModified": "2025-01-01T00:00:00.000Z",
                "downloads": _n(rid, 50_000),
                "downloadsAllTime": _n(rid, 50_000) + 100_000,
                "likes": _n(rid + "l", 300),
                "tags": [*tags, *filter(None, [_DOMAIN_TAGS[_n(rid + "dom", len(_DOMAIN_TAGS))]])],
                "private": False,
            }
        )
    return out


def ms_repos(kind: str, ns: str) -> list[dict]:
    count = (
        55 if (ns, kind) == ("Qwen", "models") else (1 + _n(ns, 5) if kind == "models" else _n(ns + "d", 3))
    )
    out = []
    for i in range(count):
        tmpl, tag, lib, tags, params = _MODEL_KINDS[i % len(_MODEL_KINDS)]
        name = tmpl.format(ns=ns) + f"-ms{i}" if kind == "models" else f"{ns}-dataset-{i}"
        out.append(
            {
                "id": f"{ns}/{name}",
                "display_name": name,
                "downloads": 100 + _n(name, 500_000),
                "likes": _n(name + "l", 400),
                "created_at": "2024-03-01T00:00:00Z",
                "last_modified": "2025-02-20T00:00:00Z",
                "tags": ["文本", *(["金融"] if i == 1 else [])] if kind == "datasets" else tags,
                "tasks": [tag] if tag and kind == "models" else [],
                "params": params if kind == "models" else None,
                "license": ("Apache License 2.0" if i % 3 else None) if kind == "models" else None,
                "private": False,
            }
        )
    return out


def odl_datasets(created_by: str) -> list[dict]:
    out = []
    for i in range(1 + _n(created_by, 3)):
        downloads = 120 + _n(f"{created_by}/{i}", 40_000)
        out.append(
            {
                "name": f"OpenDataLab/set-{created_by}-{i}",
                # The site shows display strings; exercise the parser on half of them.
                "downloadCount": f"{downloads / 1000:.1f}k" if i % 2 else downloads,
                "likeCount": _n(f"{created_by}/{i}/l", 90),
                "mediaTypes": ["Text"],
            }
        )
    return out


def baai_datasets() -> list[dict]:
    names = ["BAAI-CCI3-HQ", "Infinity-Instruct", "IndustryCorpus2", "CCI4-M2-Base", "OpenSeek-Eval"]
    return [
        {
            "id": i,
            "uriName": n,
            "datasetName": n,
            "downloadNumb": 200 + _n(n, 5000),
            "subscribedNumb": _n(n + "s", 30),
            "tags": ["文本", "预训练"] if i % 2 == 0 else ["文本", "指令微调"],
            "deleted": False,
        }
        for i, n in enumerate(names)
    ]


def repo_numbers(repo: str) -> dict[str, int]:
    return {
        "stars": 100 + _n(repo, 60_000),
        "forks": 10 + _n(repo + "f", 9000),
        "open_prs": _n(repo + "p", 120),
        "open_issues_and_prs": 150 + _n(repo + "i", 2000),
        "contributors": 1 + _n(repo + "c", 900),
        "commits": _n(repo + "m", 400),
    }


def expected_rows(registry) -> dict[str, int]:
    """Rows a complete collection of `registry` (a leaderboard_pipeline.registry.Registry) must give."""
    return {
        "hf_models": sum(len(hf_models(ns)) - 1 for _, ns in registry.namespaces("huggingface")),
        "hf_datasets": sum(len(hf_datasets(ns)) for _, ns in registry.namespaces("huggingface")),
        "ms_models": sum(len(ms_repos("models", ns)) for _, ns in registry.namespaces("modelscope")),
        "ms_datasets": sum(len(ms_repos("datasets", ns)) for _, ns in registry.namespaces("modelscope")),
        "odl_datasets": sum(len(odl_datasets(ns)) for _, ns in registry.namespaces("opendatalab")),
        "baai_datasets": len(baai_datasets()) * len(registry.namespaces("baai")),
        "code_repos": len(registry.code_repos()),
    }


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) overflows when the collectors' threads and a loaded machine meet: a
    # refused connection is a request the client counts but the server never logs.
    request_queue_size = 128


class MockEcosystem:
    """Threaded HTTP server; use as a context manager. `env()` gives the base-URL env vars."""

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        burst_429: int = 0,
        burst_start: int = 5,
        retry_after: int = 1,
        timeout_once: str | None = None,
        timeout_s: float = 1.0,
        fail_paths: tuple[str, ...] = (),
        seed: int = 7,
    ):
        self.latency, self.error_rate = latency_ms / 1000, error_rate
        self.burst_429, self.burst_start, self.retry_after = burst_429, burst_start, retry_after
        self.timeout_once, self.timeout_s, self.fail_paths = timeout_once, timeout_s, fail_paths
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, int, float]] = []  # (method, path, status, monotonic time)
        self.served_202: set[str] = set()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.eco = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MockEcosystem:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def env(self) -> dict[str, str]:
        return {var: f"{self.url}/{prefix}" for prefix, var in PREFIXES.items()}

    def rate(self, prefix: str) -> float:
        """Requests per second the server saw on one platform, first to last request."""
        times = sorted(t for _, path, _, t in self.log if path.startswith(f"/{prefix}/"))
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0

    def count(self, prefix: str = "") -> int:
        return sum(1 for _, path, *_ in self.log if path.startswith(f"/{prefix}"))

    # -- fault decisions ---------------------------------------------------------------------------
    def fault(self, path: str) -> tuple[int, dict[str, str]] | str | None:
        with self.lock:
            n = len(self.log)
            if any(p in path for p in self.fail_paths):
                return 500, {}
            if self.timeout_once and self.timeout_once in path:
                self.timeout_once = None
                return "sleep"
            if self.burst_start <= n < self.burst_start + self.burst_429:
                return 429, {"Retry-After": str(self.retry_after)}
            if self.rng.random() < self.error_rate:
                return self.rng.choice([500, 502, 503]), {}
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        eco: MockEcosystem = self.server.eco
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        split = urlsplit(self.path)
        query = parse_qsl(split.query)
        if eco.latency:
            time.sleep(eco.latency)
        fault = eco.fault(split.path)
        if fault == "sleep":
            time.sleep(eco.timeout_s)
            fault = None
        if fault:
            status, headers = fault
            return self._send(status, {"error": "injected fault"}, headers)
        prefix, _, rest = split.path.lstrip("/").partition("/")
        handler = getattr(self, f"_{prefix}", None)
        if handler is None:
            return self._send(404, {"error": f"no platform {prefix}"})
        try:
            handler("/" + rest, dict(query), query, body)
        except KeyError as exc:
            self._send(404, {"error": f"not found: {exc}"})

    def _send(self, status: int, payload, headers: dict[str, str] | None = None) -> None:
        eco: MockEcosystem = self.server.eco
        raw = b"" if payload is None else json.dumps(payload).encode()
        with eco.lock:
            eco.log.append((self.command, urlsplit(self.path).path, status, time.monotonic()))
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass

    # -- Hugging Face ------------------------------------------------------------------------------
    def _hf(self, path: str, q: dict, pairs: list, body) -> None:
        eco: MockEcosystem = self.server.eco
        headers = {"RateLimit": '"api";r=480;t=200', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
        if path in ("/api/models", "/api/datasets"):
            items = hf_models(q["author"]) if path.endswith("models") else hf_datasets(q["author"])
            start = int(q.get("cursor", 0))
            page = items[start : start + min(HF_PAGE, int(q.get("limit", 1000)))]
            if start + HF_PAGE < len(items):
                nxt = urlencode([(k, v) for k, v in pairs if k != "cursor"] + [("cursor", start + HF_PAGE)])
                headers["Link"] = f'<{eco.url}/hf{path}?{nxt}>; rel="next"'
            return self._send(200, page, headers)
        if path.startswith("/api/models/"):
            rid = path.removeprefix("/api/models/")
            return self._send(
                200, {"_id": "x", "id": rid, "childrenModelCount": _n(rid + "tree", 40)}, headers
            )
        raise KeyError(path)

    # -- ModelScope --------------------------------------------------------------------------------
    def _ms(self, path: str, q: dict, pairs: list, body) -> None:
        kind = path.removeprefix("/openapi/v1/")
        if kind not in ("models", "datasets"):
            raise KeyError(path)
        owner, number, size = q["owner"], int(q["page_number"]), int(q["page_size"])
        if size > 50 or number * size > 3000:
            return self._send(400, {"success": False, "message": "page_size must be <= 50"})
        items = ms_repos(kind, owner)
        page = items[(number - 1) * size : number * size]
        # Key casing varies between answers on the real API: alternate it by owner.
        if _n(owner, 2):
            data = {kind.capitalize(): page, "TotalCount": len(items), "PageNumber": number}
        else:
            data = {kind: page, "total_count": len(items), "page_number": number, "page_size": size}
        self._send(200, {"success": True, "data": data, "message": "ok"})

    # -- GitHub ------------------------------------------------------------------------------------
    def _gh(self, path: str, q: dict, pairs: list, body) -> None:
        eco: MockEcosystem = self.server.eco
        parts = path.strip("/").split("/")
        if parts[0] != "repos" or len(parts) < 3:
            raise KeyError(path)
        repo = f"{parts[1]}/{parts[2]}"
        nums = repo_numbers(repo)
        rl = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4000", "x-ratelimit-reset": "0"}
        if len(parts) == 3:
            etag = f'W/"{_n(repo, 10**9)}"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, None, {**rl, "ETag": etag})
            payload = {
                "full_name": repo,
                "stargazers_count": nums["stars"],
                "watchers_count": nums["stars"],
                "forks_count": nums["forks"],
                "open_issues_count": nums["open_issues_and_prs"],
            }
            return self._send(200, payload, {**rl, "ETag": etag})
        what = parts[3]
        counts = {"pulls": nums["open_prs"], "contributors": nums["contributors"], "commits": nums["commits"]}
        if what not in counts:
            raise KeyError(path)
        if what == "commits":
            with eco.lock:  # statistics-like first answer: 202 while "computing"
                first = repo not in eco.served_202
                eco.served_202.add(repo)
            if first:
                return self._send(202, None, rl)
        total = counts[what]
        if total == 0:
            return self._send(200, [], rl)
        if total > 1:
            base = f"{eco.url}/gh{path}?" + urlencode([(k, v) for k, v in pairs if k != "page"])
            rl["Link"] = f'<{base}&page=2>; rel="next", <{base}&page={total}>; rel="last"'
        self._send(200, [{"id": 1}], rl)

    # -- OpenDataLab, BAAI, Gitee, GitCode ---------------------------------------------------------
    def _odl(self, path: str, q: dict, pairs: list, body) -> None:
        if path != "/api/datasets":
            raise KeyError(path)
        items = odl_datasets(q["createdBy"])
        page_no, size = int(q["pageNo"]), int(q["pageSize"])
        page = items[page_no * size : (page_no + 1) * size]
        self._send(200, {"code": 200, "data": {"list": page, "total": len(items)}})

    def _baai(self, path: str, q: dict, pairs: list, body) -> None:
        if path != "/api/datahub/search/v1/getAllDataset":
            raise KeyError(path)
        items = baai_datasets()
        offset = int(body["offset"])
        page = items[offset : offset + min(BAAI_PAGE, int(body["limit"]))]
        self._send(200, {"code": 0, "data": {"total": len(items), "list": page}})

    def _gitee(self, path: str, q: dict, pairs: list, body) -> None:
        parts = path.strip("/").split("/")
        if parts[0] != "repos" or len(parts) != 3:
            raise KeyError(path)
        repo = f"{parts[1]}/{parts[2]}"
        nums = repo_numbers(repo)
        payload = {
            "full_name": repo,
            "stargazers_count": nums["stars"],
            "forks_count": nums["forks"],
            "watchers_count": nums["stars"] // 10,
            "open_issues_count": nums["open_issues_and_prs"],
        }
        self._send(200, payload)

    _gitcode = _gitee


def record_demo(month: str = "2025-03", root: Path | None = None) -> dict:
    """Record the demo month from the mock (with its faults) into data/cassettes/<month>/."""
    import logging
    import os
    import shutil

    from leaderboard_pipeline.sources.live import LiveSource

    repo_root = Path(__file__).resolve().parents[2]
    root = root or repo_root / "data" / "cassettes"
    shutil.rmtree(root / month, ignore_errors=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    fast = {"rate": 200.0, "burst": 5, "backoff_base": 0.01, "max_wait": 0.05, "read_timeout": 0.5}
    with MockEcosystem(error_rate=0.05, burst_429=3, timeout_once="/api/datahub", timeout_s=0.8) as eco:
        os.environ.update(eco.env())
        source = LiveSource(
            repo_root / "data" / "registry" / "orgs.yaml",
            root,
            "record",
            orgs=DEMO_ORGS,
            platform_settings=dict.fromkeys(PREFIXES_TO_KEYS, fast),
        )
        tables = source.read_month(month)
    # The demo month pretends to be crawled on the 7th, like the published snapshots.
    meta_path = root / month / "_snapshot.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "date_crawl": f"{month}-07"}, indent=1) + "\n")
    return {
        "rows": {t: f.height for t, f in tables.items()},
        "last_run": source.last_run,
        "served": len(eco.log),
    }


PREFIXES_TO_KEYS = ["huggingface", "modelscope", "github", "opendatalab", "baai", "gitee", "gitcode"]


def measure(rate: float = 20.0, orgs: list[str] | None = None) -> dict:
    """Requests per org and per snapshot, and achieved vs configured request rate per platform.

    Every platform's limiter is set to `rate` req/s (burst 1); waits are scaled down so only the limiter
    paces the run. The mock answers with 5 ms latency and no faults.
    """
    import os

    from leaderboard_pipeline.sources.live import LiveSource

    registry = Path(__file__).resolve().parents[2] / "data" / "registry" / "orgs.yaml"
    settings = {"rate": rate, "burst": 1, "backoff_base": 0.01, "backoff_cap": 0.02}
    with MockEcosystem(latency_ms=5) as eco:
        os.environ.update(eco.env())
        source = LiveSource(
            registry, None, "off", orgs=orgs, platform_settings=dict.fromkeys(PREFIXES_TO_KEYS, settings)
        )
        started = time.monotonic()
        source.read_month(source.months()[0])
        elapsed = time.monotonic() - started
    prefixes = {"huggingface": "hf", "modelscope": "ms", "github": "gh"}
    return {
        "orgs": len(source.last_run["org"]),
        "requests_per_snapshot": sum(v["requests"] for v in source.last_run["platform"].values()),
        "seconds": round(elapsed, 2),
        "requests_per_platform": {k: v["requests"] for k, v in source.last_run["platform"].items()},
        "requests_per_org": {k: v["requests"] for k, v in source.last_run["org"].items()},
        "configured_rate": rate,
        "achieved_rate": {k: round(eco.rate(p), 2) for k, p in prefixes.items()},
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["record-demo"]:
        print(json.dumps(record_demo(), indent=1))
    elif sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(*(float(a) for a in sys.argv[2:3])), indent=1))
    else:
        sys.exit(__doc__)
