"""The mock ecosystem's whole Hub (the monthly census) and OpenI, kept apart from mock_ecosystem.py.

**The Hub** (``GET /hf/api/models`` and ``/hf/api/datasets`` without ``author``): every model and dataset
of every Hugging Face namespace of ``data/registry/orgs.yaml`` (the very items the per-namespace listings
serve), plus accounts outside the registry, planted to test the candidates and the derivative reach:

- ``PLANTED_MODEL_ACCOUNTS`` would rank in the model dimension: many downloads, and fine-tunes,
  quantisations and merges of registry orgs' models (also of each other's: trees two and three deep);
- ``PLANTED_DATA_ACCOUNTS`` would rank in the data dimension;
- ``SMALL_ACCOUNTS`` must never rank (a few downloads each), though their fine-tunes of registry models
  count in the orgs' derivative reach;
- ``ELSEWHERE_ACCOUNT`` is Zhipu's ModelScope namespace, also on the Hub: attributed to a registry org on
  another platform, never a candidate however much it is downloaded;
- ``CASED_NAMESPACE`` is a registry namespace the census spells in another letter case: still its org's;
- a cycle (two small models naming each other) and a model naming itself.

Pages hold ``CENSUS_PAGE`` items (the real Hub up to the ``limit`` asked); ``Link: rel="next"`` carries a
cursor. Hostile switches: ``census_loop`` (the next link repeats), ``census_foreign_next`` (the next link
points at another host).

**OpenI** (``/openi/api/v1/...``): Gitea's repository listings ``/orgs/{org}/repos`` and
``/users/{user}/repos`` (``page``, ``limit`` capped at ``openi_page_cap``, ``X-Total-Count``; an account
in ``openi_users`` is a user: its organisation listing answers 404), one private repository per account
(listed only with a token), and the official client's lookups ``/dataset?dataset_name=`` and
``/aimodel?aimodel_name=`` answering ``{"code": 0, "msg", "data": {...}}`` or code 9004 with HTTP 200.
``openi_downloads=True`` puts a ``download_count`` into the lookups' ``data``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import yaml

REGISTRY = Path(__file__).resolve().parents[2] / "data" / "registry" / "orgs.yaml"
CENSUS_PAGE = 50
PLANTED_MODEL_ACCOUNTS = ("QuantFactoryMock", "community-finetunes")
PLANTED_DATA_ACCOUNTS = ("open-corpora-mock",)
SMALL_ACCOUNTS = tuple(f"hobbyist-{i:02d}" for i in range(12))
ELSEWHERE_ACCOUNT = "ZhipuAI"  # Zhipu's ModelScope namespace (not one of its Hugging Face namespaces)
CASED_NAMESPACE = ("OpenGVLab", "opengvlab")  # registry spelling -> the census's spelling
# Registry models the planted accounts build on (first model of each of these namespaces).
BASE_NAMESPACES = ("meta-llama", "Qwen", "BAAI", "google", "deepseek-ai", "mistralai")
OPENI_USERS = ("MindSpore",)


def _n(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % mod


@cache
def registry_namespaces() -> tuple[str, ...]:
    doc = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return tuple(ns for org in doc["orgs"].values() for ns in (org or {}).get("huggingface") or ())


def _base_ids(mock, month: str | None) -> list[str]:
    return [mock.hf_models(ns, month)[0]["id"] for ns in BASE_NAMESPACES]


def _model(rid: str, downloads: int, likes: int, tags: list[str]) -> dict:
    return {
        "_id": hashlib.md5(rid.encode()).hexdigest()[:24],
        "id": rid,
        "createdAt": "2025-01-15T08:00:00.000Z",
        "downloads": downloads,
        "likes": likes,
        "private": False,
        "tags": ["transformers", *tags, "region:us"],
    }


def _planted_models(mock, month: str | None) -> list[dict]:
    k = mock.months_since_base(month)
    bases = _base_ids(mock, month)
    quant, tune = PLANTED_MODEL_ACCOUNTS
    out = []
    for base in bases:
        name = base.split("/")[1]
        tuned = f"{tune}/{name}-chat-sft"
        out.append(
            _model(
                tuned,
                400_000 + _n(tuned, 300_000) + 1000 * k,
                300 + _n(tuned + "l", 200),
                [f"base_model:{base}", f"base_model:finetune:{base}"],
            )
        )
        # quantisations of the registry model and of the fine-tune (a tree two deep across accounts)
        for source, suffix in ((base, "GGUF"), (tuned, "chat-GGUF")):
            rid = f"{quant}/{name}-{suffix}"
            out.append(
                _model(
                    rid,
                    900_000 + _n(rid, 600_000) + 2000 * k,
                    150 + _n(rid + "l", 100),
                    [f"base_model:{source}", f"base_model:quantized:{source}", "gguf"],
                )
            )
    merge = f"{tune}/llama-qwen-merge"
    out.append(
        _model(merge, 50_000 + 100 * k, 40, [f"base_model:merge:{bases[0]}", f"base_model:merge:{bases[1]}"])
    )
    # a third generation: a quantisation of the merge
    out.append(
        _model(f"{quant}/llama-qwen-merge-AWQ", 30_000 + 100 * k, 12, [f"base_model:quantized:{merge}"])
    )
    return out


def _small_models(mock, month: str | None) -> list[dict]:
    bases = _base_ids(mock, month)
    out = []
    for i, account in enumerate(SMALL_ACCOUNTS):
        base = bases[i % len(bases)]
        rid = f"{account}/{base.split('/')[1]}-lora-{i}"
        out.append(_model(rid, 3 + _n(rid, 20), _n(rid + "l", 3), [f"base_model:adapter:{base}"]))
    a, b = f"{SMALL_ACCOUNTS[0]}/loop-a", f"{SMALL_ACCOUNTS[1]}/loop-b"
    out.append(_model(a, 2, 0, [f"base_model:{b}"]))  # a cycle: a names b, b names a
    out.append(_model(b, 1, 0, [f"base_model:{a}"]))
    selfish = f"{SMALL_ACCOUNTS[2]}/selfish"
    out.append(_model(selfish, 1, 0, [f"base_model:{selfish}"]))  # names itself
    out.append(
        _model(
            f"{SMALL_ACCOUNTS[3]}/bad-tags", 1, 0, ["base_model:", "base_model:finetune:", "base_model:a b/c"]
        )
    )
    return out


def hub_models(mock, month: str | None = None) -> list[dict]:
    """Every public model of the mock Hub, in listing order (registry namespaces first)."""
    out = []
    for ns in registry_namespaces():
        for item in mock.hf_models(ns, month):
            if item["private"]:
                continue
            if ns == CASED_NAMESPACE[0]:
                item = {**item, "id": item["id"].replace(ns, CASED_NAMESPACE[1], 1)}
            base = item["id"].split("/")[0] + "/" + mock.hf_models(ns, month)[0]["id"].split("/")[1]
            if ns == "Qwen" and item["id"] != base:  # a self-derivative: Qwen's own fine-tune of its model
                item = {**item, "tags": [*item["tags"], f"base_model:finetune:{base}"]}
            out.append(item)
    for i in range(8):  # enough to rank among the first ten if it were nobody's
        out.append(_model(f"{ELSEWHERE_ACCOUNT}/glm-mock-{i}", 2_000_000 - 1000 * i, 800, []))
    return out + _planted_models(mock, month) + _small_models(mock, month)


def hub_datasets(mock, month: str | None = None) -> list[dict]:
    k = mock.months_since_base(month)
    out = [d for ns in registry_namespaces() for d in mock.hf_datasets(ns, month)]
    for account in PLANTED_DATA_ACCOUNTS:
        for i, stem in enumerate(("web-corpus", "instruct-mix", "math-problems", "code-pairs")):
            rid = f"{account}/{stem}"
            out.append(
                {
                    "_id": hashlib.md5(rid.encode()).hexdigest()[:24],
                    "id": rid,
                    "createdAt": "2025-02-01T00:00:00.000Z",
                    "downloads": 2_000_000 + _n(rid, 1_000_000) + 500 * k,
                    "likes": 500 + i,
                    "private": False,
                }
            )
    for account in SMALL_ACCOUNTS[:6]:
        rid = f"{account}/my-dataset"
        out.append(
            {"_id": rid, "id": rid, "createdAt": None, "downloads": _n(rid, 5), "likes": 0, "private": False}
        )
    return out


def serve_census(handler, path: str, q: dict, pairs: list) -> None:
    eco = handler.eco
    kind = path.rsplit("/", 1)[1]
    items = eco.hub_models() if kind == "models" else eco.hub_datasets()
    start = int(q.get("cursor", 0))
    size = min(CENSUS_PAGE, int(q.get("limit", 1000)))
    page = [eco.renamed("hf", i) for i in items[start : start + size]]
    if kind == "datasets":
        page = [{k: v for k, v in i.items() if k != "tags"} for i in page]
    headers = {"RateLimit": '"api";r=480;t=200'}
    if start + size < len(items):
        cursor = 0 if eco.census_loop and start else start + size
        host = "http://127.0.0.1:9" if eco.census_foreign_next else eco.url
        nxt = urlencode([(k, v) for k, v in pairs if k != "cursor"] + [("cursor", cursor)])
        headers["Link"] = f'<{host}/hf{path}?{nxt}>; rel="next"'
    handler._send(200, page, headers)


# -- OpenI ---------------------------------------------------------------------------------------------
_OPENI_STEMS = ("corpus", "model-zoo", "toolkit", "benchmark", "weights", "demo", "pretrain-data")


def openi_repos(mock, owner: str, month: str | None = None) -> list[dict]:
    """The account's repositories as Gitea serves them (the last one private)."""
    grown = mock.grown
    count = 3 + _n(owner + "openi", 4)
    repos = []
    for i in range(count + 1):
        name = f"{owner}-{_OPENI_STEMS[i % len(_OPENI_STEMS)]}" + (f"-{i}" if i >= len(_OPENI_STEMS) else "")
        full = f"{owner}/{name}"
        repos.append(
            {
                "id": 1000 + _n(full, 90_000),
                "owner": {"id": _n(owner, 9000), "login": owner, "full_name": owner},
                "name": name,
                "full_name": full,
                "private": i == count,
                "empty": False,
                "fork": False,
                "mirror": False,
                "stars_count": grown(_n(full + "s", 500), full + "s", month),
                "forks_count": grown(_n(full + "f", 80), full + "f", month),
                "watchers_count": _n(full + "w", 60),
                "created_at": "2023-04-01T08:00:00+08:00",
                "updated_at": "2025-02-20T08:00:00+08:00",
                "html_url": f"https://openi.pcl.ac.cn/{full}",
            }
        )
    return repos


