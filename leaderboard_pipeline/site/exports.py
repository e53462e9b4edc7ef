"""Rankings and metric tables of one month as files (CSV, Parquet, JSON) and as terminal tables."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.contract.untrusted import UNSAFE_PATTERN
from leaderboard_pipeline.core.gaps import gap_rows
from leaderboard_pipeline.core.intervals import INTERVAL_COLUMNS
from leaderboard_pipeline.sources.archive import text_form

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


def summary_delta(this: pl.DataFrame, last: pl.DataFrame) -> pl.DataFrame:
    """This month's summary minus last month's, cell by cell, aligned by org: the published
    ``<dim>-summary-delta.csv`` (docs/method.md). As pandas aligns them: an org of only one of the two
    months is a row of empty cells; when the org lists differ (in members or order) the rows are in
    alphabetical order, and so are the columns when theirs differ. A column with an empty cell, or with a
    non-whole value in either month, is a float column."""
    same_orgs = this["org"].to_list() == last["org"].to_list()
    orgs = this["org"].to_list() if same_orgs else sorted(set(this["org"]) | set(last["org"]))
    mine, theirs = this.columns[1:], last.columns[1:]
    columns = mine if mine == theirs else sorted(set(mine) | set(theirs))
    rows = pl.DataFrame({"org": orgs}, schema={"org": pl.String}).with_row_index("_row")
    a = rows.join(this, on="org", how="left").sort("_row")
    b = rows.join(last, on="org", how="left").sort("_row")
    out = [a["org"]]
    for c in columns:
        if c not in a.columns or c not in b.columns:
            out.append(pl.Series(c, [None] * len(orgs), pl.Float64))
            continue
        delta = (a[c].cast(pl.Float64) - b[c].cast(pl.Float64)).alias(c)
        whole = a[c].dtype.is_integer() and b[c].dtype.is_integer() and not delta.null_count()
        out.append(delta.cast(pl.Int64) if whole else delta)
    return pl.DataFrame(out)


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


def _write(frame: pl.DataFrame, path: Path, fmt: str, text: str | None = None) -> Path:
    """Every export file goes through here: text columns without control or bidi-override characters.
    ``text``: for CSV, the form of a hand-input file to write in ("UTF-8 with BOM, CRLF line endings", as
    the raw manifest records it); None: UTF-8 without BOM, LF."""
    path = path.with_suffix(f".{fmt}")
    frame = clean_frame(frame)
    if fmt == "csv":
        text = text or ""
        frame.write_csv(
            path, include_bom="with BOM" in text, line_terminator="\r\n" if "CRLF" in text else "\n"
        )
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


# raw table of the hand inputs behind a dimension's summary
INPUT_TABLES = {"system": "system_inputs", "benchmark": "benchmark_inputs"}


def input_text_forms(read: Reader) -> dict[str, str]:
    """dimension -> the form of its hand-input file ("UTF-8 with BOM, CRLF line endings"), as the month's
    raw manifest records it; for a month stored before it was recorded, read from the file the manifest
    names when that file still has the recorded bytes (sha256). Otherwise absent (written as ours)."""
    manifest = read("raw", "snapshot_manifest")
    if manifest is None or manifest.is_empty():
        return {}
    rows = {r["table"]: r for r in manifest.iter_rows(named=True)}
    forms = {}
    for dimension, table in INPUT_TABLES.items():
        row = rows.get(table)
        if row is None:
            continue
        form = next((p.strip() for p in (row.get("detail") or "").split(";") if "line endings" in p), None)
        if form:  # the detail may also count the rules the file breaks, before the form
            forms[dimension] = form
            continue
        path = Path(row["location"] or "")
        if (
            row["sha256"]
            and path.is_file()
            and hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
        ):
            forms[dimension] = text_form(path)
    return forms


def layout_files(
    read: Reader, profile: Profile, previous: Reader | None = None
) -> list[tuple[str, pl.DataFrame, str]]:
    """(stem, frame, kind) of the month's files in the published layouts, before the profile's names and
    text: kind "ranking" (``<dim>-rank``, ``<dim>-accumulated-rank``), "summary" or "delta"."""
    files = []
    for dimension in (*DIMENSIONS, "overall"):
        name = profile.export_files.get(dimension, dimension)
        for variant, suffix in (("monthly", "rank"), ("accumulated", "accumulated-rank")):
            table = ranking_table(read, profile, dimension, variant)
            if table is not None and (variant == "monthly" or dimension in ("data", "model", "overall")):
                files.append((f"{name}-{suffix}", _order(table, profile), "ranking"))
        if dimension == "overall":
            continue
        summary = metric_table(read, dimension)
        if summary is None:
            continue
        files.append((f"{name}-summary", summary, "summary"))
        if dimension in ("data", "model") and previous is not None:
            last = metric_table(previous, dimension)
            if last is not None:  # a month without a previous summary has no delta (the first month)
                files.append((f"{name}-summary-delta", summary_delta(summary, last), "delta"))
    return files


def _emit(frame: pl.DataFrame, profile: Profile, path: Path, fmt: str, text: str | None = None) -> Path:
    """Write a layout file with the profile's column names, empty columns left out and float text."""
    columns = profile.export_columns
    empty = [
        c for c in profile.export_omit_empty if c in frame.columns and frame[c].null_count() == frame.height
    ]
    frame = frame.drop(empty)
    frame = frame.rename({k: v for k, v in columns.items() if k in frame.columns})
    if fmt == "csv" and profile.export_float_text == "python":
        frame = python_float_text(frame)
    return _write(frame, path, fmt, text)


