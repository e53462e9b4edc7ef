"""Rankings and metric tables of one month as files (CSV, Parquet, JSON) and as terminal tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.contract.untrusted import UNSAFE_PATTERN
from leaderboard_pipeline.core.intervals import INTERVAL_COLUMNS

Reader = Callable[[str, str], pl.DataFrame | None]


def _order(frame: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    # The published files keep the hand-input order of orgs; ours list the best first.
    keys = ["position"] if profile.export_order == "input" else ["rank", "position"]
    return frame.sort(keys).drop("position")


def ranking_table(
    read: Reader, profile: Profile, dimension: str, variant: str = "monthly"
) -> pl.DataFrame | None:
    """org, the normalised metric columns (or the dimension columns of overall), score, rank, delta_rank,
    and the rank intervals when the profile computes them."""
    ranked = ["score", "rank", "delta_rank", *(INTERVAL_COLUMNS if profile.intervals else ())]
    if dimension == "overall":
        overall = read("scores", "overall")
        rows = overall.filter(pl.col("variant") == variant) if overall is not None else None
        if rows is None or rows.is_empty():
            return None
        # intervals only where stored (a month scored before the profile computed them has none)
        return rows.select("org", "position", *DIMENSIONS, *(c for c in ranked if c in rows.columns))
    ranks, normalised = read("scores", f"{dimension}_rank"), read("scores", f"{dimension}_normalised")
    if ranks is None or normalised is None:
        return None
    ranks, normalised = (t.filter(pl.col("variant") == variant) for t in (ranks, normalised))
    if ranks.is_empty():
        return None
    columns = normalised["metric"].unique(maintain_order=True).to_list()
    wide = normalised.pivot(on="metric", index="org", values="normalised")
    ranked = [c for c in ranked if c in ranks.columns]
    return ranks.join(wide, on="org", how="left").select("org", "position", *columns, *ranked)


def metric_table(read: Reader, dimension: str, variant: str = "monthly") -> pl.DataFrame | None:
    """The raw (not normalised) metric values per org: the published ``*-summary.csv`` layout."""
    metrics = read("metrics", dimension)
    if metrics is None:
        return None
    rows = metrics.filter(pl.col("variant") == variant)
    if rows.is_empty():
        return None
    columns = rows["metric"].unique(maintain_order=True).to_list()
    wide = rows.pivot(on="metric", index=["org", "position"], values="value").select(
        "org", "position", *columns
    )
    # Counts are whole numbers: write them as integers, as a reader (and the published files) expects.
    integral = [c for c in columns if (wide[c].drop_nulls() == wide[c].drop_nulls().round(0)).all()]
    return wide.with_columns(pl.col(integral).cast(pl.Int64)).sort("position").drop("position")


def python_float_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Floats as Python's shortest round-trip text (``8.375732055404646e-05``), and integer columns with
    gaps as floats (``-2.0``), which is how the published CSVs were written (pandas). Tables here are
    small (orgs x metrics), so formatting cell by cell is fine."""

    def text(series: pl.Series) -> pl.Series:
        return pl.Series(
            series.name, [repr(v) if v is not None else None for v in series.to_list()], pl.String
        )

    gappy_ints = [c for c, t in frame.schema.items() if t.is_integer() and frame[c].null_count()]
    frame = frame.with_columns(pl.col(gappy_ints).cast(pl.Float64))
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.with_columns([pl.col(c).map_batches(text, return_dtype=pl.String) for c in floats])


def _write(frame: pl.DataFrame, path: Path, fmt: str) -> Path:
    """Every export file goes through here: text columns without control or bidi-override characters."""
    path = path.with_suffix(f".{fmt}")
    frame = clean_frame(frame)
    if fmt == "csv":
        frame.write_csv(path)
    elif fmt == "parquet":
        frame.write_parquet(path)
    elif fmt == "json":
        frame.write_json(path)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path


def clean_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`clean_text` on every text column (lists of text too); other columns as they are."""
    unsafe = UNSAFE_PATTERN

    def clean(expr: pl.Expr) -> pl.Expr:
        return expr.str.replace_all(unsafe, "")

    columns = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            columns.append(clean(pl.col(name)))
        elif dtype == pl.List(pl.String):
            columns.append(pl.col(name).list.eval(clean(pl.element())))
    return frame.with_columns(columns) if columns else frame


def export_month(read: Reader, profile: Profile, out: Path, fmt: str = "csv") -> list[Path]:
    """``<dim>-rank``, ``<dim>-accumulated-rank`` and ``<dim>-summary`` files of one month, plus every
    stored score and metric table under ``tables/`` (``export_tables``).

    File and column names follow the profile's ``export`` section (osir-published uses the published
    names, so its files diff directly against the published ones).
    """
    out.mkdir(parents=True, exist_ok=True)
    files = profile.export_files
    columns = profile.export_columns
    written = []

    def emit(frame: pl.DataFrame | None, stem: str) -> None:
        if frame is None:
            return
        empty = [
            c
            for c in profile.export_omit_empty
            if c in frame.columns and frame[c].null_count() == frame.height
        ]
        frame = frame.drop(empty)
        frame = frame.rename({k: v for k, v in columns.items() if k in frame.columns})
        if fmt == "csv" and profile.export_float_text == "python":
            frame = python_float_text(frame)
        written.append(_write(frame, out / stem, fmt))

    for dimension in (*DIMENSIONS, "overall"):
        name = files.get(dimension, dimension)
        for variant, suffix in (("monthly", "rank"), ("accumulated", "accumulated-rank")):
            table = ranking_table(read, profile, dimension, variant)
            if table is not None and (variant == "monthly" or dimension in ("data", "model", "overall")):
                emit(_order(table, profile), f"{name}-{suffix}")
        if dimension != "overall":
            emit(metric_table(read, dimension), f"{name}-summary")
    return written + export_tables(read, out / "tables", fmt)


STORED_TABLES = (
    *(("scores", f"{d}_{kind}") for kind in ("normalised", "rank") for d in DIMENSIONS),
    ("scores", "overall"),
    *(("metrics", d) for d in DIMENSIONS),
)


def export_tables(read: Reader, out: Path, fmt: str = "csv") -> list[Path]:
    """Every score and metric table of the month as stored (long, both variants): ``<schema>-<table>``;
    not ``metrics.items`` (the items behind the values: large, it stays in the warehouse).

    The ranking files above are the published wide layouts; these are the analysts' complete copy,
    including what the wide files leave out (accumulated metric values, normalised values per variant).
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for schema, table in STORED_TABLES:
        frame = read(schema, table)
        if frame is not None:
            order = [c for c in ("month", "variant", "position", "metric") if c in frame.columns]
            written.append(_write(frame.sort(order), out / f"{schema}-{table}", fmt))
    return written
