"""A fake ecosystem of all six platforms on 127.0.0.1, for end-to-end tests and the demo cassettes.

Every namespace / repo gets deterministic, plausible fake data derived from its name, so any registry can
be served, and `MockEcosystem.expected_rows` says how many records a complete collection must produce.
`MockEcosystem(month="2026-12")` serves a later month: every cumulative counter grown by a deterministic
amount per month since 2025-03 (the demo month), so two months recorded from it difference sensibly.

Faults are injectable: latency, a share of 5xx answers, a burst of 429s with Retry-After, one slow
answer that trips the client's read timeout, permanent failures for chosen paths, a platform that is
down. Switches serve the variants the official clients allow (docs/data-sources.md, "Official clients"):

    ms_timestamps="seconds" | "ms"   ModelScope times as Unix seconds / milliseconds (default ISO text)
    ms_success=False                 ModelScope envelope without `success`
    ms_owner_ignored=("datasets",)   the server ignores `owner=` for those kinds and filters by `author=`
    empty_repos=("o/r",)             empty GitHub repos: /commits 409, /contributors 204, no PRs
    odl_form="get"                   OpenDataLab's GET list with `code` (default: the SDK's POST, no `code`)
    odl_page_cap=12                  OpenDataLab serves at most 12 items per page whatever is asked
    baai_code=False                  BAAI envelope without `code`
    baai_login="http" | "envelope"   BAAI refuses anonymous access (HTTP 401, or code 401 inside a 200)
    hf_children=False                the Hub's model detail without `childrenModelCount`
    hf_children_in_list=True         the Hub's list items already carry `childrenModelCount`
    rename={"huggingface": {"downloads": "downloads_30d"}}   a field renamed in every list item
    down=("opendatalab",)            every request of those platforms answers 503
    hostile=Hostile(...)             hostile answers (issue 17: links off-origin, bombs, never-ending
                                     answers, odd counters and names): see hostile.py

The Hub's per-item endpoints (discussions counts, models listed by `filter=dataset:<id>`) and the
published-month mode (`PublishedMonthEcosystem("2025-08-07")`: exactly the items of a dated folder of the
published archive, read at run time) are in their own section near the end (issue 16).

The whole Hub (the census: `/hf/api/models` without `author`) and OpenI (`/openi/api/v1/...`) are served by
`mock_hub.py` (its docstring lists what it plants and its switches: census_loop, census_foreign_next,
openi_users, openi_page_cap, openi_downloads).

Record the demo month (run from the repo root):

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py record-demo

Add the census and OpenI to an existing recording (new files only; the demo month: `record-parts 2025-03`):

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py record-parts 2025-03 [--out DIR]

Record a later month's cassettes, exactly as LiveSource record mode writes them, into DIR/<month>/:

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py record-month 2026-11 \\
        --out DIR [--orgs BAAI,Ali,...] [--down opendatalab --allow-missing opendatalab] [--faults]

Record a month of the published archive exactly as published (and the snapshot it is differenced
against), into DIR/<YYYY-MM>/ (issue 16; see PublishedMonthEcosystem and mock_published.py):

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py record-published 2025-08-07 \\
        --out DIR [--archive ../shared/reference/osir-lmts] [--orgs ...] [--no-previous]

Measure requests per org / snapshot and the achieved request rate (all 32 registry orgs):

    .venv/bin/python leaderboard_pipeline_tests/collectors/mock_ecosystem.py measure [rate]
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import importlib.util
import json
import os
import random
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

DEMO_ORGS = ["BAAI", "ShanghaiAILab", "Ali", "Meta", "Google", "Baidu"]
BASE_MONTH = "2025-03"  # the demo month: counters as generated; later months grow from here
PREFIXES = {
    "hf": "HF_ENDPOINT",
    "ms": "MODELSCOPE_ENDPOINT",
    "gh": "GITHUB_API_URL",
    "odl": "LEADERBOARD_OPENDATALAB_URL",
    "baai": "LEADERBOARD_BAAI_URL",
    "gitee": "LEADERBOARD_GITEE_URL",
    "gitcode": "LEADERBOARD_GITCODE_URL",
    "openi": "LEADERBOARD_OPENI_URL",
}
PREFIX_OF = {  # collectors.http.PLATFORMS key -> URL prefix on the mock
    "huggingface": "hf",
    "modelscope": "ms",
    "github": "gh",
    "opendatalab": "odl",
    "baai": "baai",
    "gitee": "gitee",
    "gitcode": "gitcode",
    "openi": "openi",
}
PREFIXES_TO_KEYS = list(PREFIX_OF)
HF_PAGE = 4  # the mock's own page cap, far below the requested limit=1000, so paging is exercised
BAAI_PAGE = 3
BIG_ODL_PUBLISHER = "12199"  # enough datasets to span pages at the SDK's 25 and at a cap of 12
OTHER_MS_OWNERS = ("damo", "AI-ModelScope")  # what a listing that ignores `owner=` shows first


def _n(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % mod


def months_since_base(month: str | None) -> int:
    """Months from the demo month to `month` (0 for None or earlier): how much counters have grown."""
    if not month:
        return 0
    year, mon = map(int, month.split("-"))
    base_year, base_mon = map(int, BASE_MONTH.split("-"))
    return max(0, (year - base_year) * 12 + mon - base_mon)


def grown(value: int, key: str, month: str | None) -> int:
    """A cumulative counter in `month`: the base value plus a per-item deterministic amount a month."""
    return value + months_since_base(month) * (1 + _n(key + "+growth", 97))


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
# OpenDataLab datasets: name stem (its lifecycle), media types, task types
_ODL_KINDS = [
    ("corpus", ["Text"], ["Text Generation"]),
    ("instruct", ["Text"], ["Question Answering"]),
    ("bench", ["Image", "Text"], ["Visual Question Answering"]),
    ("pretrain", ["Video"], []),
]


def _licence_tag(rid: str) -> list[str]:
    licence = _LICENCES[_n(rid + "lic", len(_LICENCES))]
    return [f"license:{licence}"] if licence else []


def hf_models(ns: str, month: str | None = None) -> list[dict]:
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
            "downloads": 10 + _n(rid, 200_000) * (i % 3) + months_since_base(month) * _n(rid + "30", 50),
            "downloadsAllTime": grown(1000 + _n(rid, 2_000_000), rid, month),
            "likes": grown(_n(rid + "l", 900), rid + "l", month),
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


def hf_children(repo_id: str, month: str | None = None) -> int:
    return grown(_n(repo_id + "tree", 40), repo_id + "tree", month)


def hf_datasets(ns: str, month: str | None = None) -> list[dict]:
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
                "downloads": _n(rid, 50_000) + months_since_base(month) * _n(rid + "30", 50),
                "downloadsAllTime": grown(_n(rid, 50_000) + 100_000, rid, month),
                "likes": grown(_n(rid + "l", 300), rid + "l", month),
                "tags": [*tags, *filter(None, [_DOMAIN_TAGS[_n(rid + "dom", len(_DOMAIN_TAGS))]])],
                "private": False,
            }
        )
    return out


def ms_repos(kind: str, ns: str, month: str | None = None) -> list[dict]:
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
                "downloads": grown(100 + _n(name, 500_000), name, month),
                "likes": grown(_n(name + "l", 400), name + "l", month),
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


def odl_datasets(created_by: str, month: str | None = None) -> list[dict]:
    """Neutral records; the handler renders them in the SDK's or the GET form."""
    count = 30 if created_by == BIG_ODL_PUBLISHER else 1 + _n(created_by, 3)
    out = []
    for i in range(count):
        stem, media, tasks = _ODL_KINDS[i % len(_ODL_KINDS)]
        key = f"{created_by}/{i}"
        out.append(
            {
                "index": i,
                "id": 10_000 + _n(key, 90_000),
                "publisher": "OpenDataLab",
                "name": f"{stem}-{created_by}-{i}",
                "downloads": grown(120 + _n(key, 40_000), key, month),
                "likes": grown(_n(key + "/l", 90), key + "/l", month),
                "media": media,
                "tasks": tasks,
            }
        )
    return out