def export_month(
    read: Reader, profile: Profile, out: Path, fmt: str = "csv", previous: Reader | None = None
) -> list[Path]:
    """``<dim>-rank``, ``<dim>-accumulated-rank`` and ``<dim>-summary`` files of one month, the
    ``{data,model}-summary-delta`` files when ``previous`` reads last month's tables and it has a
    summary, ``gaps`` (each platform table not collected and each dimension not ranked that month; no
    rows: none), plus every stored score and metric table under ``tables/`` (``export_tables``).

    File and column names follow the profile's ``export`` section (osir-published uses the published
    names, so its files diff directly against the published ones; with ``inputs_text: as-read`` its
    system/benchmark summaries keep the BOM and line endings of the hand-input files, as published).
    """
    out.mkdir(parents=True, exist_ok=True)
    forms = input_text_forms(read) if profile.export_inputs_text == "as-read" else {}
    texts = {f"{profile.export_files.get(d, d)}-summary": form for d, form in forms.items()}
    written = [
        _emit(frame, profile, out / stem, fmt, texts.get(stem))
        for stem, frame, _ in layout_files(read, profile, previous)
    ]
    # what the month's ranks are missing, always written: no rows means every source was collected
    written.append(_write(gap_rows(read("raw", "snapshot_manifest")), out / "gaps", fmt))
    return written + export_tables(read, out / "tables", fmt)


def export_all_months(reads: dict[str, Reader], profile: Profile, out: Path, fmt: str = "csv") -> list[Path]:
    """Every month at once: one file per ranking and per summary, ``month`` first, the months oldest
    first and each month's rows in its own file's order (``out/<stem>.<fmt>``). A column some months lack
    (a metric added later, the first month's delta rank) is empty in those months."""
    out.mkdir(parents=True, exist_ok=True)
    stems: dict[str, list[pl.DataFrame]] = {}
    for month, read in sorted(reads.items()):
        for stem, frame, kind in layout_files(read, profile):
            if kind != "delta":
                stems.setdefault(stem, []).append(frame.select(pl.lit(month).alias("month"), pl.all()))
    return [
        _emit(pl.concat(frames, how="diagonal_relaxed"), profile, out / stem, fmt)
        for stem, frames in stems.items()
    ]


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
