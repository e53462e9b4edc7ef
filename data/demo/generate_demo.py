"""Regenerate the bundled demo snapshot (illustrative numbers, the published layout).

The demo's last month (2025-03) is the cassette month: it is replayed through the real collectors from
data/cassettes/2025-03. The earlier months are written here in the published file layout, derived
deterministically from that month's items (fewer items, smaller counters the further back), so
ModelScope / OpenDataLab / BAAI monthly differences and delta ranks are meaningful. Hand inputs and
labels are ours. Run from the repository root:

    .venv/bin/python data/demo/generate_demo.py
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import polars as pl

from leaderboard_pipeline.sources.live import LiveSource

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent.parent
ORGS = ["BAAI", "ShanghaiAILab", "Ali", "Meta", "Google", "Baidu"]
# folder date -> share of last month's counters, and which items already existed
MONTHS = {"2024-12-13": 0.70, "2025-01-14": 0.80, "2025-02-14": 0.90}
RANKED = ["2025-01-14", "2025-02-14", "2025-03-07"]


def _h(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % mod


def _exists(name: str, share: float) -> bool:
    """Items appear over time: an item is older than the month with a probability growing with share."""
    return _h(name, 100) < share * 100 + 5


def _scaled(value, name: str, share: float) -> int:
    if value is None:
        return 0
    return int(value * share * (0.95 + _h(name + str(share), 10) / 100))


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _platform_rows(tables: dict[str, pl.DataFrame], date: str, share: float) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in tables["hf_models"].iter_rows(named=True):
        if _exists(row["name"], share):
            out.setdefault("HuggingFace/raw-models-info.jsonl", []).append(
                {
                    "repo": row["namespace"],
                    "model_name": row["name"],
                    "downloads_last_month": _scaled(row["downloads_last_month"], row["name"], share),
                    "likes": _scaled(row["likes"], row["name"], share),
                    "community": _scaled(row["community"], row["name"], share),
                    "descendants": _scaled(row["descendants"], row["name"], share),
                    "date_crawl": date,
                    "link": row["link"],
                    "img_path": None,
                    "error_msg": None,
                    "metadata": {},
                }
            )
    for row in tables["hf_datasets"].iter_rows(named=True):
        if _exists(row["name"], share):
            out.setdefault("HuggingFace/raw-datasets-info.jsonl", []).append(
                {
                    "repo": row["namespace"],
                    "dataset_name": row["name"],
                    "downloads_last_month": _scaled(row["downloads_last_month"], row["name"], share),
                    "likes": -1,
                    "community": -1,
                    "dataset_usage": _scaled(row["dataset_usage"], row["name"], share),
                    "date_crawl": date,
                    "link": row["link"],
                    "img_path": None,
                    "error_msg": None,
                    "metadata": {},
                }
            )
    for table, folder, kind in (("ms_models", "ModelScope", "model"), ("ms_datasets", "ModelScope", "dataset")):
        for row in tables[table].iter_rows(named=True):
            if _exists(row["name"], share):
                out.setdefault(f"{folder}/raw-{kind}s-info.jsonl", []).append(
                    {
                        "repo": row["namespace"],
                        f"{kind}_name": row["name"],
                        "total_downloads": _scaled(row["total_downloads"], row["name"], share),
                        "likes": _scaled(row["likes"], row["name"], share) if kind == "model" else -1,
                        "community": _scaled(row["community"], row["name"], share) if kind == "model" else -1,
                        "date_crawl": date,
                        "link": row["link"],
                        "img_path": None,
                        "error_msg": None,
                        "metadata": {},
                    }
                )
    for table, folder in (("odl_datasets", "OpenDataLab"), ("baai_datasets", "BAAIData")):
        for row in tables[table].iter_rows(named=True):
            if _exists(row["name"], share):
                out.setdefault(f"{folder}/raw-datasets-info.jsonl", []).append(
                    {
                        "org": row["org"],
                        "repo": row["namespace"],
                        "dataset_name": row["name"],
                        "total_downloads": _scaled(row["total_downloads"], row["name"], share),
                        "likes": -1,
                        "date_crawl": date,
                        "link": row["link"],
                    }
                )
    return out


SYSTEM = {  # illustrative hand inputs; the 2025-03 file adds a column, as the real ones did
    "BAAI": [150, 8, 2, 1, 6, 4, 1, 8],
    "ShanghaiAILab": [0, 5, 2, 0, 2, 4, 0, 0],
    "Ali": [40, 3, 1, 1, 3, 4, 0, 0],
    "Meta": [300, 6, 1, 1, 4, 3, 1, 6],
    "Google": [220, 5, 2, 1, 3, 3, 1, 5],
    "Baidu": [90, 4, 1, 1, 5, 4, 0, 0],
}
SYSTEM_COLUMNS = [
    "num_operators",
    "num_adapted_chips_operator_lib",
    "num_adapted_frameworks_operator_lib",
    "support_heterogeneous_training_frameworks",
    "num_adapted_chips_frameworks",
    "support_lifecycle",
    "deep_learning_framework",
    "num_adapted_chips_ai_compiler",
]
BENCHMARK = {
    "BAAI": [12, 900, 11, 4],
    "ShanghaiAILab": [18, 1000, 30, 4],
    "Ali": [0, 0, 0, 0],
    "Meta": [0, 0, 5, 2],
    "Google": [0, 0, 9, 2],
    "Baidu": [0, 0, 0, 0],
}
BENCHMARK_COLUMNS = ["num_leaderboards", "num_evaluated_models", "num_evaluation_datasets", "num_evaluation_methods"]


def _csv(path: Path, header: list[str], rows: dict[str, list], month_index: int, bom: bool, crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    lines = [",".join(["org", *header])]
    for org, values in rows.items():
        # a few cells grow month by month, like BAAI's operator count did
        grown = [v + month_index * (_h(org + str(i), 3)) if v else v for i, v in enumerate(values)]
        lines.append(",".join([org, *map(str, grown[: len(header)])]))
    path.write_text(("\ufeff" if bom else "") + newline.join(lines) + newline, encoding="utf-8", newline="")


def main() -> None:
    live = LiveSource(REPO / "data" / "registry" / "orgs.yaml", REPO / "data" / "cassettes", "replay")
    tables = live.read_month("2025-03")
    snapshots = ROOT / "snapshots"
    shutil.rmtree(snapshots, ignore_errors=True)
    for date, share in MONTHS.items():
        for rel, rows in _platform_rows(tables, date, share).items():
            _write_jsonl(snapshots / date / rel, rows)
    for index, date in enumerate(RANKED):
        folder = snapshots / date
        folder.mkdir(parents=True, exist_ok=True)
        system_columns = SYSTEM_COLUMNS if date >= "2025-03" else SYSTEM_COLUMNS[:-1]
        _csv(folder / "infra-summary.csv", system_columns, SYSTEM, index, bom=index == 0, crlf=index > 0)
        _csv(folder / "eval-summary.csv", BENCHMARK_COLUMNS, BENCHMARK, index, bom=index == 0, crlf=index > 0)

    registry = tables["org_registry"].filter(pl.col("org").is_in(ORGS))
    urls = {
        "HuggingFace": "https://huggingface.co/{}",
        "ModelScope": "https://modelscope.cn/organization/{}",
        "OpenDataLab": "https://opendatalab.com/?createdBy={}",
        "BAAIData": "https://data.baai.ac.cn/dataset",
    }
    links: dict[str, dict[str, list[str]]] = {}
    for row in registry.iter_rows(named=True):
        links.setdefault(row["org"], {}).setdefault(row["platform"], []).append(
            urls[row["platform"]].format(row["namespace"])
        )
    config = ROOT / "config"
    config.mkdir(exist_ok=True)
    (config / "org-links.json").write_text(json.dumps(links, indent=2) + "\n")
    model_labels = {
        r["key"]: {"modality": r["modality"], "is_large_model": r["is_large_model"]}
        for r in tables["model_labels"].iter_rows(named=True)
    }
    dataset_labels = {
        r["key"]: {"modality": r["modality"], "lifecycle": r["lifecycle"], "is_valid": r["is_valid"]}
        for r in tables["dataset_labels"].iter_rows(named=True)
    }
    (config / "model-info.json").write_text(json.dumps(model_labels, indent=2, sort_keys=True) + "\n")
    (config / "dataset-info.json").write_text(json.dumps(dataset_labels, indent=2, sort_keys=True) + "\n")
    other = [
        {"org": "Google", "repo": "Google", "dataset_name": "Demo Web Corpus", "link": "https://example.org/google/web-corpus", "modality": "Language", "lifecycle": "Pre-training"},
        {"org": "Google", "repo": "Google", "dataset_name": "Demo Image Pairs", "link": "https://example.org/google/image-pairs", "modality": "Multimodal", "lifecycle": "Pre-training"},
        {"org": "Meta", "repo": "Meta", "dataset_name": "Demo Video Masks", "link": "https://example.org/meta/video-masks", "modality": "Vision", "lifecycle": "Pre-training"},
        {"org": "Meta", "repo": "Meta", "dataset_name": "Demo Video Masks", "link": "https://example.org/meta/video-masks", "modality": "Vision", "lifecycle": "Fine-tuning"},
        {"org": "Baidu", "repo": "Baidu", "dataset_name": "Demo Speech Set", "link": "https://example.org/baidu/speech", "modality": "Speech", "lifecycle": "Fine-tuning"},
    ]
    _write_jsonl(snapshots / "other-source-datasets.jsonl", other)


if __name__ == "__main__":
    main()
