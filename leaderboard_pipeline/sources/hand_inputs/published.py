"""The hand inputs of a folder in the published layout that we did not write (the archive's
`infra-summary.csv` / `eval-summary.csv`): the checks our own hand inputs pass, with the same severity,
except for the rules the published archive itself breaks, which are counted warnings.

Errors (the month is refused, naming file, line and column), as for ours: an org that is not in the
archive's own registry (`config/org-links.json`; a typo would rank a different, empty org), a duplicate
or empty org, a cell that is not a non-negative number, a row with more cells than the header, an org in
one summary but not the other, a malformed header. The ten published months break none of these.

Counted warnings (read as published, counted in the manifest and by the `hand_input_rules` check):

- `empty_cells` / `short_rows`: an empty cell, or a row whose trailing empty cells the published loader
  removed (`scripts/load_*_summary.py`), read as 0 as the published pipeline did;
- `changed_columns`: a column added or dropped against the previous month (2025-03 adds six);
- `dropped_orgs`: an org of the previous month missing (a warning for ours too).

There is no profile check: which columns a dimension has is the published file's business, and there are
no evidence files to check.
"""

from __future__ import annotations

import json
from pathlib import Path

from leaderboard_pipeline.sources.hand_inputs.checks import (
    CHANGED_COLUMN,
    DROPPED_ORG,
    EMPTY_CELL,
    SHORT_ROW,
    _check_against_previous,
    _check_rows,
    _check_same_orgs,
    previous_file,
)
from leaderboard_pipeline.sources.hand_inputs.sheets import (
    STEMS,
    WARNING,
    Problem,
    read_summary,
    summary_name,
)

# What the published archive itself does: a warning there, an error in our own hand inputs.
PUBLISHED_BREAKS = (EMPTY_CELL, SHORT_ROW, CHANGED_COLUMN, DROPPED_ORG)


def registry_orgs(root: Path) -> tuple[list[str] | None, Path]:
    """The orgs of the folder's `config/org-links.json` (None when the folder has none)."""
    path = Path(root) / "config" / "org-links.json"
    if not path.exists():
        return None, path
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))), path
    except (OSError, ValueError, TypeError):
        return None, path  # the reader of the links names the problem


def check_published_month(root: Path, folder: Path, month: str) -> dict[str, list[Problem]]:
    """dimension -> problems of the month's summaries in `folder` (of the archive at `root`)."""
    registry, registry_path = registry_orgs(root)
    found: dict[str, list[Problem]] = {}
    summaries = {}
    for dimension in STEMS:
        path = folder / summary_name(dimension)
        if not path.exists():
            continue
        summary, problems = read_summary(path)
        if summary is not None:
            summaries[dimension] = summary
            problems += _check_rows(summary, registry, registry_path)
            before = previous_file(root, month, path.name)
            previous = read_summary(before[1])[0] if before else None
            if previous is not None:
                problems += _check_against_previous(summary, previous, set())
        found[dimension] = [_as_published(p) for p in problems]
    if len(summaries) == 2:
        for problem in _check_same_orgs(summaries["system"], summaries["benchmark"]):
            found["system" if problem.file == summaries["system"].sheet.path else "benchmark"].append(problem)
    return found


def _as_published(problem: Problem) -> Problem:
    if problem.rule in PUBLISHED_BREAKS:
        return Problem(problem.file, problem.line, problem.column, problem.message, WARNING, problem.rule)
    return problem


def rule_counts(problems: list[Problem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for problem in problems:
        if problem.severity == WARNING and problem.rule:
            counts[problem.rule] = counts.get(problem.rule, 0) + 1
    return counts
