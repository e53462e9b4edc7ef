"""Our own hand inputs, month after month: start a month from the last one, check it, read its evidence.

A month's hand inputs live in ``<root>/snapshots/<YYYY-MM-DD>/`` (the published layout):

- ``infra-summary.csv`` (system) and ``eval-summary.csv`` (benchmark): ``org`` + one column per metric,
  one row per ranked org;
- beside each, optionally, ``infra-evidence.csv`` / ``eval-evidence.csv``: ``org,metric,url,note,
  carried_from``, one row per value. Org ``*`` speaks for a whole column (why it was added or dropped).
  ``carried_from`` (YYYY-MM) marks a value carried forward by ``leaderboard inputs new`` and not yet
  reviewed; the person who reviews the value empties the cell.

Every rule returns :class:`Problem` s (file, line, column, message, severity) instead of raising, so
``leaderboard inputs check`` prints them all; the combined sources raise the first error before anything
is collected. The published archive is never checked with these rules: it keeps its published behaviour
(an empty cell counts as 0, columns change from month to month).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from leaderboard_pipeline import settings
from leaderboard_pipeline.profiles import Profile
from leaderboard_pipeline.raw_tables import RAW_SCHEMAS, empty_raw
from leaderboard_pipeline.registry import RegistryError, load_registry
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.base import SourceError

STEMS = {"system": "infra", "benchmark": "eval"}  # dimension -> file stem of the published layout
EVIDENCE_COLUMNS = ("org", "metric", "url", "note", "carried_from")
WHOLE_COLUMN = "*"  # evidence org that speaks for the whole column
ERROR, WARNING = "error", "warning"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
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

    def __str__(self) -> str:
        where = f"{_shown(self.file)}:{self.line}" if self.line else _shown(self.file)
        tag = " warning:" if self.severity == WARNING else ""
        column = f" column {self.column}:" if self.column else ""
        return f"{where}:{tag}{column} {self.message}"


def _shown(path: Path) -> str:
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


def _column(header: Sequence[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    return f"{_letter(index)} ({name})" if name else _letter(index)


@dataclass
class Sheet:
    """A CSV as typed: its header and non-blank rows with their line numbers (cells stripped)."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def column(self, index: int) -> str:
        return _column(self.header, index)


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


def _closest(name: str, known: Iterable[str]) -> str | None:
    known = list(known)
    folded = {k.casefold(): k for k in known}
    match = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def _unknown(what: str, name: str, known: Iterable[str], where: str) -> str:
    closest = _closest(name, known)
    hint = f"did you mean {closest!r}?" if closest else f"known: {', '.join(sorted(known)) or 'none'}"
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


def _check_cell(cell: str) -> str | None:
    if not cell:
        return "empty cell (unknown is not 0: type the value, 0 if it really is none)"
    try:
        value = float(cell)
    except ValueError:
        return f"{cell!r} is not a number"
    if value != value or value in (float("inf"), float("-inf")):
        return f"{cell!r} is not a number"
    if value < 0:
        return f"{cell!r} is negative"
    return None


def _check_rows(summary: Summary, registry: Sequence[str] | None, registry_path: Path) -> list[Problem]:
    sheet, problems = summary.sheet, []
    width, first_line = len(sheet.header), {}
    for line, cells in sheet.rows:
        path = sheet.path
        if len(cells) != width:
            problems.append(Problem(path, line, None, f"{len(cells)} cells, the header has {width}"))
            continue
        org = cells[0]
        if not org:
            problems.append(Problem(path, line, sheet.column(0), "empty org"))
        elif org in first_line:
            problems.append(
                Problem(
                    path,
                    line,
                    sheet.column(0),
                    f"org {org!r} appears twice (first on line {first_line[org]})",
                )
            )
        else:
            first_line[org] = line
            if registry is not None and org not in registry:
                where = f"in the registry {_shown(registry_path)}"
                problems.append(Problem(path, line, sheet.column(0), _unknown("org", org, registry, where)))
        for index, cell in enumerate(cells[1:], start=1):
            message = _check_cell(cell)
            if message:
                problems.append(Problem(path, line, sheet.column(index), message))
    return problems


