"""Evidence files beside the summaries (``*-evidence.csv``): reading and checking them, and
``raw.input_evidence``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.months import MONTH
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS, empty_raw
from leaderboard_pipeline.sources.hand_inputs.sheets import (
    EVIDENCE_COLUMNS,
    STEMS,
    WARNING,
    WHOLE_COLUMN,
    Problem,
    Summary,
    errors,
    evidence_name,
    read_sheet,
    sheet_column,
    unknown_name,
)

# -- evidence ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    line: int
    org: str
    metric: str
    url: str
    note: str
    carried_from: str

    def informative(self) -> bool:
        return bool(self.url or self.note or self.carried_from)


@dataclass
class EvidenceSheet:
    path: Path
    names: list[str]  # header, case-folded
    rows: list[Evidence]

    def column(self, name: str) -> str:
        return sheet_column(self.names, self.names.index(name)) if name in self.names else name


def read_evidence_sheet(path: Path) -> tuple[EvidenceSheet | None, list[Problem]]:
    """An evidence file. Columns may come in any order; url, note and carried_from may be left out
    (empty); trailing empty cells may be missing, as some spreadsheet exports do."""
    sheet, problems = read_sheet(path)
    if sheet is None:
        return None, problems
    names = [h.casefold() for h in sheet.header]
    for index, name in enumerate(names):
        if name not in EVIDENCE_COLUMNS:
            message = unknown_name("column", sheet.header[index], EVIDENCE_COLUMNS, "an evidence column")
            problems.append(Problem(path, 1, sheet.column(index), message))
        elif names.index(name) != index:
            problems.append(Problem(path, 1, sheet.column(index), "duplicate column"))
    for name in ("org", "metric"):
        if name not in names:
            columns = ",".join(EVIDENCE_COLUMNS)
            problems.append(Problem(path, 1, None, f"missing column {name!r} (the header is {columns})"))
    if problems:
        return None, problems
    rows = []
    for line, cells in sheet.rows:
        if len(cells) > len(names) and any(cells[len(names) :]):
            problems.append(Problem(path, line, None, f"{len(cells)} cells, the header has {len(names)}"))
            continue
        value = {n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names)}
        rows.append(Evidence(line, *(value.get(c, "") for c in EVIDENCE_COLUMNS)))
    return EvidenceSheet(path, names, rows), problems


def _looks_like_url(text: str) -> bool:
    parsed = urlparse(text)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not re.search(r"\s", text)


def check_evidence(
    evidence: EvidenceSheet, summary: Summary, previous: Summary | None, month: str
) -> list[Problem]:
    path, column, problems = evidence.path, evidence.column, []
    dropped = set(previous.columns if previous else ()) - set(summary.columns)
    seen: dict[tuple[str, str], int] = {}
    carried: dict[str, list[Evidence]] = {}
    for row in evidence.rows:
        if not row.org:
            problems.append(Problem(path, row.line, column("org"), "empty org"))
        elif row.org != WHOLE_COLUMN and row.org not in summary.orgs:
            where = f"an org of {summary.sheet.path.name} (or '{WHOLE_COLUMN}' for the whole column)"
            problems.append(
                Problem(path, row.line, column("org"), unknown_name("org", row.org, summary.orgs, where))
            )
        allowed = summary.columns + sorted(dropped) if row.org == WHOLE_COLUMN else summary.columns
        if not row.metric:
            problems.append(Problem(path, row.line, column("metric"), "empty metric"))
        elif row.metric not in allowed:
            where = f"a column of {summary.sheet.path.name}"
            problems.append(
                Problem(path, row.line, column("metric"), unknown_name("metric", row.metric, allowed, where))
            )
        key = (row.org, row.metric)
        if key in seen:
            problems.append(
                Problem(
                    path, row.line, None, f"{row.org}/{row.metric} appears twice (first on line {seen[key]})"
                )
            )
        seen.setdefault(key, row.line)
        if row.url and not _looks_like_url(row.url):
            problems.append(Problem(path, row.line, column("url"), f"{row.url!r} is not an http(s) URL"))
        if row.carried_from:
            if not MONTH.match(row.carried_from) or row.carried_from >= month:
                problems.append(
                    Problem(
                        path,
                        row.line,
                        column("carried_from"),
                        f"{row.carried_from!r} must be an earlier month YYYY-MM (or empty once reviewed)",
                    )
                )
            else:
                carried.setdefault(row.org, []).append(row)
    for org, items in carried.items():
        names = ", ".join(r.metric for r in items[:3]) + (f", +{len(items) - 3}" if len(items) > 3 else "")
        since = min(r.carried_from for r in items)
        message = f"{org}: {len(items)} value(s) carried forward from {since}, not reviewed ({names})"
        problems.append(Problem(path, items[0].line, column("carried_from"), message, WARNING))
    return problems


def acknowledged_columns(evidence: EvidenceSheet | None) -> set[str]:
    """Columns whose change this month a person explained: a reviewed '*' row."""
    rows = evidence.rows if evidence else ()
    return {r.metric for r in rows if r.org == WHOLE_COLUMN and not r.carried_from}


def read_evidence(folder: Path, month: str) -> tuple[pl.DataFrame, list[tuple[str, Path, pl.DataFrame]]]:
    """raw.input_evidence of a checked month, and (table, file, rows) of each evidence file read.

    Rows that say nothing (no url, no note, not carried) are left out: they are the default."""
    frames, files = [], []
    for dimension in STEMS:
        path = Path(folder) / evidence_name(dimension)
        if not path.exists():
            continue
        evidence, problems = read_evidence_sheet(path)
        if evidence is None or errors(problems):
            raise SourceError(str(errors(problems)[0]))
        frame = pl.DataFrame(
            [
                (month, dimension, r.org, r.metric, r.url or None, r.note or None, r.carried_from or None)
                for r in evidence.rows
                if r.informative()
            ],
            schema=RAW_SCHEMAS["input_evidence"],
            orient="row",
        )
        frames.append(frame)
        files.append(("input_evidence", path, frame))
    return (pl.concat(frames) if frames else empty_raw("input_evidence")), files
