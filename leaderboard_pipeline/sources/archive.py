"""Read a folder in the published OSIR-LMTS layout (the real archive or our bundled demo).

Layout: ``snapshots/<YYYY-MM-DD>/<Platform>/raw-{models,datasets}-info.jsonl``,
``snapshots/<date>/{infra,eval}-summary.csv``, ``snapshots/other-source-datasets.jsonl`` and
``config/{org-links,model-info,dataset-info}.json``. A dated folder is the month partition ``YYYY-MM``.
Only raw inputs are read; the published processed/merged/summary/rank files are never inputs.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from leaderboard_pipeline.config.curated import read_curated_metrics
from leaderboard_pipeline.config.settings import CURATED_METRICS
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.published_defects import describe
from leaderboard_pipeline.contract.raw_tables import PLATFORM_TABLES, RAW_SCHEMAS, conform, empty_raw

DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Field names of the published raw records -> our raw columns.
_RENAMES = {"repo": "namespace", "model_name": "name", "dataset_name": "name"}

# Fields a record must carry, per raw table (named as in the published files).
_REQUIRED = {
    "hf_models": ("repo", "model_name", "downloads_last_month", "date_crawl"),
    "hf_datasets": ("repo", "dataset_name", "downloads_last_month", "date_crawl"),
    "ms_models": ("repo", "model_name", "total_downloads", "date_crawl"),
    "ms_datasets": ("repo", "dataset_name", "total_downloads", "date_crawl"),
    "odl_datasets": ("org", "repo", "dataset_name", "total_downloads", "date_crawl"),
    "baai_datasets": ("org", "repo", "dataset_name", "total_downloads", "date_crawl"),
}

# Platform names used in org-links.json -> ours.
_LINK_PLATFORMS = {
    "HuggingFace": "HuggingFace",
    "ModelScope": "ModelScope",
    "OpenDataLab": "OpenDataLab",
    "BAAI Data": "BAAIData",
    "BAAIData": "BAAIData",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _locate_bad_line(path: Path, table: str) -> str:
    """Find the first line that is not a JSON object carrying the required fields."""
    required = _REQUIRED[table]
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                return f"{path}:{number}: not valid JSON ({exc.msg})"
            if not isinstance(record, dict):
                return f"{path}:{number}: expected a JSON object"
            missing = [k for k in required if record.get(k) is None]
            if missing:
                return f"{path}:{number}: missing field(s) {', '.join(missing)}"
            for key in required:
                if key.endswith("downloads") or key == "downloads_last_month":
                    if not isinstance(record[key], int):
                        return f"{path}:{number}: field {key} must be an integer, got {record[key]!r}"
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(record["date_crawl"])):
                return f"{path}:{number}: date_crawl must be YYYY-MM-DD, got {record['date_crawl']!r}"
    return f"{path}: unreadable"


def read_platform_file(path: Path, table: str, month: str) -> pl.DataFrame:
    """One raw JSONL file -> the raw table's frame. Errors name the file and line."""
    source_schema = {
        ("namespace" if c == "namespace" else c): dtype
        for c, dtype in RAW_SCHEMAS[table].items()
        if c not in ("month",)
    }
    # Read with the published field names; unknown extra fields (img_path, metadata, ...) are ignored.
    published = {
        "namespace": "repo",
        "name": "model_name" if table.endswith("models") else "dataset_name",
    }
    read_schema = {
        published.get(c, c): (pl.String if c == "date_crawl" else t) for c, t in source_schema.items()
    }
    try:
        frame = pl.read_ndjson(path, schema=read_schema, ignore_errors=False)
    except Exception as exc:  # polars raises several error types for bad JSON / bad types
        raise SourceError(_locate_bad_line(path, table)) from exc
    missing = frame.select(pl.any_horizontal(pl.col(list(_REQUIRED[table])).is_null())).to_series()
    if missing.any():
        raise SourceError(_locate_bad_line(path, table))
    frame = frame.rename({k: v for k, v in _RENAMES.items() if k in frame.columns})
    try:
        frame = frame.with_columns(
            pl.col("date_crawl").str.to_date("%Y-%m-%d"),
            pl.lit(month).alias("month"),
        )
    except Exception as exc:
        raise SourceError(_locate_bad_line(path, table)) from exc
    return conform(table, frame)