def profile_columns(profile: Profile, dimension: str) -> tuple[tuple[str, ...], bool]:
    """(columns, required): for a dimension of hand inputs the columns its categories name (the allowed
    ones; the month's file decides which are used), else the profile's explicit metric list (every one
    required)."""
    spec = profile.dimensions[dimension]
    # a dimension of hand inputs (its listed metrics, if any, come from elsewhere: code repositories)
    if spec.inputs or spec.metrics is None:
        return tuple(spec.categories), False
    return profile.metric_columns(dimension), True


def _check_profile_columns(summary: Summary, profile: Profile, dimension: str) -> list[Problem]:
    known, required = profile_columns(profile, dimension)
    sheet, problems = summary.sheet, []
    if not known:
        return problems
    where = f"a {dimension} metric of profile {profile.name} ({_shown(profile.path)})"
    for index, name in enumerate(sheet.header[1:], start=1):
        if name and name not in known:
            problems.append(
                Problem(sheet.path, 1, sheet.column(index), _unknown("column", name, known, where))
            )
    if required:
        for name in known:
            if name not in summary.columns:
                problems.append(
                    Problem(sheet.path, 1, None, f"column {name!r} of profile {profile.name} is missing")
                )
    return problems


def _check_against_previous(summary: Summary, previous: Summary, acknowledged: set[str]) -> list[Problem]:
    """Columns must be last month's (a change alters every org's score, so it needs a reason), and an org
    of last month that is gone is worth a look (a typo drops the real org out of the ranking)."""
    sheet, last, problems = summary.sheet, _shown(previous.sheet.path), []
    evidence = sheet.path.with_name(sheet.path.name.replace("-summary", "-evidence"))
    for index, name in enumerate(sheet.header[1:], start=1):
        if name and name not in previous.columns and name not in acknowledged:
            problems.append(
                Problem(
                    sheet.path,
                    1,
                    sheet.column(index),
                    f"new column: not in last month's {last}; a new metric changes every org's score, so "
                    f"if it is intended say why in {evidence.name}: a row '{WHOLE_COLUMN},{name},<url>,<note>'",
                )
            )
    for name in previous.columns:
        if name and name not in summary.columns and name not in acknowledged:
            problems.append(
                Problem(
                    sheet.path,
                    1,
                    None,
                    f"column {name!r} of last month's {last} is missing; if dropping it is intended say why "
                    f"in {evidence.name}: a row '{WHOLE_COLUMN},{name},<url>,<note>'",
                )
            )
    for org, line in previous.orgs.items():
        if org not in summary.orgs:
            problems.append(
                Problem(
                    sheet.path,
                    None,
                    None,
                    f"org {org!r} of last month ({last}:{line}) is not in this file: it will not be ranked",
                    WARNING,
                )
            )
    return problems


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
        return _column(self.names, self.names.index(name)) if name in self.names else name


def read_evidence_sheet(path: Path) -> tuple[EvidenceSheet | None, list[Problem]]:
    """An evidence file. Columns may come in any order; url, note and carried_from may be left out
    (empty); trailing empty cells may be missing, as some spreadsheet exports do."""
    sheet, problems = read_sheet(path)
    if sheet is None:
        return None, problems
    names = [h.casefold() for h in sheet.header]
    for index, name in enumerate(names):
        if name not in EVIDENCE_COLUMNS:
            message = _unknown("column", sheet.header[index], EVIDENCE_COLUMNS, "an evidence column")
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