def odl_tags(item: dict) -> list[str]:
    """The tags the collector must derive from an OpenDataLab item's media and task types."""
    media = [f"modality:{m.lower()}" for m in item["media"]]
    return media + [f"task_categories:{'-'.join(t.lower().split())}" for t in item["tasks"]]


def baai_datasets(month: str | None = None) -> list[dict]:
    names = ["BAAI-CCI3-HQ", "Infinity-Instruct", "IndustryCorpus2", "CCI4-M2-Base", "OpenSeek-Eval"]
    return [
        {
            "id": i,
            "uriName": n,
            "datasetName": n,
            "downloadNumb": grown(200 + _n(n, 5000), n, month),
            "subscribedNumb": grown(_n(n + "s", 30), n + "s", month),
            "tags": ["文本", "预训练"] if i % 2 == 0 else ["文本", "指令微调"],
            "deleted": False,
        }
        for i, n in enumerate(names)
    ]


def repo_numbers(repo: str, month: str | None = None, empty: bool = False) -> dict[str, int]:
    k = months_since_base(month)
    return {
        "stars": grown(100 + _n(repo, 60_000), repo, month),
        "forks": grown(10 + _n(repo + "f", 9000), repo + "f", month),
        "open_prs": 0 if empty else _n(repo + "p" + str(k), 120),
        "open_issues_and_prs": 150 + _n(repo + "i" + str(k), 2000),
        "contributors": 0 if empty else grown(1 + _n(repo + "c", 900), repo + "c", month),
        "commits": 0 if empty else _n(repo + "m" + str(k), 400),
    }


def expected_rows(registry, month: str | None = None) -> dict[str, int]:
    """Rows a complete collection of `registry` (a leaderboard_pipeline.registry.Registry) must give."""
    openi_owners = [ns for _, ns in registry.namespaces("openi")]
    return {
        **{
            f"openi_{kind}": hub.expected_openi_rows(_THIS, kind, openi_owners, month)
            for kind in ("models", "datasets")
        },
        "hf_census_models": len(hub_models(month)),
        "hf_census_datasets": len(hub_datasets(month)),
        "hf_models": sum(len(hf_models(ns, month)) - 1 for _, ns in registry.namespaces("huggingface")),
        "hf_datasets": sum(len(hf_datasets(ns, month)) for _, ns in registry.namespaces("huggingface")),
        "ms_models": sum(len(ms_repos("models", ns, month)) for _, ns in registry.namespaces("modelscope")),
        "ms_datasets": sum(
            len(ms_repos("datasets", ns, month)) for _, ns in registry.namespaces("modelscope")
        ),
        "odl_datasets": sum(len(odl_datasets(ns, month)) for _, ns in registry.namespaces("opendatalab")),
        "baai_datasets": len(baai_datasets(month)) * len(registry.namespaces("baai")),
        "code_repos": len(registry.code_repos()),
    }


