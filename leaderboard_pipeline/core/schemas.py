"""pandera (polars) schemas for every table of every layer, built from the layers' own column types."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from leaderboard_pipeline.contract.months import MONTH_PATTERN
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS
from leaderboard_pipeline.core.census import CANDIDATES_SCHEMA, CENSUS_ORGS_SCHEMA
from leaderboard_pipeline.core.cleaning import (
    CLEAN_DATASET_COLUMNS,
    CLEAN_MODEL_COLUMNS,
    merged_schema_frame,
)
from leaderboard_pipeline.core.intervals import BOOTSTRAP_SCHEMA
from leaderboard_pipeline.core.labelling import LIFECYCLES
from leaderboard_pipeline.core.metrics import METRIC_SCHEMA, VARIANTS
from leaderboard_pipeline.core.scoring import NORMALISED_SCHEMA, OVERALL_SCHEMA, RANK_SCHEMA
from leaderboard_pipeline.core.snapshots import SNAPSHOT_SCHEMA, STATUSES

COUNTERS = {  # non-negative counters, checked by quality.non_negative
    "downloads_last_month",
    "total_downloads",
    "downloads_all_time",
    "downloads",  # OpenI (when a response carries it)
    "descendants",
    "dataset_usage",
    "parameters",
    "stars",
    "forks",
    "open_issues",
    "contributors",
    "commits_last_month",
    "rows",
    "requests",
    "retries",
    "failures",
    "previous_total",
}
# Columns that may never be null, per layer (others are nullable: optional or unknown values).
REQUIRED = {
    "month",
    "namespace",
    "name",
    "org",
    "metric",
    "key",
    "platform",
    "item",
    "variant",
    "position",
    "score",
    "rank",
    "value",
    "date_crawl",
    "downloads_last_month",
    "total_downloads",
}


def _column(name: str, dtype: pl.DataType, table: str, layer: str) -> pa.Column:
    checks = []
    if name == "month":
        checks.append(pa.Check.str_matches(MONTH_PATTERN))
    elif name == "variant":
        checks.append(pa.Check.isin(VARIANTS))
    elif name == "status" and table == "snapshots":
        checks.append(pa.Check.isin(STATUSES))
    elif name == "lifecycle" and table not in ("dataset_labels", "other_source_datasets"):
        checks.append(pa.Check.isin(LIFECYCLES))
    elif name in ("normalised", "score") or (
        table == "overall" and name in ("data", "model", "system", "benchmark")
    ):
        checks.append(pa.Check.in_range(0.0, 1.0))
    elif name == "rank":
        checks.append(pa.Check.ge(1))
    elif name == "value" and table in (
        "data",
        "model",
        "system",
        "benchmark",
        "system_inputs",
        "benchmark_inputs",
    ):
        checks.append(pa.Check.ge(0))
    required = name in REQUIRED and not (table in ("other_source_datasets",) and name == "namespace")
    if table in ("code_repos", "snapshot_manifest", "curated_metrics", "input_evidence") and name not in (
        "month",
        "org",
        "metric",
    ):
        required = False
    if layer == "clean" and name in ("total_downloads", "downloads_last_month"):
        required = False
    if table == "census_candidates" and name == "org":
        required = False  # null: an account outside the registry (a candidate)
    if layer in ("metrics", "scores") and name == "value":
        required = False  # unknown: the source lacks the field that month (e.g. no licences in the archive)
    return pa.Column(dtype, checks=checks, nullable=not required, coerce=False)


def build_schema(
    layer: str, table: str, columns: dict[str, pl.DataType], unique: list[str] | None = None
) -> pa.DataFrameSchema:
    """Types, required columns and value ranges. Counter signs are domain checks (quality.py), because
    the published data itself has negative totals that must be reported, not rejected."""
    return pa.DataFrameSchema(
        {name: _column(name, dtype, table, layer) for name, dtype in columns.items()},
        name=table,
        strict=True,
        unique=unique,
    )


RAW = {t: build_schema("raw", t, cols) for t, cols in RAW_SCHEMAS.items()}
CLEAN = {
    **{t: build_schema("clean", t, CLEAN_MODEL_COLUMNS) for t in ("hf_models", "ms_models")},
    **{
        t: build_schema("clean", t, CLEAN_DATASET_COLUMNS)
        for t in ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets")
    },
    "models": build_schema(
        "clean", "models", dict(merged_schema_frame("models").schema), unique=["month", "item"]
    ),
    "datasets": build_schema(
        "clean", "datasets", dict(merged_schema_frame("datasets").schema), unique=["month", "item"]
    ),
    "snapshots": build_schema("clean", "snapshots", SNAPSHOT_SCHEMA, unique=["month", "table"]),
    "census_orgs": build_schema("clean", "census_orgs", CENSUS_ORGS_SCHEMA, unique=["month", "org"]),
    "census_candidates": build_schema("clean", "census_candidates", CANDIDATES_SCHEMA),
}
METRICS = {
    **{
        d: build_schema("metrics", d, METRIC_SCHEMA, unique=["month", "variant", "org", "metric"])
        for d in ("data", "model", "system", "benchmark")
    },
    "rank_bootstrap": build_schema(
        "metrics", "rank_bootstrap", BOOTSTRAP_SCHEMA, unique=["month", "ranking", "variant", "org"]
    ),
}
SCORES = {
    **{
        f"{d}_normalised": build_schema(
            "scores", f"{d}_normalised", NORMALISED_SCHEMA, unique=["month", "variant", "org", "metric"]
        )
        for d in ("data", "model", "system", "benchmark")
    },
    **{
        f"{d}_rank": build_schema("scores", f"{d}_rank", RANK_SCHEMA, unique=["month", "variant", "org"])
        for d in ("data", "model", "system", "benchmark")
    },
    "overall": build_schema("scores", "overall", OVERALL_SCHEMA, unique=["month", "variant", "org"]),
}
LAYERS = {"raw": RAW, "clean": CLEAN, "metrics": METRICS, "scores": SCORES}


def failure_cases(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame | None:
    """Every failure case of ``schema`` on ``frame`` (pandera's lazy validation); None: it conforms."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return None
