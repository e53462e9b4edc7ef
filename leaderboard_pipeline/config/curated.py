"""Hand-curated metric values kept as our own data files (YAML), with where each fact comes from."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS, empty_raw

DEFAULT_ORG = "*"


def read_curated_metrics(path: Path, month: str) -> pl.DataFrame:
    """``metrics: [{dimension, metric, default, evidence, values: {org: value}}]`` -> long rows.

    The default value becomes the row of org "*" (every org not listed).
    """
    if not path.exists():
        return empty_raw("curated_metrics")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML ({exc})") from exc
    records = []
    for index, entry in enumerate(document.get("metrics", []), start=1):
        where = f"{path}: metrics[{index}]"
        if not isinstance(entry, dict) or entry.get("dimension") not in DIMENSIONS or not entry.get("metric"):
            raise SourceError(f"{where}: needs a dimension (one of {', '.join(DIMENSIONS)}) and a metric")
        evidence = entry.get("evidence")
        if not evidence:
            raise SourceError(f"{where} ({entry['metric']}): every curated value needs an evidence note")
        values = dict(entry.get("values") or {})
        if "default" in entry:
            values[DEFAULT_ORG] = entry["default"]
        for org, value in values.items():
            if not isinstance(value, int | float) or value < 0:
                raise SourceError(
                    f"{where} ({entry['metric']}): {org}: {value!r} must be a non-negative number"
                )
            records.append((month, entry["dimension"], entry["metric"], str(org), float(value), evidence))
    return pl.DataFrame(records, schema=RAW_SCHEMAS["curated_metrics"], orient="row")