def openi_carries(kind: str, full_name: str) -> bool:
    """Whether a repository carries a dataset / a model (deterministic from its name)."""
    return _n(full_name + kind, 3) != 0


def openi_download_count(mock, full_name: str, month: str | None = None) -> int:
    return mock.grown(_n(full_name + "dl", 5000), full_name + "dl", month)


def expected_openi_rows(mock, kind: str, owners: list[str], month: str | None = None) -> int:
    return sum(
        1
        for o in owners
        for r in openi_repos(mock, o, month)
        if not r["private"] and openi_carries(kind, r["full_name"])
    )


def serve_openi(handler, path: str, q: dict) -> None:
    eco = handler.eco
    parts = path.strip("/").split("/")
    if parts[:2] != ["api", "v1"]:
        raise KeyError(path)
    rest = parts[2:]
    signed = bool(handler.headers.get("Authorization"))
    if len(rest) == 3 and rest[0] in ("orgs", "users") and rest[2] == "repos":
        owner = rest[1]
        is_user = owner in eco.openi_users
        if (rest[0] == "orgs") == is_user:  # an org listing of a user, or a user listing of an org
            return handler._send(404, {"message": "Not Found", "url": "https://openi.pcl.ac.cn/api/swagger"})
        repos = [r for r in eco.openi_repos(owner) if signed or not r["private"]]
        page, limit = int(q.get("page", 1)), min(int(q.get("limit", 30)), eco.openi_page_cap)
        chunk = repos[(page - 1) * limit : page * limit]
        return handler._send(200, chunk, {"X-Total-Count": str(len(repos))})
    if len(rest) == 1 and rest[0] in ("dataset", "aimodel"):
        param = "dataset_name" if rest[0] == "dataset" else "aimodel_name"
        full = q.get(param, "")
        owner, _, name = full.partition("/")
        kind = "datasets" if rest[0] == "dataset" else "models"
        known = {r["full_name"] for r in eco.openi_repos(owner) if not r["private"]}
        if full not in known or not openi_carries(kind, full):
            return handler._send(200, {"code": 9004, "msg": "数据不存在", "data": None})
        data = {"id": hashlib.md5(full.encode()).hexdigest(), "name": name, "can_download": True}
        if eco.openi_downloads:
            data["download_count"] = eco.openi_download_count(full)
        return handler._send(200, {"code": 0, "msg": "ok", "data": data})
    raise KeyError(path)


