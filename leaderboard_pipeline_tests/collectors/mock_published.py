"""The items of one dated folder of the published archive, in the shapes the mock ecosystem serves them.

Read at run time from `<archive>/snapshots/<date>/{HuggingFace,ModelScope,OpenDataLab,BAAIData}/raw-*-info.jsonl`
(never copied into the repository). `mock_ecosystem.PublishedMonthEcosystem` serves them through the
platforms' API shapes, so the live collectors can collect a published month and `osir-published` can
score it (issue 16, item 4). What each published field becomes:

| published raw field | served as |
|---|---|
| HF `downloads_last_month`, `likes` | list item `downloads`, `likes` (-1: `null`, unknown) |
| HF model `community` | `count` of `/api/models/{id}/discussions` (every discussion and PR, open and closed) |
| HF model `descendants` | `childrenModelCount` of the model detail |
| HF dataset `dataset_usage` | that many public models tagged `dataset:<id>` in `/api/models?filter=dataset:<id>` |
| ModelScope `total_downloads`, `likes` | OpenAPI item `downloads`, `likes` (-1: `null`); `community` has no API |
| OpenDataLab `repo`, `dataset_name`, `total_downloads` | SDK item publisher, `name`, `downloadCount`, all under one `createdBy` id (the raw files do not say which) |
| BAAI `dataset_name`, `total_downloads` | `uriName` / `datasetName`, `downloadNumb` (`subscribedNumb`: -1, `null`) |

Values are served verbatim, including what a collector must refuse (a negative ModelScope total in
2025-01-14) and what it must deduplicate (ModelScope items listed twice). Namespaces are matched
ignoring case, ids keep the files' spelling.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date as Date
from pathlib import Path

DEFAULT_ARCHIVE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "osir-lmts"
ODL_PUBLISHER = "12199"  # ShanghaiAILab's first createdBy id in the registry: it serves every OpenDataLab row
FILES = {
    "hf_models": ("HuggingFace", "models", "model_name"),
    "hf_datasets": ("HuggingFace", "datasets", "dataset_name"),
    "ms_models": ("ModelScope", "models", "model_name"),
    "ms_datasets": ("ModelScope", "datasets", "dataset_name"),
    "odl_datasets": ("OpenDataLab", "datasets", "dataset_name"),
    "baai_datasets": ("BAAIData", "datasets", "dataset_name"),
}


def _id(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()[:24]


def _known(value: int | None) -> int | None:
    """The published -1 sentinel is "unknown": served as null, as a platform that does not say."""
    return None if value is None or value < 0 else value


def dated_folders(archive: Path = DEFAULT_ARCHIVE) -> list[str]:
    return sorted(
        p.name for p in (Path(archive) / "snapshots").iterdir() if p.is_dir() and p.name[:2] == "20"
    )


def previous_snapshot(date: str, archive: Path = DEFAULT_ARCHIVE) -> str | None:
    """The folder the published method differences `date` against: the one nearest to date - 30 days,
    at most 15 days away (osir-method.md §5.2), or None."""
    target = Date.fromisoformat(date).toordinal() - 30
    best = None
    for folder in dated_folders(archive):
        if folder >= date:
            continue
        gap = abs(Date.fromisoformat(folder).toordinal() - target)
        if gap <= 15 and (best is None or gap < best[0]):
            best = (gap, folder)
    return best[1] if best else None


class PublishedMonth:
    """One dated folder's raw records, indexed for the mock's data methods."""

    def __init__(self, date: str, archive: Path = DEFAULT_ARCHIVE):
        self.archive, self.date = Path(archive), date
        folder = self.archive / "snapshots" / date
        if not folder.is_dir():
            raise FileNotFoundError(f"no dated folder {folder} in the published archive")
        self.month = date[:7]
        self.rows: dict[str, list[dict]] = {}
        self.by_ns: dict[str, dict[str, list[dict]]] = {}
        for table, (platform, kind, _) in FILES.items():
            path = folder / platform / f"raw-{kind}-info.jsonl"
            rows = (
                [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
                if path.exists()
                else []
            )
            self.rows[table] = rows
            index: dict[str, list[dict]] = defaultdict(list)
            for row in rows:
                index[row["repo"].casefold()].append(row)
            self.by_ns[table] = index
        name = {t: f[2] for t, f in FILES.items()}
        self.descendants = {
            f"{r['repo']}/{r[name['hf_models']]}": r.get("descendants") for r in self.rows["hf_models"]
        }
        self.community = {
            f"{r['repo']}/{r[name['hf_models']]}": r.get("community") for r in self.rows["hf_models"]
        }
        self.usage = {
            f"{r['repo']}/{r[name['hf_datasets']]}": r.get("dataset_usage") for r in self.rows["hf_datasets"]
        }

    # -- Hugging Face --------------------------------------------------------------------------------
    def hf_models(self, ns: str) -> list[dict]:
        return [
            {
                "_id": _id(f"{r['repo']}/{r['model_name']}"),
                "id": f"{r['repo']}/{r['model_name']}",
                "author": r["repo"],
                "downloads": r["downloads_last_month"],
                "likes": _known(r["likes"]),
                "pipeline_tag": None,
                "library_name": None,
                "tags": [],
                "private": False,
            }
            for r in self.by_ns["hf_models"].get(ns.casefold(), [])
        ]

    def hf_datasets(self, ns: str) -> list[dict]:
        return [
            {
                "_id": _id(f"datasets/{r['repo']}/{r['dataset_name']}"),
                "id": f"{r['repo']}/{r['dataset_name']}",
                "author": r["repo"],
                "downloads": r["downloads_last_month"],
                "likes": _known(r["likes"]),
                "tags": [],
                "private": False,
            }
            for r in self.by_ns["hf_datasets"].get(ns.casefold(), [])
        ]

    def hf_children(self, repo_id: str) -> int | None:
        return _known(self.descendants.get(repo_id))

    def hf_discussions(self, repo_id: str) -> dict[str, int] | None:
        """The published `community` as the Hub's total (None: no such model). A third of them closed
        and a quarter pull requests, so a collector filtering by status or type would count less."""
        total = self.community.get(repo_id)
        if total is None:
            return None
        total = max(total, 0)
        return {"total": total, "closed": total // 3, "pulls": total // 4}

    def hf_dataset_users(self, dataset_id: str) -> int | None:
        usage = self.usage.get(dataset_id)
        return None if usage is None else max(usage, 0)

    # -- ModelScope, OpenDataLab, BAAI -----------------------------------------------------------------
    def ms_repos(self, kind: str, ns: str) -> list[dict]:
        table, name = ("ms_models", "model_name") if kind == "models" else ("ms_datasets", "dataset_name")
        return [
            {
                "id": f"{r['repo']}/{r[name]}",
                "display_name": r[name],
                "downloads": r["total_downloads"],
                "likes": _known(r["likes"]),
                "tags": [],
                "tasks": [],
                "private": False,
            }
            for r in self.by_ns[table].get(ns.casefold(), [])
        ]

    def odl_datasets(self, created_by: str) -> list[dict]:
        if created_by != ODL_PUBLISHER:
            return []
        return [
            {
                "index": i,
                "id": 10_000 + int(_id(f"{r['repo']}/{r['dataset_name']}"), 16) % 90_000,
                "publisher": r["repo"],
                "name": r["dataset_name"],
                "downloads": r["total_downloads"],
                "likes": _known(r["likes"]),
                "media": [],
                "tasks": [],
            }
            for i, r in enumerate(self.rows["odl_datasets"])
        ]

    def baai_datasets(self) -> list[dict]:
        return [
            {
                "id": i,
                "uriName": r["dataset_name"],
                "datasetName": r["dataset_name"],
                "downloadNumb": r["total_downloads"],
                "subscribedNumb": _known(r["likes"]),
                "tags": [],
                "deleted": False,
            }
            for i, r in enumerate(self.rows["baai_datasets"])
        ]

    # -- what a complete collection must store ----------------------------------------------------------
    def expected(self, table: str, registry) -> list[dict]:
        """The published raw records a collection of `registry` must store for `table` (ModelScope items
        listed twice once: the collector deduplicates)."""
        platform = {"hf": "huggingface", "ms": "modelscope"}.get(table[:2])
        if table == "odl_datasets":
            wanted = ODL_PUBLISHER in {ns for _, ns in registry.namespaces("opendatalab")}
            return list(self.rows[table]) if wanted else []
        if table == "baai_datasets":
            return list(self.rows[table]) if registry.namespaces("baai") else []
        name = FILES[table][2]
        out, seen = [], set()
        for _, ns in registry.namespaces(platform):
            for row in self.by_ns[table].get(ns.casefold(), []):
                key = (row["repo"], row[name])
                if key not in seen:
                    seen.add(key)
                    out.append(row)
        return out