def _check_evidence(
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
                Problem(path, row.line, column("org"), _unknown("org", row.org, summary.orgs, where))
            )
        allowed = summary.columns + sorted(dropped) if row.org == WHOLE_COLUMN else summary.columns
        if not row.metric:
            problems.append(Problem(path, row.line, column("metric"), "empty metric"))
        elif row.metric not in allowed:
            where = f"a column of {summary.sheet.path.name}"
            problems.append(
                Problem(path, row.line, column("metric"), _unknown("metric", row.metric, allowed, where))
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


def _acknowledged(evidence: EvidenceSheet | None) -> set[str]:
    """Columns whose change this month a person explained: a reviewed '*' row."""
    rows = evidence.rows if evidence else ()
    return {r.metric for r in rows if r.org == WHOLE_COLUMN and not r.carried_from}


# -- a month -----------------------------------------------------------------------------------------


def _folders(root: Path) -> dict[str, Path]:
    """month -> dated folder; none when the root holds no snapshots yet."""
    if not (Path(root) / "snapshots").is_dir():
        return {}
    source = ArchiveSource(Path(root), require_config=False)
    return {m: source.folder(m) for m in source.months()}


def previous_file(root: Path, month: str, name: str) -> tuple[str, Path] | None:
    """(month, path) of the latest earlier month whose folder holds the file ``name``."""
    earlier = [(m, f / name) for m, f in _folders(root).items() if m < month and (f / name).exists()]
    return earlier[-1] if earlier else None


def latest_month(root: Path) -> str | None:
    months = list(_folders(root))
    return months[-1] if months else None


def has_hand_inputs(root: Path, month: str) -> bool:
    folder = _folders(root).get(month)
    return folder is not None and any((folder / summary_name(d)).exists() for d in STEMS)


def check_month(root: Path, month: str, profile: Profile, registry_path: Path = REGISTRY) -> list[Problem]:
    """Every problem of a month's hand inputs under ``root``, errors and warnings, in file order."""
    root = Path(root)
    try:
        folder = _folders(root).get(month)
    except SourceError as exc:
        return [Problem(root / "snapshots", None, None, str(exc))]
    if folder is None:
        return [
            Problem(
                root / "snapshots",
                None,
                None,
                f"no folder for {month} (start it: leaderboard inputs new --month {month})",
            )
        ]
    problems: list[Problem] = []
    try:
        registry: list[str] | None = [o.name for o in load_registry(registry_path).orgs]
    except RegistryError as exc:
        registry = None
        problems.append(Problem(Path(registry_path), None, None, str(exc)))
    orgs: dict[str, Summary] = {}
    for dimension in STEMS:
        path = folder / summary_name(dimension)
        if not path.exists():
            problems.append(
                Problem(path, None, None, f"missing: every month needs its {dimension} hand input")
            )
            continue
        summary, found = read_summary(path)
        problems += found
        if summary is None:
            continue
        orgs[dimension] = summary
        problems += _check_profile_columns(summary, profile, dimension)
        problems += _check_rows(summary, registry, Path(registry_path))
        before = previous_file(root, month, path.name)
        previous = read_summary(before[1])[0] if before else None
        evidence_path = folder / evidence_name(dimension)
        evidence = None
        if evidence_path.exists():
            evidence, found = read_evidence_sheet(evidence_path)
            problems += found
            if evidence is not None:
                problems += _check_evidence(evidence, summary, previous, month)
        if previous is not None:
            problems += _check_against_previous(summary, previous, _acknowledged(evidence))
    if len(orgs) == 2:
        problems += _check_same_orgs(orgs["system"], orgs["benchmark"])
    return problems


def _check_same_orgs(system: Summary, benchmark: Summary) -> list[Problem]:
    """Both files rank the same orgs: an org missing from one would get unknown values counted as 0."""
    problems = []
    for this, other in ((system, benchmark), (benchmark, system)):
        for org, line in this.orgs.items():
            if org not in other.orgs:
                problems.append(
                    Problem(
                        this.sheet.path,
                        line,
                        this.sheet.column(0),
                        f"org {org!r} is not in {other.sheet.path.name}",
                    )
                )
    return problems


def one_line(problems: list[Problem], month: str) -> str:
    """The first error, and how to see the rest: for a run that must stop before any request."""
    found = errors(problems)
    more = f" (+{len(found) - 1} more: leaderboard inputs check --month {month})" if len(found) > 1 else ""
    return f"{found[0]}{more}"


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


# -- starting a month --------------------------------------------------------------------------------


@dataclass
class Started:
    folder: Path
    carried_from: dict[str, str | None]  # file name -> month it was carried from (None: started empty)
    orgs: dict[str, int]
    columns: dict[str, int]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _folder_date(month: str, date: str | None) -> str:
    if date is None:
        today = dt.date.today()
        return today.isoformat() if today.strftime("%Y-%m") == month else f"{month}-01"
    try:
        parsed = dt.date.fromisoformat(date)
    except ValueError:
        raise SourceError(f"--date: {date!r} is not a date YYYY-MM-DD") from None
    if parsed.strftime("%Y-%m") != month:
        raise SourceError(f"--date {date}: not in month {month}")
    return parsed.isoformat()


def start_month(
    root: Path, month: str, profile: Profile, registry_path: Path = REGISTRY, date: str | None = None
) -> Started:
    """Create ``<root>/snapshots/<date>/`` for ``month`` from the latest earlier month's files, every
    value marked carried forward in the evidence files; with no earlier month, the registry's orgs and
    the profile's columns with empty cells. Written beside the target and renamed into place, so a
    failure leaves no half-written month."""
    root = Path(root)
    if not MONTH.match(month):
        raise SourceError(f"--month: {month!r} is not a month YYYY-MM")
    existing = _folders(root).get(month)
    if existing is not None:
        raise SourceError(
            f"{existing}: month {month} already has its hand inputs folder (edit it, or remove it to start again)"
        )
    target = root / "snapshots" / _folder_date(month, date)
    try:
        registry = [o.name for o in load_registry(registry_path).orgs]
    except RegistryError as exc:
        raise SourceError(str(exc)) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".new-{month}-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the month folder is a normal folder
    started = Started(target, {}, {}, {})
    try:
        for dimension in STEMS:
            _start_dimension(root, month, dimension, profile, registry, staging, started)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return started


def _start_dimension(root, month, dimension, profile, registry, staging: Path, started: Started) -> None:
    name = summary_name(dimension)
    before = previous_file(root, month, name)
    if before is None:
        columns = list(profile_columns(profile, dimension)[0])
        orgs = list(registry)
        _write_csv(staging / name, ["org", *columns], ([org, *[""] * len(columns)] for org in orgs))
        evidence = [(org, metric, "", "", "") for org in orgs for metric in columns]
        started.carried_from[name] = None
    else:
        last_month, path = before
        summary, problems = read_summary(path)
        if summary is None:
            raise SourceError(f"cannot carry {path} forward: {problems[0]}")
        columns, orgs = summary.columns, list(summary.orgs)
        _write_csv(staging / name, summary.sheet.header, (cells for _, cells in summary.sheet.rows))
        old_path = path.with_name(evidence_name(dimension))
        old_sheet = read_evidence_sheet(old_path)[0] if old_path.exists() else None
        old = {(r.org, r.metric): r for r in old_sheet.rows} if old_sheet else {}

        def carried(org: str, metric: str) -> tuple[str, str, str, str, str]:
            row = old.get((org, metric))
            # a value never reviewed keeps the month it was first carried from
            since = (row.carried_from if row else "") or last_month
            return (org, metric, row.url if row else "", row.note if row else "", since)

        # '*' rows explain last month's change of columns: they are not carried forward
        evidence = [carried(org, metric) for org in orgs for metric in columns]
        started.carried_from[name] = last_month
    _write_csv(staging / evidence_name(dimension), EVIDENCE_COLUMNS, evidence)
    started.orgs[name], started.columns[name] = len(orgs), len(columns)
