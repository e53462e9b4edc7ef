"""How readers see each metric column: a short label, a kind that decides its formatting, the full
definition and where the numbers come from. Read from every ``data/metric_catalog/*.yaml`` and merged.

The catalog is presentation only: scoring never reads it, so a wording fix cannot change a rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.config.settings import DATA_DIR

CATALOG_DIR = DATA_DIR / "metric_catalog"
# count: whole things (datasets, chips); downloads: a download count; share: a fraction in [0, 1] shown
# as a percentage; flag: 0/1 (no/yes); score: a value in [0, 1]; number: anything else.
KINDS = ("count", "downloads", "share", "flag", "score", "number")
FIELDS = ("label", "kind", "definition", "sources")
# The platform part of a source ("huggingface.downloads" -> "huggingface") as readers know it. Platform
# keys are those of collectors/http.PLATFORMS; the others name our own inputs.
SOURCE_NAMES = {
    "huggingface": "Hugging Face",
    "modelscope": "ModelScope",
    "opendatalab": "OpenDataLab",
    "baai": "BAAI data",
    "github": "GitHub",
    "gitee": "Gitee",
    "gitcode": "GitCode",
    "openi": "OpenI",
    "curated": "curated",
    "inputs": "hand inputs",
    "labels": "labels",
}


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class MetricEntry:
    label: str
    kind: str
    definition: str = ""
    sources: tuple[str, ...] = ()

    def platforms(self) -> tuple[str, ...]:
        """The platform keys the numbers come from, in order ("huggingface", "modelscope", ...)."""
        return tuple(dict.fromkeys(s.split(".", 1)[0] for s in self.sources))


Catalog = dict[tuple[str, str], MetricEntry]


def humanise(column: str) -> str:
    """``support_heterogeneous_training_frameworks`` -> "Support heterogeneous training frameworks"."""
    words = re.sub(r"[_\s]+", " ", column).strip()
    return words[:1].upper() + words[1:] if words else column


def describe(catalog: Catalog, dimension: str, column: str) -> MetricEntry:
    """The column's entry; a column the catalog does not know gets a humanised label and kind number."""
    return catalog.get((dimension, column)) or MetricEntry(humanise(column), "number")


def _entry(path: Path, dimension: str, column: object, spec: object) -> MetricEntry:
    where = f"{path}: {dimension}.{column}"
    if not isinstance(column, str) or not column:
        raise CatalogError(f"{path}: {dimension}: a metric column name must be a non-empty string")
    if not isinstance(spec, dict):
        raise CatalogError(f"{where}: expected a mapping with {', '.join(FIELDS)}")
    unknown = set(spec) - set(FIELDS)
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    label, kind = spec.get("label"), spec.get("kind")
    if not isinstance(label, str) or not label.strip():
        raise CatalogError(f"{where}: label is missing")
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    definition = spec.get("definition", "")
    if not isinstance(definition, str) or not definition.strip():
        raise CatalogError(f"{where}: definition is missing")
    sources = spec.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        raise CatalogError(f"{where}: sources must be a list of strings like huggingface.downloads")
    return MetricEntry(label.strip(), kind, " ".join(definition.split()), tuple(sources))


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Every ``*.yaml`` of ``directory`` (file-name order) merged into (dimension, column) -> entry.

    A (dimension, column) defined in two files is an error naming both, so no file silently wins.
    """
    catalog: Catalog = {}
    defined_in: dict[tuple[str, str], Path] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
        if not isinstance(doc, dict):
            raise CatalogError(f"{path}: expected a mapping of dimension -> metric column -> entry")
        for dimension, columns in doc.items():
            if dimension not in DIMENSIONS:
                raise CatalogError(
                    f"{path}: unknown dimension {dimension!r} (known: {', '.join(DIMENSIONS)})"
                )
            if not isinstance(columns, dict):
                raise CatalogError(f"{path}: {dimension}: expected a mapping of metric column -> entry")
            for column, spec in columns.items():
                key = (dimension, column)
                if key in catalog:
                    raise CatalogError(
                        f"{path}: {dimension}.{column} is already defined in {defined_in[key]}"
                    )
                catalog[key] = _entry(path, dimension, column, spec)
                defined_in[key] = path
    return catalog