# -- the whole Hub (census) and OpenI: mock_hub.py, loaded by path like this module ---------------------
def _load_hub():
    spec = importlib.util.spec_from_file_location(
        "collectors_mock_hub", Path(__file__).with_name("mock_hub.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Module:
    """This module's functions for mock_hub (a loader may not register this module in sys.modules)."""

    def __getattr__(self, name: str):
        return globals()[name]


hub = _load_hub()
_THIS = _Module()


def hub_models(month: str | None = None) -> list[dict]:
    return hub.hub_models(_THIS, month)


def hub_datasets(month: str | None = None) -> list[dict]:
    return hub.hub_datasets(_THIS, month)


def openi_repos(owner: str, month: str | None = None) -> list[dict]:
    return hub.openi_repos(_THIS, owner, month)


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) overflows when the collectors' threads and a loaded machine meet: a
    # refused connection is a request the client counts but the server never logs.
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        # A cancelled client stops reading mid-answer and resets the connection: not the mock's error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MockEcosystem:
    """Threaded HTTP server; use as a context manager. `env()` gives the base-URL env vars."""

    def __init__(
        self,
        *,
        month: str | None = None,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        burst_429: int = 0,
        burst_start: int = 5,
        retry_after: int = 1,
        timeout_once: str | None = None,
        timeout_s: float = 1.0,
        fail_paths: tuple[str, ...] = (),
        down: tuple[str, ...] = (),
        ms_timestamps: str = "iso",
        ms_success: bool = True,
        ms_owner_ignored: tuple[str, ...] = (),
        empty_repos: tuple[str, ...] = (),
        odl_form: str = "sdk",
        odl_page_cap: int | None = None,
        baai_code: bool = True,
        baai_login: str | None = None,
        hf_children: bool = True,
        hf_children_in_list: bool = False,
        rename: dict[str, dict[str, str]] | None = None,
        seed: int = 7,
        hostile=None,
        census_loop: bool = False,
        census_foreign_next: bool = False,
        openi_users: tuple[str, ...] = hub.OPENI_USERS,
        openi_page_cap: int = 2,
        openi_downloads: bool = False,
    ):
        self.month = month
        self.latency, self.error_rate = latency_ms / 1000, error_rate
        self.burst_429, self.burst_start, self.retry_after = burst_429, burst_start, retry_after
        self.timeout_once, self.timeout_s, self.fail_paths = timeout_once, timeout_s, fail_paths
        self.down = tuple(f"/{PREFIX_OF[p]}/" for p in down)
        self.ms_timestamps, self.ms_success, self.ms_owner_ignored = (
            ms_timestamps,
            ms_success,
            ms_owner_ignored,
        )
        self.empty_repos = set(empty_repos)
        self.odl_form, self.odl_page_cap = odl_form, odl_page_cap
        self.baai_code, self.baai_login = baai_code, baai_login
        self.children_in_detail, self.children_in_list = hf_children, hf_children_in_list
        self.hf_page, self.usage_page = HF_PAGE, USAGE_PAGE  # page caps (issue 16 section below)
        self.rename = {PREFIX_OF[p]: fields for p, fields in (rename or {}).items()}
        self.census_loop, self.census_foreign_next = census_loop, census_foreign_next
        self.openi_users, self.openi_page_cap = set(openi_users), openi_page_cap
        self.openi_downloads = openi_downloads
        self.rng = random.Random(seed)
        self.hostile = hostile  # a hostile.Hostile: hostile answers of issue 17, see hostile.py
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, int, float]] = []  # (method, path, status, monotonic time)
        self.served_202: set[str] = set()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.eco = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

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

    # -- the data this instance serves (its month and switches applied) -----------------------------
    def hf_models(self, ns: str) -> list[dict]:
        return hf_models(ns, self.month)

    def hf_datasets(self, ns: str) -> list[dict]:
        return hf_datasets(ns, self.month)

    def hf_children(self, repo_id: str) -> int | None:
        return hf_children(repo_id, self.month) if self.children_in_detail or self.children_in_list else None

    def hf_discussions(self, repo_id: str) -> dict[str, int]:
        return hf_discussions(repo_id, self.month)

    def hf_dataset_users(self, dataset_id: str) -> int:
        return hf_dataset_users(dataset_id, self.month)

    def ms_repos(self, kind: str, ns: str) -> list[dict]:
        return ms_repos(kind, ns, self.month)

    def odl_datasets(self, created_by: str) -> list[dict]:
        return odl_datasets(created_by, self.month)

    def baai_datasets(self) -> list[dict]:
        return baai_datasets(self.month)

    def repo_numbers(self, repo: str) -> dict[str, int]:
        return repo_numbers(repo, self.month, repo in self.empty_repos)

    def expected_rows(self, registry) -> dict[str, int]:
        return expected_rows(registry, self.month)

    def hub_models(self) -> list[dict]:
        return hub_models(self.month)

    def hub_datasets(self) -> list[dict]:
        return hub_datasets(self.month)

    def openi_repos(self, owner: str) -> list[dict]:
        return openi_repos(owner, self.month)

    def openi_download_count(self, full_name: str) -> int:
        return hub.openi_download_count(_THIS, full_name, self.month)

    @staticmethod
    def odl_downloads(item: dict, form: str) -> int:
        return odl_downloads(item, form)

    def renamed(self, prefix: str, item: dict) -> dict:
        fields = self.rename.get(prefix)
        return {fields.get(k, k): v for k, v in item.items()} if fields else item

    # -- fault decisions ---------------------------------------------------------------------------
    def fault(self, path: str) -> tuple[int, dict[str, str]] | str | None:
        with self.lock:
            n = len(self.log)
            if any(path.startswith(p) for p in self.down):
                return 503, {}
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
    # Headers and body go out as two writes; with Nagle on, a kept-alive connection waits ~40 ms for
    # the client's delayed ACK before sending the body.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    @property
    def eco(self) -> MockEcosystem:
        return self.server.eco

    def _serve(self) -> None:
        eco = self.eco
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        split = urlsplit(self.path)
        query = parse_qsl(split.query)
        if eco.latency:
            time.sleep(eco.latency)
        prefix, _, rest = split.path.lstrip("/").partition("/")
        if eco.hostile is not None and eco.hostile.serve(self, prefix, "/" + rest, dict(query)):
            return
        fault = eco.fault(split.path)
        if fault == "sleep":
            time.sleep(eco.timeout_s)
            fault = None
        if fault:
            status, headers = fault
            return self._send(status, {"error": "injected fault"}, headers)
        handler = getattr(self, f"_{prefix}", None)
        if handler is None:
            return self._send(404, {"error": f"no platform {prefix}"})
        try:
            handler("/" + rest, dict(query), query, body)
        except KeyError as exc:
            self._send(404, {"error": f"not found: {exc}"})

    def _send(self, status: int, payload, headers: dict[str, str] | None = None) -> None:
        eco = self.eco
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
        eco = self.eco
        headers = {"RateLimit": '"api";r=480;t=200', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
        if serve_hub_counts(self, path, q, pairs, headers):  # discussions, filter=dataset: (issue 16)
            return
        if path in ("/api/models", "/api/datasets") and "author" not in q:
            return hub.serve_census(self, path, q, pairs)  # the whole Hub
        if path in ("/api/models", "/api/datasets"):
            items = eco.hf_models(q["author"]) if path.endswith("models") else eco.hf_datasets(q["author"])
            if path.endswith("models") and eco.children_in_list:
                items = [{**i, "childrenModelCount": eco.hf_children(i["id"])} for i in items]
            start = int(q.get("cursor", 0))
            size = min(eco.hf_page, int(q.get("limit", 1000)))
            page = [eco.renamed("hf", i) for i in items[start : start + size]]
            if start + size < len(items):
                nxt = urlencode([(k, v) for k, v in pairs if k != "cursor"] + [("cursor", start + size)])
                headers["Link"] = f'<{eco.url}/hf{path}?{nxt}>; rel="next"'
            return self._send(200, page, headers)
        if path.startswith("/api/models/"):
            rid = path.removeprefix("/api/models/")
            detail = {"_id": "x", "id": rid}
            if eco.children_in_detail:
                detail["childrenModelCount"] = eco.hf_children(rid)
            return self._send(200, detail, headers)
        raise KeyError(path)

    # -- ModelScope --------------------------------------------------------------------------------
    def _ms(self, path: str, q: dict, pairs: list, body) -> None:
        eco = self.eco
        kind = path.removeprefix("/openapi/v1/")
        if kind not in ("models", "datasets"):
            raise KeyError(path)
        number, size = int(q["page_number"]), int(q["page_size"])
        if size > 50 or number * size > 3000:
            return self._send(400, {"success": False, "message": "page_size must be <= 50"})
        if kind in eco.ms_owner_ignored:
            if "author" in q:
                owner, items = q["author"], eco.ms_repos(kind, q["author"])
            else:  # the filter is not applied: other owners' items come first, as on the whole platform
                owner = q.get("owner", "")
                items = [i for o in (*OTHER_MS_OWNERS, owner) for i in eco.ms_repos(kind, o)]
        else:
            owner, items = q["owner"], eco.ms_repos(kind, q["owner"])
        page = [self._ms_item(i) for i in items[(number - 1) * size : number * size]]
        # Key casing varies between answers on the real API: alternate it by owner.
        if _n(owner, 2):
            data = {kind.capitalize(): page, "TotalCount": len(items), "PageNumber": number}
        else:
            data = {kind: page, "total_count": len(items), "page_number": number, "page_size": size}
        envelope = {"success": True, "data": data, "message": "ok"}
        if not eco.ms_success:
            del envelope["success"]
        self._send(200, envelope)

    def _ms_item(self, item: dict) -> dict:
        eco = self.eco
        if eco.ms_timestamps != "iso":
            factor = 1000 if eco.ms_timestamps == "ms" else 1
            for key in ("created_at", "last_modified"):
                when = time.strptime(item[key], "%Y-%m-%dT%H:%M:%SZ")
                item = {**item, key: calendar.timegm(when) * factor}
        return eco.renamed("ms", item)

    # -- GitHub ------------------------------------------------------------------------------------
    def _gh(self, path: str, q: dict, pairs: list, body) -> None:
        eco = self.eco
        parts = path.strip("/").split("/")
        if parts[0] != "repos" or len(parts) < 3:
            raise KeyError(path)
        repo = f"{parts[1]}/{parts[2]}"
        nums = eco.repo_numbers(repo)
        limit = "5000" if self.headers.get("Authorization") else "60"
        rl = {"x-ratelimit-limit": limit, "x-ratelimit-remaining": "40", "x-ratelimit-reset": "0"}
        if len(parts) == 3:
            etag = f'W/"{_n(repo + str(eco.month), 10**9)}"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, None, {**rl, "ETag": etag})
            payload = {
                "full_name": repo,
                "stargazers_count": nums["stars"],
                "watchers_count": nums["stars"],
                "forks_count": nums["forks"],
                "open_issues_count": nums["open_issues_and_prs"],
            }
            return self._send(200, eco.renamed("gh", payload), {**rl, "ETag": etag})
        what = parts[3]
        counts = {"pulls": nums["open_prs"], "contributors": nums["contributors"], "commits": nums["commits"]}
        if what not in counts:
            raise KeyError(path)
        if repo in eco.empty_repos and what == "commits":
            return self._send(409, {"message": "Git Repository is empty.", "status": "409"}, rl)
        if repo in eco.empty_repos and what == "contributors":
            return self._send(204, None, rl)
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

    # -- OpenDataLab -------------------------------------------------------------------------------
    def _odl(self, path: str, q: dict, pairs: list, body) -> None:
        eco = self.eco
        sdk = (self.command, path) == ("POST", "/api/datasets/list")
        get = (self.command, path) == ("GET", "/api/datasets")
        if not ((sdk and eco.odl_form == "sdk") or (get and eco.odl_form == "get")):
            raise KeyError(f"{self.command} {path}")
        args = body if sdk else q
        items = eco.odl_datasets(str(args["createdBy"]))
        size = min(int(args["pageSize"]), eco.odl_page_cap or 10**6)
        page_no = int(args["pageNo"])
        page = items[page_no * size : (page_no + 1) * size]
        if sdk:  # the SDK reads data.list only: no code, no total; types as {"name": {"en": ...}}
            rows = [eco.renamed("odl", self._odl_sdk_item(i)) for i in page]
            return self._send(200, {"data": {"list": rows}})
        rows = [eco.renamed("odl", self._odl_get_item(i)) for i in page]
        self._send(200, {"code": 200, "data": {"list": rows, "total": len(items)}})

    @staticmethod
    def _odl_sdk_item(item: dict) -> dict:
        return {
            "id": item["id"],
            "name": item["name"],
            "viewCount": item["downloads"] * 3,
            "downloadCount": item["downloads"],
            "likeCount": item["likes"],
            "introduction": {"en": f"{item['name']} (mock)", "zh": ""},
            "attrs": {
                "publisher": [{"name": {"en": item["publisher"], "zh": "上海人工智能实验室"}}],
                "mediaTypes": [{"name": {"en": m}} for m in item["media"]],
                "taskTypes": [{"name": {"en": t}} for t in item["tasks"]],
                "labelTypes": [],
                "fileBytes": 1 << 30,
                "fileCount": 12,
            },
        }

    @staticmethod
    def _odl_get_item(item: dict) -> dict:
        downloads = item["downloads"]
        return {
            "name": f"{item['publisher']}/{item['name']}",
            # The site shows display strings; exercise the parser on every other item. A display string
            # keeps one decimal: the collector stores the rounded value (see odl_downloads).
            "downloadCount": f"{downloads / 1000:.1f}k" if odl_display(item) else downloads,
            "likeCount": item["likes"],
            "mediaTypes": item["media"],
            "taskTypes": item["tasks"],
        }

    # -- BAAI, Gitee, GitCode ----------------------------------------------------------------------
    def _baai(self, path: str, q: dict, pairs: list, body) -> None:
        eco = self.eco
        if path != "/api/datahub/search/v1/getAllDataset":
            raise KeyError(path)
        logged_in = self.headers.get("Authorization") or self.headers.get("Cookie")
        if eco.baai_login == "http" and not logged_in:
            return self._send(401, {"code": 401, "message": "请先登录"})
        if eco.baai_login == "envelope" and not logged_in:
            return self._send(200, {"code": 401, "message": "请先登录", "data": None})
        items = eco.baai_datasets()
        offset = int(body["offset"])
        page = [eco.renamed("baai", i) for i in items[offset : offset + min(BAAI_PAGE, int(body["limit"]))]]
        envelope = {"code": 0, "data": {"total": len(items), "list": page}}
        if not eco.baai_code:
            del envelope["code"]
        self._send(200, envelope)

    def _gitee(self, path: str, q: dict, pairs: list, body) -> None:
        parts = path.strip("/").split("/")
        if parts[0] != "repos" or len(parts) != 3:
            raise KeyError(path)
        repo = f"{parts[1]}/{parts[2]}"
        nums = self.eco.repo_numbers(repo)
        payload = {
            "full_name": repo,
            "stargazers_count": nums["stars"],
            "forks_count": nums["forks"],
            "watchers_count": nums["stars"] // 10,
            "open_issues_count": nums["open_issues_and_prs"],
        }
        self._send(200, payload)

    _gitcode = _gitee

    def _openi(self, path: str, q: dict, pairs: list, body) -> None:
        hub.serve_openi(self, path, q)


def odl_display(item: dict) -> bool:
    """Whether the GET form shows this item's downloads as a display string ("12.3k")."""
    return item["index"] % 2 == 1


def odl_downloads(item: dict, form: str) -> int:
    """The downloads the collector must store for an item (a display string keeps one decimal)."""
    downloads = item["downloads"]
    if form == "get" and odl_display(item):
        return round(float(f"{downloads / 1000:.1f}") * 1000)
    return downloads


@contextmanager
def env_vars(values: dict[str, str | None]):
    """Set environment variables (None: unset) for the block, then restore what was there."""
    saved = {var: os.environ.get(var) for var in values}
    try:
        _set_env(values)
        yield
    finally:
        _set_env(saved)


def _set_env(values: dict[str, str | None]) -> None:
    for var, value in values.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


FAST = {"rate": 200.0, "burst": 5, "backoff_base": 0.01, "max_wait": 0.05, "read_timeout": 0.5}
DEMO_FAULTS = {"error_rate": 0.05, "burst_429": 3, "timeout_once": "/api/datahub", "timeout_s": 0.8}


def record_month(
    month: str,
    root: Path,
    *,
    orgs: list[str] | None = None,
    faults: bool = False,
    down: tuple[str, ...] = (),
    allow_missing: tuple[str, ...] = (),
    date_crawl: str | None = None,
    ecosystem=None,
    settings: dict | None = None,
    **switches,
) -> dict:
    """Record `month` from a mock serving that month into `root/<month>/`, as LiveSource record mode does.

    The snapshot pretends to be crawled on the 7th of the month (like the published snapshots), unless
    `date_crawl` says otherwise. An existing recording of the month is replaced. `ecosystem` builds the
    mock (default MockEcosystem; `record_published` passes a published month's), `settings` the
    collectors' pace (default FAST)."""
    import logging
    import shutil

    from leaderboard_pipeline.sources.live import LiveSource

    repo_root = Path(__file__).resolve().parents[2]
    root = Path(root)
    shutil.rmtree(root / month, ignore_errors=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    options = {**(DEMO_FAULTS if faults else {}), **switches}
    with (ecosystem or MockEcosystem)(month=month, down=down, **options) as eco, env_vars(eco.env()):
        source = LiveSource(
            repo_root / "data" / "registry" / "orgs.yaml",
            root,
            "record",
            orgs=orgs,
            platform_settings=dict.fromkeys(PREFIXES_TO_KEYS, settings or FAST),
            allow_missing=frozenset(allow_missing),
        )
        tables = source.read_month(month)
    meta_path = root / month / "_snapshot.json"
    meta = json.loads(meta_path.read_text())
    meta["date_crawl"] = date_crawl or f"{month}-07"
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return {
        "month": month,
        "folder": str(root / month),
        "rows": {t: f.height for t, f in tables.items()},
        "missing": source.last_run["missing"],
        "requests": sum(v["requests"] for v in source.last_run["platform"].values()),
        "served": len(eco.log),
    }


def record_demo(month: str = "2025-03", root: Path | None = None) -> dict:
    """Record the demo month from the mock (with its faults) into data/cassettes/<month>/."""
    root = root or Path(__file__).resolve().parents[2] / "data" / "cassettes"
    return record_month(month, root, orgs=DEMO_ORGS, faults=True)


def measure(rate: float = 20.0, orgs: list[str] | None = None) -> dict:
    """Requests per org and per snapshot, and achieved vs configured request rate per platform.

    Every platform's limiter is set to `rate` req/s (burst 1); waits are scaled down so only the limiter
    paces the run. The mock answers with 5 ms latency and no faults.
    """
    from leaderboard_pipeline.sources.live import LiveSource

    registry = Path(__file__).resolve().parents[2] / "data" / "registry" / "orgs.yaml"
    settings = {"rate": rate, "burst": 1, "backoff_base": 0.01, "backoff_cap": 0.02}
    with MockEcosystem(latency_ms=5) as eco, env_vars(eco.env()):
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


# =====================================================================================================
# Issue 16: the Hub's per-item counts (discussions, dataset usage) and the published-month mode.
#
# - `GET /api/{models,datasets}/<id>/discussions?p=N[&status=open|closed|all][&type=discussion|
#   pull_request|all]`: huggingface_hub `get_repo_discussions`' shape, `{"discussions": [...50 a page],
#   "count": <total of the filter>, "start": 50 N, "numClosedDiscussions": ...}`.
# - `GET /api/models?filter=dataset:<id>&limit=..&expand=..`: the public models tagged `dataset:<id>`
#   (`list_models(trained_dataset=...)`), paged by `Link: rel=next` at `usage_page` a page; with a
#   token one private model more (a token lists its orgs' private repos: the collector drops it).
# - `PublishedMonthEcosystem(date)`: serves exactly the items of a dated folder of the published
#   archive (mock_published.py) with their published counts; everything else as MockEcosystem.
# =====================================================================================================
USAGE_PAGE = 3  # usage listings span pages even at the mock's small counts
DISCUSSIONS_PER_PAGE = 50


def hf_discussions(repo_id: str, month: str | None = None) -> dict[str, int]:
    """A model's discussions: every one ever opened (a total that only grows), how many closed, how many
    pull requests. A quarter of the models have none, one in eight more than a page (50)."""
    if not _n(repo_id + "disc0", 4):
        return {"total": 0, "closed": 0, "pulls": 0}
    many = 50 if not _n(repo_id + "discmany", 8) else 0
    total = 1 + many + _n(repo_id + "disc", 12) + months_since_base(month) * _n(repo_id + "discgrow", 3)
    return {"total": total, "closed": total * _n(repo_id + "closed", 60) // 100, "pulls": total // 4}


def hf_dataset_users(dataset_id: str, month: str | None = None) -> int:
    """Models trained on a dataset: none for a third of them, a handful for the others, growing."""
    if not _n(dataset_id + "usage0", 3):
        return 0
    return 1 + _n(dataset_id + "usage", 11) + months_since_base(month) * _n(dataset_id + "usagegrow", 3)


def discussion_items(repo_id: str, kind: str, counts: dict[str, int]) -> list[dict]:
    """Every discussion of a repo, newest first, with the fields `get_repo_discussions` reads."""
    total, closed, pulls = counts["total"], counts["closed"], counts["pulls"]
    items = []
    for num in range(total, 0, -1):
        items.append(
            {
                "num": num,
                "title": f"Discussion {num}",
                "status": "closed" if num <= closed else "open",
                "isPullRequest": num % 4 == 0 and num // 4 <= pulls,
                "createdAt": "2025-01-01T10:00:00.000Z",
                "author": {"name": f"user{_n(repo_id + str(num), 90)}", "type": "user"},
                "repo": {"name": repo_id, "type": kind[:-1]},
                "pinned": False,
                "numComments": _n(repo_id + "c" + str(num), 9),
            }
        )
    return items


def serve_hub_counts(handler, path: str, q: dict, pairs: list, headers: dict) -> bool:
    """Answer the Hub's discussions and `filter=dataset:` requests; False for any other request."""
    eco = handler.eco
    parts = path.strip("/").split("/")
    if (
        len(parts) == 5
        and parts[0] == "api"
        and parts[1] in ("models", "datasets")
        and parts[4] == "discussions"
    ):
        repo_id, kind = f"{parts[2]}/{parts[3]}", parts[1]
        counts = eco.hf_discussions(repo_id) if kind == "models" else {"total": 0, "closed": 0, "pulls": 0}
        if counts is None:
            handler._send(404, {"error": "Repository not found"}, headers)
            return True
        items = discussion_items(repo_id, kind, counts)
        status, kind_filter = q.get("status", "all"), q.get("type", "all")
        if status != "all":
            items = [i for i in items if i["status"] == status]
        if kind_filter != "all":
            items = [i for i in items if i["isPullRequest"] == (kind_filter == "pull_request")]
        page = int(q.get("p", 0))
        start = page * DISCUSSIONS_PER_PAGE
        body = {
            "discussions": items[start : start + DISCUSSIONS_PER_PAGE],
            "count": len(items),
            "start": start,
            "numClosedDiscussions": counts["closed"],
        }
        handler._send(200, body, headers)
        return True
    if path == "/api/models" and "author" not in q and str(q.get("filter", "")).startswith("dataset:"):
        dataset_id = q["filter"].removeprefix("dataset:")
        users = eco.hf_dataset_users(dataset_id) or 0
        name = dataset_id.rpartition("/")[2]
        items = [
            {
                "_id": hashlib.md5(f"{dataset_id}#{i}".encode()).hexdigest()[:24],
                "id": f"user{_n(dataset_id + str(i), 50)}/{name}-ft-{i}",
                "private": False,
                "tags": ["transformers", f"dataset:{dataset_id}", "region:us"],
            }
            for i in range(users)
        ]
        if handler.headers.get("Authorization") and users:
            items.insert(
                1, {**items[0], "_id": "p" + items[0]["_id"][1:], "id": "org/private-ft", "private": True}
            )
        start = int(q.get("cursor", 0))
        size = min(eco.usage_page, int(q.get("limit", 1000)))
        if start + size < len(items):
            nxt = urlencode([(k, v) for k, v in pairs if k != "cursor"] + [("cursor", start + size)])
            headers = {**headers, "Link": f'<{eco.url}/hf{path}?{nxt}>; rel="next"'}
        handler._send(200, items[start : start + size], headers)
        return True
    return False


def _published_module():
    """mock_published.py, loaded by path like this module (test folders are not packages)."""
    import importlib.util

    name = "collectors_mock_published"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("mock_published.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class PublishedMonthEcosystem(MockEcosystem):
    """The mock ecosystem serving exactly the items of one dated folder of the published archive.

        with PublishedMonthEcosystem("2025-08-07") as eco, env_vars(eco.env()):
            LiveSource(registry, None, "off").read_month(...)   # every published item, its counts

    Hugging Face, ModelScope, OpenDataLab and BAAI serve the folder's raw records (mock_published.py
    says field by field how), at the Hub's real page size of 1000; the code forges serve the mock's
    own numbers for the folder's month. Faults and switches are MockEcosystem's."""

    def __init__(self, date: str, *, archive: Path | None = None, **options):
        module = _published_module()
        options.pop("month", None)  # the folder decides the month
        self.published = module.PublishedMonth(date, Path(archive) if archive else module.DEFAULT_ARCHIVE)
        super().__init__(month=self.published.month, **options)
        self.hf_page = self.usage_page = 1000

    def hf_models(self, ns: str) -> list[dict]:
        return self.published.hf_models(ns)

    def hf_datasets(self, ns: str) -> list[dict]:
        return self.published.hf_datasets(ns)

    def hf_children(self, repo_id: str) -> int | None:
        return self.published.hf_children(repo_id) if self.children_in_detail else None

    def hf_discussions(self, repo_id: str) -> dict[str, int] | None:
        return self.published.hf_discussions(repo_id)

    def hf_dataset_users(self, dataset_id: str) -> int | None:
        return self.published.hf_dataset_users(dataset_id)

    def ms_repos(self, kind: str, ns: str) -> list[dict]:
        return self.published.ms_repos(kind, ns)

    def odl_datasets(self, created_by: str) -> list[dict]:
        return self.published.odl_datasets(created_by)

    def baai_datasets(self) -> list[dict]:
        return self.published.baai_datasets()


def record_published(
    date: str,
    root: Path,
    *,
    archive: Path | None = None,
    orgs: list[str] | None = None,
    previous: bool = True,
    settings: dict | None = None,
) -> list[dict]:
    """Record a published folder (and, with `previous`, the folder the published method differences it
    against: the cumulative totals of ModelScope, OpenDataLab and BAAI) into `root/<YYYY-MM>/`, each
    with its folder date as `date_crawl`, replayable with `LiveSource(registry, root, "replay")`."""
    module = _published_module()
    archive = Path(archive) if archive else module.DEFAULT_ARCHIVE
    dates = [date]
    if previous and (before := module.previous_snapshot(date, archive)):
        dates.insert(0, before)
    fast = {**FAST, "rate": 5000.0, "burst": 50, **(settings or {})}
    results = []
    for folder in dates:

        def ecosystem(folder=folder, **options):
            return PublishedMonthEcosystem(folder, archive=archive, **options)

        result = record_month(
            folder[:7], root, orgs=orgs, date_crawl=folder, ecosystem=ecosystem, settings=fast
        )
        results.append({"date": folder, **result})
    return results


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("record-demo", help="record the demo month into data/cassettes/2025-03")
    rec = sub.add_parser("record-month", help="record a month's cassettes into OUT/<month>/")
    rec.add_argument("month", help="YYYY-MM: the month the mock serves and the recording is filed under")
    rec.add_argument("--out", required=True, type=Path, help="cassette root (LiveSource's cassette_dir)")
    rec.add_argument("--orgs", type=_names, help="registry orgs, comma-separated (default: all)")
    rec.add_argument("--down", type=_names, default=[], help="platforms answering 503 (e.g. opendatalab)")
    rec.add_argument("--allow-missing", type=_names, default=[], help="platforms allowed to be missing")
    rec.add_argument("--faults", action="store_true", help="inject the demo's 5xx, 429s and a timeout")
    parts = sub.add_parser("record-parts", help="add the census and OpenI to a recording (mock_hub.py)")
    parts.add_argument("month")
    parts.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "data" / "cassettes")
    parts.add_argument("--faults", action="store_true")
    meas = sub.add_parser("measure", help="requests per org / snapshot at a given limiter rate")
    meas.add_argument("rate", nargs="?", type=float, default=20.0)
    pub = sub.add_parser(
        "record-published", help="record a published folder (and its previous snapshot) into OUT/<YYYY-MM>/"
    )
    pub.add_argument("date", help="YYYY-MM-DD: a dated folder of the archive's snapshots/")
    pub.add_argument("--out", required=True, type=Path, help="cassette root (LiveSource's cassette_dir)")
    pub.add_argument(
        "--archive", type=Path, help="the published archive (default ../shared/reference/osir-lmts)"
    )
    pub.add_argument("--orgs", type=_names, help="registry orgs, comma-separated (default: all)")
    pub.add_argument("--no-previous", action="store_true", help="only the folder, not its previous snapshot")
    args = parser.parse_args(argv)
    if args.command == "record-demo":
        result = record_demo()
    elif args.command == "record-month":
        result = record_month(
            args.month,
            args.out,
            orgs=args.orgs,
            faults=args.faults,
            down=tuple(args.down),
            allow_missing=tuple(args.allow_missing),
        )
    elif args.command == "record-published":
        result = record_published(
            args.date, args.out, archive=args.archive, orgs=args.orgs, previous=not args.no_previous
        )
    elif args.command == "record-parts":
        result = hub.record_parts(_THIS, args.month, args.out, faults=args.faults)
    else:
        result = measure(args.rate)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
