"""Gaps: platforms a month went without, and the dimensions that are therefore not ranked that month.

A live month may be collected with some platforms missing (``run --allow-missing``); the manifest
records each such table with ``status = 'missing'`` and why in ``detail`` (``clean.snapshots`` carries
the same status). What follows from it, written once here for the layers, the site, the API, the
exports and the CLI:

- a **dimension whose every platform table is missing** is not ranked that month: its numbers would
  come from curated constants alone (data: every dataset platform; model: Hugging Face and ModelScope).
  System and benchmark are always ranked: their hand inputs are there, only their code-repository
  activity can be missing;
- every other ranking of a month with a gap is a ranking **with** the gap, and says so wherever it
  appears.
"""

from __future__ import annotations

import polars as pl

# The platform tables each dimension's numbers come from (beside curated constants and hand inputs).
DIMENSION_TABLES = {
    "data": ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets"),
    "model": ("hf_models", "ms_models"),
    "system": ("code_repos",),
    "benchmark": ("code_repos",),
}
# Dimensions that have nothing but platform tables (and curated constants): without every one of their
# tables there is nothing to rank.
PLATFORM_ONLY = ("data", "model")
GAPS_SCHEMA = {"month": pl.String, "table": pl.String, "detail": pl.String}
# What a reader calls each platform table.
TABLE_NAMES = {
    "hf_models": "Hugging Face models",
    "hf_datasets": "Hugging Face datasets",
    "ms_models": "ModelScope models",
    "ms_datasets": "ModelScope datasets",
    "odl_datasets": "OpenDataLab datasets",
    "baai_datasets": "BAAI data platform datasets",
    "code_repos": "code repositories",
}


def missing_tables(status: pl.DataFrame | None) -> pl.DataFrame:
    """month, table, detail of the rows whose status is "missing" (``raw.snapshot_manifest`` or
    ``clean.snapshots``; the latter has no detail)."""
    if status is None or status.is_empty() or "status" not in status.columns:
        return pl.DataFrame(schema=GAPS_SCHEMA)
    rows = status.filter(pl.col("status") == "missing")
    detail = pl.col("detail") if "detail" in rows.columns else pl.lit(None, dtype=pl.String)
    return (
        rows.select("month", "table", detail.alias("detail"))
        .cast(GAPS_SCHEMA)
        .unique(["month", "table"], keep="first", maintain_order=True)
        .sort("month", "table", maintain_order=True)
    )


def unranked(tables: set[str] | list[str]) -> list[str]:
    """The dimensions not ranked when ``tables`` (platform tables) are missing."""
    missing = set(tables)
    return [d for d in PLATFORM_ONLY if set(DIMENSION_TABLES[d]) <= missing]


def unranked_by_month(status: pl.DataFrame | None) -> dict[str, list[str]]:
    """month -> the dimensions not ranked that month (months with none are left out)."""
    gaps = missing_tables(status)
    out = {}
    for month, tables in gaps.group_by("month", maintain_order=True).agg("table").iter_rows():
        dims = unranked(tables)
        if dims:
            out[month] = dims
    return out


def affected_dimensions(table: str) -> list[str]:
    """The dimensions whose numbers a platform table feeds."""
    return [d for d, tables in DIMENSION_TABLES.items() if table in tables]


def gap_notes(status: pl.DataFrame | None, months: list[str] | None = None) -> list[str]:
    """One line per month with a gap, for the operator: what is missing and what is not ranked."""
    gaps = missing_tables(status)
    if months is not None:
        gaps = gaps.filter(pl.col("month").is_in(months))
    notes = []
    for month, tables in gaps.group_by("month", maintain_order=True).agg("table").iter_rows():
        names = ", ".join(TABLE_NAMES.get(t, t) for t in tables)
        line = f"{month} is ranked with gaps: {names} not collected"
        dims = unranked(tables)
        if dims:
            line += (
                f"; not ranked this month: {', '.join(dims)} (every platform it comes from is missing), "
                f"so the overall ranking combines {', '.join(d for d in DIMENSION_TABLES if d not in dims)} only"
            )
        notes.append(line)
    return notes


GAP_ROWS_SCHEMA = {
    "month": pl.String,
    "kind": pl.String,  # "not collected" (a platform table) | "not ranked" (a dimension)
    "subject": pl.String,  # the table's reader name, or the dimension
    "table": pl.String,
    "dimensions": pl.String,  # the dimensions whose numbers it concerns, comma-separated
    "detail": pl.String,
}


def gap_rows(status: pl.DataFrame | None) -> pl.DataFrame:
    """Every gap as rows, for files: one per platform table not collected, one per dimension not ranked
    (no rows: the month has every source)."""
    gaps = missing_tables(status)
    rows = [
        (
            r["month"],
            "not collected",
            TABLE_NAMES.get(r["table"], r["table"]),
            r["table"],
            ", ".join(affected_dimensions(r["table"])),
            r["detail"],
        )
        for r in gaps.iter_rows(named=True)
    ]
    for month, dims in unranked_by_month(status).items():
        for dim in dims:
            tables = ", ".join(TABLE_NAMES[t] for t in DIMENSION_TABLES[dim])
            rows.append(
                (month, "not ranked", dim, None, dim, f"every platform it comes from is missing ({tables})")
            )
    return pl.DataFrame(rows, schema=GAP_ROWS_SCHEMA, orient="row").sort("month", maintain_order=True)
