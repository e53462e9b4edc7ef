"""The bundled demo, built from what we commit: cassettes, hand inputs, the org registry.

Committed under ``data/demo/``: the hand inputs of the demo months (``snapshots/<date>/{infra,eval}-summary.csv``,
``snapshots/other-source-datasets.jsonl``) and ``curated-metrics.yaml``. Its last month (2025-03) is
the cassette month, replayed through the real live collectors from ``data/cassettes/2025-03``. The
earlier months' platform records, the org links and the label files, in the published layout, are
derived here from that month's items (fewer items and smaller counters the further back, so ModelScope /
OpenDataLab / BAAI monthly differences and delta ranks are meaningful) into ``data/demo/build/``
(git-ignored). The build is deterministic and redone whenever one of its inputs changes, so the demo
never holds a file that is not ours and never goes stale.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config import settings

ORGS = ("BAAI", "ShanghaiAILab", "Ali", "Meta", "Google", "Baidu")
# folder date -> share of the cassette month's counters; items also appear over time
EARLIER = {"2024-12-13": 0.70, "2025-01-14": 0.80, "2025-02-14": 0.90}
CASSETTE_MONTH = "2025-03"
LINK_TEMPLATES = {
    "HuggingFace": "https://huggingface.co/{}",
    "ModelScope": "https://modelscope.cn/organization/{}",
    "OpenDataLab": "https://opendatalab.com/?createdBy={}",
    "BAAIData": "https://data.baai.ac.cn/dataset",
}


def months() -> list[str]:
    """The demo's months (its partitions), without building it."""
    return sorted({date[:7] for date in EARLIER} | {CASSETTE_MONTH})