def read_summary_csv(path: Path, month: str) -> pl.DataFrame:
    """A hand-entered infra/eval summary -> long (org, position, metric, value).

    The published files come with or without a UTF-8 BOM and with LF or CRLF line endings. An empty cell
    is 0, and so is a trailing cell the published loader dropped (a short row), as the published pipeline
    read them; `ArchiveSource` counts both as warnings (`hand_inputs.published`).
    """
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not rows[0] or rows[0][0].strip() != "org":
        raise SourceError(f"{path}:1: the header must start with 'org'")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        raise SourceError(f"{path}:1: duplicate column names in the header")
    records = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise SourceError(f"{path}:{number}: {len(row)} cells, the header has {len(header)}")
        row = row + [""] * (len(header) - len(row))
        org = row[0].strip()
        if not org:
            raise SourceError(f"{path}:{number}: empty org")
        if org in seen:
            raise SourceError(f"{path}:{number}: org {org!r} appears twice")
        seen.add(org)
        for metric, cell in zip(header[1:], row[1:], strict=True):
            try:
                value = float(cell) if cell.strip() else 0.0
            except ValueError:
                raise SourceError(f"{path}:{number}: column {metric}: {cell!r} is not a number") from None
            if value != value or value < 0:
                raise SourceError(f"{path}:{number}: column {metric}: {cell!r} must be a non-negative number")
            records.append((month, org, len(seen), metric, value))
    return pl.DataFrame(records, schema=RAW_SCHEMAS["system_inputs"], orient="row")


def read_other_sources(path: Path, month: str) -> pl.DataFrame:
    if not path.exists():
        return empty_raw("other_source_datasets")
    try:
        frame = pl.read_ndjson(
            path,
            schema={k: pl.String for k in ("org", "repo", "dataset_name", "link", "modality", "lifecycle")},
        )
    except Exception as exc:
        raise SourceError(f"{path}: not valid JSON lines ({exc})") from exc
    bad = frame.with_row_index("line", offset=1).filter(
        pl.any_horizontal(pl.col("org", "dataset_name").is_null())
    )
    if bad.height:
        raise SourceError(f"{path}:{bad['line'][0]}: missing org or dataset_name")
    frame = frame.rename({"repo": "namespace", "dataset_name": "name"}).with_columns(month=pl.lit(month))
    return conform("other_source_datasets", frame)


def _namespace_from_url(url: str, platform: str) -> str:
    parsed = urlparse(url)
    if platform == "OpenDataLab":
        match = re.search(r"createdBy=(\d+)", parsed.query)
        if match:
            return match.group(1)
    if platform == "BAAIData":
        return "BAAI"
    segments = [s for s in parsed.path.split("/") if s]
    if not segments:
        raise ValueError(url)
    return segments[-1]


def read_org_links(path: Path, month: str) -> pl.DataFrame:
    try:
        links = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: cannot read the organisation links ({exc})") from exc
    records = []
    for org, platforms in links.items():
        if not org.strip():
            raise SourceError(f"{path}: an organisation has an empty name")
        for platform_name, urls in platforms.items():
            platform = _LINK_PLATFORMS.get(platform_name)
            if platform is None:
                raise SourceError(f"{path}: {org}: unknown platform {platform_name!r}")
            for url in urls:
                try:
                    records.append((month, org, platform, _namespace_from_url(url, platform)))
                except ValueError:
                    raise SourceError(
                        f"{path}: {org}/{platform_name}: cannot read a namespace from {url!r}"
                    ) from None
    return pl.DataFrame(records, schema=RAW_SCHEMAS["org_registry"], orient="row").unique(maintain_order=True)


def _read_labels(path: Path, table: str, month: str) -> pl.DataFrame:
    if not path.exists():
        return empty_raw(table)
    stat = path.stat()
    frame = _parse_labels(path, table, stat.st_mtime_ns, stat.st_size)
    return conform(table, frame.with_columns(month=pl.lit(month)))


