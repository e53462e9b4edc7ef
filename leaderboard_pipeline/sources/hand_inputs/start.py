"""Starting a month's hand inputs from the latest earlier month (`leaderboard inputs new`)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leaderboard_pipeline.config.profiles import Profile
from leaderboard_pipeline.config.registry import RegistryError, load_registry
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.months import MONTH
from leaderboard_pipeline.sources.archive import has_raw_files
from leaderboard_pipeline.sources.hand_inputs.checks import month_folders, previous_file, profile_columns
from leaderboard_pipeline.sources.hand_inputs.evidence import read_evidence_sheet
from leaderboard_pipeline.sources.hand_inputs.sheets import (
    EVIDENCE_COLUMNS,
    REGISTRY,
    STEMS,
    evidence_name,
    read_summary,
    summary_name,
)

# -- starting a month --------------------------------------------------------------------------------


@dataclass
class Started:
    folder: Path
    carried_from: dict[str, str | None]  # file name -> month it was carried from (None: started empty)
    orgs: dict[str, int]
    columns: dict[str, int]
    # file name -> what to look at before `inputs check` (carried from a published month: empty cells
    # written as the 0 they counted as; columns the profile does not know; orgs not in the registry)
    notes: dict[str, list[str]] = field(default_factory=dict)


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
    existing = month_folders(root).get(month)
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
        # A published (archive) month keeps its published behaviour, where an empty cell counted as 0:
        # carried forward, it is written as that 0, marked, so no cell of the new month is empty.
        published = has_raw_files(path.parent)
        rows, zeroed = [], set()
        for _, cells in summary.sheet.rows:
            if published:
                for index, cell in enumerate(cells[1 : len(summary.sheet.header)], start=1):
                    if not cell:
                        cells = [*cells[:index], "0", *cells[index + 1 :]]
                        zeroed.add((cells[0], summary.sheet.header[index]))
            rows.append(cells)
        _write_csv(staging / name, summary.sheet.header, rows)
        old_path = path.with_name(evidence_name(dimension))
        old_sheet = read_evidence_sheet(old_path)[0] if old_path.exists() else None
        old = {(r.org, r.metric): r for r in old_sheet.rows} if old_sheet else {}

        def carried(org: str, metric: str) -> tuple[str, str, str, str, str]:
            row = old.get((org, metric))
            # a value never reviewed keeps the month it was first carried from
            since = (row.carried_from if row else "") or last_month
            note = row.note if row else ""
            if (org, metric) in zeroed:
                note = f"empty in the published {path.name} of {last_month}, which counted it as 0"
            return (org, metric, row.url if row else "", note, since)

        # '*' rows explain last month's change of columns: they are not carried forward
        evidence = [carried(org, metric) for org in orgs for metric in columns]
        started.carried_from[name] = last_month
        started.notes[name] = _review_notes(summary.columns, orgs, profile, dimension, registry, zeroed)
    _write_csv(staging / evidence_name(dimension), EVIDENCE_COLUMNS, evidence)
    started.orgs[name], started.columns[name] = len(orgs), len(columns)


def _review_notes(
    columns: list[str], orgs: list[str], profile: Profile, dimension: str, registry, zeroed: set
) -> list[str]:
    """What the carried file holds that `inputs check` will ask about, beyond the carried values."""
    notes = []
    if zeroed:
        notes.append(
            f"{len(zeroed)} empty published cell(s) written as 0 (the published leaderboard's reading)"
        )
    known, _ = profile_columns(profile, dimension)
    unknown = [c for c in columns if known and c not in known]
    if unknown:
        notes.append(
            f"column(s) {', '.join(unknown)} are not {dimension} columns of profile {profile.name}: add them "
            f"to dimensions.{dimension}.categories of {profile.path.name}, or drop them (a '*' row in the "
            "evidence file says why)"
        )
    strangers = [o for o in orgs if o not in registry]
    if strangers:
        notes.append(f"org(s) {', '.join(strangers)} are not in the registry: add them or remove their rows")
    return notes