def _is_census(url: str) -> bool:
    """A recorded Hub request of the census: a listing without ``author``."""
    return url.startswith(("/api/models?", "/api/datasets?")) and "author=" not in url


def record_parts(
    mock, month: str, root: Path, *, orgs: list[str] | None = None, faults: bool = False
) -> dict:
    """Add (or replace) the census and OpenI responses of ``month`` in an existing recording
    ``root/<month>/`` without touching any other file (a recording made before these parts existed keeps
    every byte of its own): the month is recorded afresh into a scratch folder, the existing part files
    are removed, the fresh recording's files the existing one lacks are copied over, and
    ``_snapshot.json`` gains ``"parts"``. The existing recording's own org list is used."""
    import json
    import shutil
    import tempfile

    target = Path(root) / month
    meta_path = target / "_snapshot.json"
    meta = json.loads(meta_path.read_text())
    for path in [*target.glob("openi/*.json"), *target.glob("huggingface/*.json")]:
        if path.parent.name == "openi" or _is_census(json.loads(path.read_text())["request"]["url"]):
            path.unlink()
    with tempfile.TemporaryDirectory(prefix="record-parts-") as scratch:
        result = mock.record_month(month, Path(scratch), orgs=orgs or meta["orgs"], faults=faults)
        fresh = Path(scratch) / month
        added = []
        for path in sorted(fresh.rglob("*.json")):
            relative = path.relative_to(fresh)
            if relative.name == "_snapshot.json" or (target / relative).exists():
                continue
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
            added.append(str(relative))
        parts = json.loads((fresh / "_snapshot.json").read_text()).get("parts", [])
    meta["parts"] = parts
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return {
        "month": month,
        "folder": str(target),
        "parts": parts,
        "added": len(added),
        "rows": result["rows"],
    }