@functools.lru_cache(maxsize=8)
def _parse_labels(path: Path, table: str, _mtime_ns: int, _size: int) -> pl.DataFrame:
    """The label JSON of an archive (one file for every month) parsed once per file version."""
    try:
        labels = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: cannot read labels ({exc})") from exc
    if not isinstance(labels, dict):
        raise SourceError(f"{path}: labels must be one JSON object keyed by '<namespace>/<name>'")
    # origin is ours to say, never read from the file
    columns = [c for c in RAW_SCHEMAS[table] if c not in ("month", "key", "origin")]
    for key, value in labels.items():
        if not isinstance(value, dict):
            raise SourceError(f"{path}: label {key!r} must be an object")
    return pl.DataFrame(
        {
            "key": list(labels),
            **{c: [v.get(c) for v in labels.values()] for c in columns},
        },
        schema={"key": pl.String, **{c: RAW_SCHEMAS[table][c] for c in columns}},
        strict=False,
    )


@dataclass
class ArchiveSource:
    """A folder in the published layout; ``name`` is "archive" or "demo"."""

    root: Path
    name: str = "archive"
    curated_path: Path | None = None
    require_config: bool = True  # False for a folder that only holds hand inputs
    # The published layout's hand inputs get our hand-input checks (hand_inputs.published); False where
    # the folder's inputs are ours and checked strictly before (CombinedSource).
    check_inputs: bool = True
    _folders: dict[str, Path] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        snapshots = self.root / "snapshots"
        if not snapshots.is_dir():
            raise SourceError(f"{snapshots}: not found (expected an archive in the published layout)")
        for folder in sorted(p for p in snapshots.iterdir() if p.is_dir() and DATE_FOLDER.match(p.name)):
            month = folder.name[:7]
            if month in self._folders:
                raise SourceError(
                    f"{folder}: a second dated folder for month {month} (first: {self._folders[month].name})"
                )
            self._folders[month] = folder

    def months(self) -> list[str]:
        return list(self._folders)

    def folder(self, month: str) -> Path:
        try:
            return self._folders[month]
        except KeyError:
            raise SourceError(
                f"{self.root}: no snapshot for month {month} (have {', '.join(self._folders) or 'none'})"
            ) from None

    def read_month(self, month: str) -> dict[str, pl.DataFrame]:
        folder = self.folder(month)
        tables: dict[str, pl.DataFrame] = {}
        manifest = []

        defects: dict[str, str | None] = {}

        def note(table: str, path: Path, frame: pl.DataFrame, detail: str | None = None) -> None:
            # the manifest's detail: the rules the file breaks, if any, and its text form (hand inputs)
            said = "; ".join(d for d in (defects.get(table), detail) if d) or None
            manifest.append(file_entry(month, self.name, table, path, frame, said))

        for table, (platform, kind) in PLATFORM_TABLES.items():
            path = folder / platform / f"raw-{kind}-info.jsonl"
            if path.exists():
                tables[table] = read_platform_file(path, table, month)
                note(table, path, tables[table])
            else:
                tables[table] = empty_raw(table)
        summaries = {}
        for table, stem in (("system_inputs", "infra"), ("benchmark_inputs", "eval")):
            path = folder / f"{stem}-summary.csv"
            tables[table] = read_summary_csv(path, month) if path.exists() else empty_raw(table)
            summaries[table] = path
        if self.check_inputs:  # read first: a malformed cell is named as the reader names it
            defects.update(self._check_hand_inputs(folder, month))
        for table, path in summaries.items():
            if path.exists():
                note(table, path, tables[table], text_form(path))
        other = self.root / "snapshots" / "other-source-datasets.jsonl"
        tables["other_source_datasets"] = read_other_sources(other, month)
        if other.exists():
            note("other_source_datasets", other, tables["other_source_datasets"])
        config = self.root / "config"
        links = config / "org-links.json"
        if links.exists():
            tables["org_registry"] = read_org_links(links, month)
            note("org_registry", links, tables["org_registry"])
        elif self.require_config:
            raise SourceError(f"{links}: not found (every archive needs its organisation links)")
        else:
            tables["org_registry"] = empty_raw("org_registry")
        for table, stem in (("model_labels", "model-info"), ("dataset_labels", "dataset-info")):
            path = config / f"{stem}.json"
            tables[table] = _read_labels(path, table, month)
            if path.exists():
                note(table, path, tables[table])
        curated = self.curated_path or self.root / "curated-metrics.yaml"
        if not curated.exists():
            curated = CURATED_METRICS
        tables["curated_metrics"] = read_curated_metrics(curated, month)
        note("curated_metrics", curated, tables["curated_metrics"])
        tables["code_repos"] = empty_raw("code_repos")
        tables["input_evidence"] = empty_raw("input_evidence")
        tables["snapshot_manifest"] = files_manifest(manifest)
        # The published layout has no OpenI and no Hub census: those tables are empty (unknown), not absent.
        return {t: tables.get(t, empty_raw(t)) for t in RAW_SCHEMAS}

    def check_hand_inputs(self, months: list[str]) -> None:
        """Before a run: SourceError (file, line, column) at the first month whose summaries break a
        rule that is an error for the published layout; nothing is read but the summaries."""
        if not self.check_inputs:
            return
        for month in months:
            folder = self.folder(month)
            for stem in ("infra", "eval"):
                if (folder / f"{stem}-summary.csv").exists():
                    read_summary_csv(folder / f"{stem}-summary.csv", month)
            self._check_hand_inputs(folder, month)

    def _check_hand_inputs(self, folder: Path, month: str) -> dict[str, str | None]:
        """Our hand-input checks on the month's summaries: SourceError at the first error (file, line,
        column); the rules the published archive breaks -> table -> manifest detail counting them."""
        from leaderboard_pipeline.sources.hand_inputs.published import check_published_month, rule_counts
        from leaderboard_pipeline.sources.hand_inputs.sheets import errors

        found = check_published_month(self.root, folder, month)
        failed = [p for problems in found.values() for p in errors(problems)]
        if failed:
            more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
            raise SourceError(f"{failed[0]}{more}")
        details = {}
        for dimension, problems in found.items():
            warned = [p for p in problems if p.rule]
            spots = [f"{p.file.name}:{p.line or '-'}{f' {p.column}' if p.column else ''}" for p in warned]
            where = ", ".join(spots[:4]) + (", …" if len(spots) > 4 else "")
            details[f"{dimension}_inputs"] = describe(rule_counts(problems), where)
        return details


