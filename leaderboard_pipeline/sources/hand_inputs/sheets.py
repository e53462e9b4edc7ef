"""Reading hand-input CSVs as typed: file layout, sheets, summaries, and `Problem` (file, line, column)."""

from __future__ import annotations

import csv
import difflib
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leaderboard_pipeline.config import settings

STEMS = {"system": "infra", "benchmark": "eval"}  # dimension -> file stem of the published layout
EVIDENCE_COLUMNS = ("org", "metric", "url", "note", "carried_from")
WHOLE_COLUMN = "*"  # evidence org that speaks for the whole column
ERROR, WARNING = "error", "warning"
REGISTRY = settings.DATA_DIR / "registry" / "orgs.yaml"


def default_root() -> Path:
    """Where live months' hand inputs are kept: ``$LEADERBOARD_INPUTS`` or ``data/inputs``."""
    return Path(os.environ.get(settings.ENV_INPUTS) or settings.DATA_DIR / "inputs")


def summary_name(dimension: str) -> str:
    return f"{STEMS[dimension]}-summary.csv"


def evidence_name(dimension: str) -> str:
    return f"{STEMS[dimension]}-evidence.csv"


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int | None
    column: str | None  # spreadsheet letter and header name, e.g. "C (num_operators)"
    message: str
    severity: str = ERROR
    rule: str = ""  # which rule, where a source may treat it differently (published_rules.PUBLISHED_BREAKS)

    def __str__(self) -> str:
        where = f"{shown(self.file)}:{self.line}" if self.line else shown(self.file)
        tag = " warning:" if self.severity == WARNING else ""
        column = f" column {self.column}:" if self.column else ""
        return f"{where}:{tag}{column} {self.message}"


def shown(path: Path) -> str:
    """Paths under the working directory are shown relative to it, as people type them."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


# -- reading a sheet ---------------------------------------------------------------------------------


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as a spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_column(header: Sequence[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    return f"{_letter(index)} ({name})" if name else _letter(index)


@dataclass
class Sheet:
    """A CSV as typed: its header and non-blank rows with their line numbers (cells stripped)."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def column(self, index: int) -> str:
        return sheet_column(self.header, index)


def read_sheet(path: Path) -> tuple[Sheet | None, list[Problem]]:
    """Spreadsheet exports come with or without a UTF-8 BOM, with LF or CRLF line endings."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem(path, None, None, "not UTF-8 text (save the sheet as 'CSV UTF-8')")]
    except OSError as exc:
        return None, [Problem(path, None, None, f"cannot read: {exc.strerror or exc}")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
    except csv.Error as exc:
        return None, [Problem(path, reader.line_num, None, f"not valid CSV ({exc})")]
    if not lines:
        return None, [Problem(path, 1, None, "empty file: the first line must be the header")]
    (_, header), rows = lines[0], lines[1:]
    return Sheet(path, header, [(n, cells) for n, cells in rows if any(cells)]), []


def closest(name: str, known: Iterable[str]) -> str | None:
    known = list(known)
    folded = {k.casefold(): k for k in known}
    match = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def unknown_name(what: str, name: str, known: Iterable[str], where: str) -> str:
    near = closest(name, known)
    hint = f"did you mean {near!r}?" if near else f"known: {', '.join(sorted(known)) or 'none'}"
    return f"{what} {name!r} is not {where} ({hint})"


# -- summaries ---------------------------------------------------------------------------------------


@dataclass
class Summary:
    sheet: Sheet
    columns: list[str]  # metric columns, in file order
    orgs: dict[str, int]  # org -> line of its first row


def _check_header(sheet: Sheet) -> tuple[list[Problem], bool]:
    """(problems, fatal): without 'org' first, nothing of the file can be read."""
    path, header = sheet.path, sheet.header
    if not header or header[0] != "org":
        found = f" (found {header[0]!r})" if header and header[0] else ""
        return [Problem(path, 1, "A", f"the first column must be named 'org'{found}")], True
    problems = []
    if len(header) == 1:
        problems.append(Problem(path, 1, None, "no metric columns after 'org'"))
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            problems.append(Problem(path, 1, _letter(index), "empty column name"))
        elif name in seen:
            problems.append(
                Problem(path, 1, sheet.column(index), f"duplicate column (first in {_letter(seen[name])})")
            )
        else:
            seen[name] = index
    return problems, False


def read_summary(path: Path) -> tuple[Summary | None, list[Problem]]:
    sheet, problems = read_sheet(path)
    if sheet is None:
        return None, problems
    problems, fatal = _check_header(sheet)
    if fatal:
        return None, problems
    orgs: dict[str, int] = {}
    for line, cells in sheet.rows:
        if cells[0] and cells[0] not in orgs:
            orgs[cells[0]] = line
    return Summary(sheet, sheet.header[1:], orgs), problems
