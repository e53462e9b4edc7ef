"""Starting a month's hand inputs from the latest earlier month (`leaderboard inputs new`)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leaderboard_pipeline.config.profiles import Profile
from leaderboard_pipeline.config.registry import RegistryError, load_registry
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.months import MONTH
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