def has_raw_files(folder: Path) -> bool:
    """A dated folder holding any raw platform file is a crawled (archive) month; one with only hand
    inputs is a month still to be collected."""
    return any(
        (folder / platform / f"raw-{kind}-info.jsonl").exists() for platform, kind in PLATFORM_TABLES.values()
    )


def files_manifest(entries: list[tuple]) -> pl.DataFrame:
    """Manifest rows of files read: (month, source, table, path, sha256, rows, detail) each."""
    return pl.DataFrame(
        [(*m[:6], None, None, None, None, None, "ok", m[6]) for m in entries],
        schema=RAW_SCHEMAS["snapshot_manifest"],
        orient="row",
    )


def file_entry(
    month: str, source: str, table: str, path: Path, frame: pl.DataFrame, detail: str | None = None
) -> tuple:
    return (month, source, table, str(path), _sha256(path), frame.height, detail)


def text_form(path: Path) -> str:
    """A hand-entered summary's encoding and line endings, e.g. "UTF-8 with BOM, CRLF line endings": the
    published folders hold these files as typed (a BOM from Excel, CRLF from Python's csv writer), so an
    export that is to diff against them writes the same form (`export.inputs_text: as-read`)."""
    data = path.read_bytes()
    bom = " with BOM" if data.startswith(b"\xef\xbb\xbf") else ""
    ending = "CRLF" if b"\r\n" in data else "LF"
    return f"UTF-8{bom}, {ending} line endings"