def _h(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % mod


def _existed(name: str, share: float) -> bool:
    return _h(name, 100) < share * 100 + 5


def _scaled(value: int | None, name: str, share: float) -> int:
    return 0 if value is None else int(value * share * (0.95 + _h(name + str(share), 10) / 100))


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _earlier_month(tables: dict[str, pl.DataFrame], date: str, share: float) -> dict[str, list[dict]]:
    """One earlier month's platform files in the published record format."""
    files: dict[str, list[dict]] = {}

    def add(path: str, row: dict, record: dict) -> None:
        if _existed(row["name"], share):
            files.setdefault(path, []).append({**record, "date_crawl": date, "link": row["link"]})

    for row in tables["hf_models"].iter_rows(named=True):
        add(
            "HuggingFace/raw-models-info.jsonl",
            row,
            {
                "repo": row["namespace"],
                "model_name": row["name"],
                **{
                    k: _scaled(row[k], row["name"], share)
                    for k in ("downloads_last_month", "likes", "community")
                },
                "descendants": _scaled(row["descendants"], row["name"], share),
                "img_path": None,
                "error_msg": None,
                "metadata": {},
            },
        )
    for row in tables["hf_datasets"].iter_rows(named=True):
        add(
            "HuggingFace/raw-datasets-info.jsonl",
            row,
            {
                "repo": row["namespace"],
                "dataset_name": row["name"],
                "downloads_last_month": _scaled(row["downloads_last_month"], row["name"], share),
                "likes": -1,
                "community": -1,
                "dataset_usage": _scaled(row["dataset_usage"], row["name"], share),
            },
        )
    for table, kind in (("ms_models", "model"), ("ms_datasets", "dataset")):
        for row in tables[table].iter_rows(named=True):
            counters = ("likes", "community") if kind == "model" else ()
            add(
                f"ModelScope/raw-{kind}s-info.jsonl",
                row,
                {
                    "repo": row["namespace"],
                    f"{kind}_name": row["name"],
                    "total_downloads": _scaled(row["total_downloads"], row["name"], share),
                    "likes": -1,
                    "community": -1,
                    **{k: _scaled(row[k], row["name"], share) for k in counters},
                },
            )
    for table, folder in (("odl_datasets", "OpenDataLab"), ("baai_datasets", "BAAIData")):
        for row in tables[table].iter_rows(named=True):
            add(
                f"{folder}/raw-datasets-info.jsonl",
                row,
                {
                    "org": row["org"],
                    "repo": row["namespace"],
                    "dataset_name": row["name"],
                    "total_downloads": _scaled(row["total_downloads"], row["name"], share),
                    "likes": -1,
                },
            )
    return files


def _config(tables: dict[str, pl.DataFrame]) -> dict[str, object]:
    links: dict[str, dict[str, list[str]]] = {}
    # The published layout knows these four platforms only (no OpenI): the earlier months go without it.
    registry = tables["org_registry"].filter(
        pl.col("org").is_in(ORGS), pl.col("platform").is_in(list(LINK_TEMPLATES))
    )
    for row in registry.iter_rows(named=True):
        url = LINK_TEMPLATES[row["platform"]].format(row["namespace"])
        links.setdefault(row["org"], {}).setdefault(row["platform"], []).append(url)
    models = {
        r["key"]: {"modality": r["modality"], "is_large_model": r["is_large_model"]}
        for r in tables["model_labels"].iter_rows(named=True)
    }
    datasets = {
        r["key"]: {"modality": r["modality"], "lifecycle": r["lifecycle"], "is_valid": r["is_valid"]}
        for r in tables["dataset_labels"].iter_rows(named=True)
    }
    return {"org-links.json": links, "model-info.json": models, "dataset-info.json": datasets}


def build_demo(target: Path) -> None:
    """Write the demo in the published layout into ``target`` (which must not exist)."""
    from leaderboard_pipeline.sources.live import LiveSource

    live = LiveSource(settings.DATA_DIR / "registry" / "orgs.yaml", settings.DATA_DIR / "cassettes", "replay")
    tables = live.read_month(CASSETTE_MONTH)
    shutil.copytree(settings.DEMO_INPUTS, target, ignore=shutil.ignore_patterns("build", "*.py", ".*"))
    for date, share in EARLIER.items():
        for relative, rows in _earlier_month(tables, date, share).items():
            _write_jsonl(target / "snapshots" / date / relative, rows)
    (target / "config").mkdir()
    for name, document in _config(tables).items():
        (target / "config" / name).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def _generated(path: Path) -> bool:
    """The build output and staging folders inside data/demo are not inputs."""
    if not path.is_relative_to(settings.DEMO_INPUTS):
        return False
    first = path.relative_to(settings.DEMO_INPUTS).parts[0]
    return first == "build" or first.startswith(".")


def _fingerprint() -> str:
    """A hash of every input of the build (and of this module), to know when to rebuild."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    inputs = [
        settings.DEMO_INPUTS,
        settings.DATA_DIR / "cassettes" / CASSETTE_MONTH,
        settings.DATA_DIR / "registry",
        settings.DATA_DIR / "labels",
    ]
    for root in inputs:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not _generated(p)):
            digest.update(str(path.relative_to(settings.DATA_DIR)).encode())
            digest.update(path.read_bytes())
    for module in ("leaderboard_pipeline.core.labelling", "leaderboard_pipeline.sources.live"):
        digest.update(Path(importlib.util.find_spec(module).origin).read_bytes())  # found, not imported
    return digest.hexdigest()


def demo_dir() -> Path:
    """The built demo folder, (re)built first when it is missing or its inputs changed."""
    build = settings.DEMO_INPUTS / "build"
    stamp = build / ".fingerprint"
    fingerprint = _fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return build
    # One builder at a time (two `make run`s on a fresh clone, parallel tests); the others wait and
    # find it built. Built beside the target, then swapped: a reader never sees a half-written demo.
    with (settings.DEMO_INPUTS / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == fingerprint:
            return build
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=settings.DEMO_INPUTS)) / "demo"
        build_demo(staging)
        (staging / ".fingerprint").write_text(fingerprint)
        old = build.with_name(f".old-{os.getpid()}")
        if build.exists():
            build.rename(old)
        staging.rename(build)
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(staging.parent, ignore_errors=True)
    return build


def demo_version() -> str:
    """The version of the bundled demo: the fingerprint of everything it is built from."""
    return (demo_dir() / ".fingerprint").read_text()
