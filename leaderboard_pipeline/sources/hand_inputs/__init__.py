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
is collected. The published archive's summaries get the same rules (``published.py``): errors where ours
are errors, except what the published archive itself does (an empty cell read as 0, columns changing from
month to month), which is read as published and counted as a warning.
"""

from leaderboard_pipeline.sources.hand_inputs.checks import (
    check_month,
    has_hand_inputs,
    latest_month,
    one_line,
    previous_file,
    profile_columns,
)
from leaderboard_pipeline.sources.hand_inputs.evidence import read_evidence, read_evidence_sheet
from leaderboard_pipeline.sources.hand_inputs.sheets import (
    EVIDENCE_COLUMNS,
    REGISTRY,
    STEMS,
    Problem,
    default_root,
    errors,
    evidence_name,
    read_summary,
    summary_name,
)
from leaderboard_pipeline.sources.hand_inputs.start import Started, start_month

__all__ = [
    "EVIDENCE_COLUMNS",
    "REGISTRY",
    "STEMS",
    "Problem",
    "Started",
    "check_month",
    "default_root",
    "errors",
    "evidence_name",
    "has_hand_inputs",
    "latest_month",
    "one_line",
    "previous_file",
    "profile_columns",
    "read_evidence",
    "read_evidence_sheet",
    "read_summary",
    "start_month",
    "summary_name",
]
