"""Compare our tables with the files the published leaderboard wrote (a folder in the archive layout).

The published files are only ever compared against, never used as inputs (the golden tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from leaderboard_pipeline.contract.raw_tables import PLATFORM_TABLES

# our dimension -> the published file stem
PUBLISHED_STEMS = {"data": "data", "model": "model", "system": "infra", "benchmark": "eval"}


@dataclass
class Match:
    file: str
    cells: int
    matching: int
    first_mismatch: str = ""

    @property
    def rate(self) -> float:
        return self.matching / self.cells if self.cells else 1.0


def read_published_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, encoding="utf8-lossy", infer_schema_length=None)


def _equal(ours: object, theirs: object, tolerance: float) -> bool:
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
        return theirs is None or (isinstance(theirs, float) and math.isnan(theirs))
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return False
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return abs(float(ours) - float(theirs)) <= tolerance
    return ours == theirs


def compare_tables(
    ours: pl.DataFrame, theirs: pl.DataFrame, name: str, tolerance: float = 1e-9, renames: dict | None = None
) -> Match:
    """Cell-by-cell comparison keyed by org. Every published cell counts; a missing org or column fails."""
    ours = ours.rename({k: v for k, v in (renames or {}).items() if k in ours.columns})
    ours_by_org = {row["org"]: row for row in ours.iter_rows(named=True)}
    cells = matching = 0
    first = ""
    for row in theirs.iter_rows(named=True):
        mine = ours_by_org.get(row["org"])
        for column, value in row.items():
            if column == "org":
                continue
            cells += 1
            got = None if mine is None else mine.get(column, "<missing column>")
            exact = column in ("rank", "delta rank", "delta_rank") or not isinstance(value, float)
            if _equal(got, value, 0.0 if exact else tolerance):
                matching += 1
            elif not first:
                first = f"{row['org']}.{column}: ours {got!r}, published {value!r}"
    return Match(name, cells, matching, first)


# our clean table -> (platform folder, record kind) of the published processed files: the raw layout
PROCESSED = PLATFORM_TABLES
_RECORD_FIELDS = {
    "models": ["org", "namespace", "name", "modality", "downloads_month", "likes", "community"],
    "datasets": ["org", "namespace", "name", "modality", "lifecycle", "downloads_month", "likes"],
}


def _published_records(path: Path, kind: str) -> pl.DataFrame | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    name = "model_name" if kind == "models" else "dataset_name"
    frame = pl.read_ndjson(path, infer_schema_length=None)
    frame = frame.rename({"repo": "namespace", name: "name", "downloads_last_month": "downloads_month"})
    for column in _RECORD_FIELDS[kind]:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None).alias(column))
    return frame


def compare_records(ours: pl.DataFrame, path: Path, kind: str, extra: tuple[str, ...] = ()) -> Match:
    """Published processed/merged records vs ours as multisets of the shared fields.

    The published processed files are not in raw order (items labelled late were appended), so records
    are compared as multisets; ``Match.cells`` counts published records.
    """
    fields = [*_RECORD_FIELDS[kind], *extra]
    theirs = _published_records(path, kind)
    if theirs is None:
        return Match(
            path.name, ours.height, 0 if ours.height else 0, "published file empty" if ours.height else ""
        )
    schema = {f: ours.schema[f] for f in fields}
    theirs = theirs.select(fields).cast(schema)
    mine = ours.select(fields).cast(schema)
    counts = (
        theirs.group_by(fields)
        .len()
        .join(mine.group_by(fields).len(), on=fields, how="left", nulls_equal=True, suffix="_ours")
    )
    matching = int(counts.select(pl.min_horizontal("len", pl.col("len_ours").fill_null(0)).sum()).item() or 0)
    first = ""
    if matching < theirs.height or mine.height != theirs.height:
        missing = counts.filter(pl.col("len_ours").fill_null(0) < pl.col("len"))
        first = f"ours {mine.height} records, published {theirs.height}; e.g. {missing.head(1).to_dicts()}"
    return Match(
        path.name,
        theirs.height,
        matching if mine.height == theirs.height else min(matching, mine.height),
        first,
    )
