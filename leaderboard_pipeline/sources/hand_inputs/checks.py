"""The rules a month of hand inputs must pass (registry orgs, the profile's and last month's columns,
no empty cell, evidence), as `Problem` s that `leaderboard inputs check` prints all of."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from leaderboard_pipeline.config.profiles import Profile
from leaderboard_pipeline.config.registry import RegistryError, load_registry
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.hand_inputs.evidence import (
    acknowledged_columns,
    check_evidence,
    read_evidence_sheet,
)
from leaderboard_pipeline.sources.hand_inputs.sheets import (
    REGISTRY,
    STEMS,
    WARNING,
    WHOLE_COLUMN,
    Problem,
    Summary,
    errors,
    evidence_name,
    read_summary,
    shown,
    summary_name,
    unknown_name,
)

# Rules a source of the published layout may count instead of refusing (see published.py).
EMPTY_CELL, SHORT_ROW, CHANGED_COLUMN, DROPPED_ORG = (
    "empty_cells",
    "short_rows",
    "changed_columns",
    "dropped_orgs",
)


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
            rule = SHORT_ROW if len(cells) < width else ""
            problems.append(
                Problem(path, line, None, f"{len(cells)} cells, the header has {width}", rule=rule)
            )
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
                where = f"in the registry {shown(registry_path)}"
                problems.append(
                    Problem(path, line, sheet.column(0), unknown_name("org", org, registry, where))
                )
        for index, cell in enumerate(cells[1:], start=1):
            message = _check_cell(cell)
            if message:
                rule = EMPTY_CELL if not cell else ""
                problems.append(Problem(path, line, sheet.column(index), message, rule=rule))
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
    where = f"a {dimension} metric of profile {profile.name} ({shown(profile.path)})"
    for index, name in enumerate(sheet.header[1:], start=1):
        if name and name not in known:
            problems.append(
                Problem(sheet.path, 1, sheet.column(index), unknown_name("column", name, known, where))
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
    sheet, last, problems = summary.sheet, shown(previous.sheet.path), []
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
                    rule=CHANGED_COLUMN,
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
                    rule=CHANGED_COLUMN,
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
                    rule=DROPPED_ORG,
                )
            )
    return problems


# -- a month -----------------------------------------------------------------------------------------


def month_folders(root: Path) -> dict[str, Path]:
    """month -> dated folder; none when the root holds no snapshots yet."""
    if not (Path(root) / "snapshots").is_dir():
        return {}
    source = ArchiveSource(Path(root), require_config=False)
    return {m: source.folder(m) for m in source.months()}


def previous_file(root: Path, month: str, name: str) -> tuple[str, Path] | None:
    """(month, path) of the latest earlier month whose folder holds the file ``name``."""
    earlier = [(m, f / name) for m, f in month_folders(root).items() if m < month and (f / name).exists()]
    return earlier[-1] if earlier else None


def latest_month(root: Path) -> str | None:
    months = list(month_folders(root))
    return months[-1] if months else None


def has_hand_inputs(root: Path, month: str) -> bool:
    folder = month_folders(root).get(month)
    return folder is not None and any((folder / summary_name(d)).exists() for d in STEMS)


def check_month(root: Path, month: str, profile: Profile, registry_path: Path = REGISTRY) -> list[Problem]:
    """Every problem of a month's hand inputs under ``root``, errors and warnings, in file order."""
    root = Path(root)
    try:
        folder = month_folders(root).get(month)
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
                problems += check_evidence(evidence, summary, previous, month)
        if previous is not None:
            problems += _check_against_previous(summary, previous, acknowledged_columns(evidence))
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
