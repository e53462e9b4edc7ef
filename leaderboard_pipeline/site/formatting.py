"""Values as readers see them: formatted by the metric's kind (``metric_catalog.KINDS``), unknown as
"unknown" (never 0), and every score with the same precision on every page."""

from __future__ import annotations

import math

# Scores and normalised values: four decimals everywhere. Three would show equal numbers for different
# dense ranks in most archive months; the full value is in the API and the downloads.
SCORE_DIGITS = 4
UNKNOWN = "unknown"


def is_unknown(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _integral(value: float) -> bool:
    return float(value).is_integer()


def format_value(value: float | int | None, kind: str = "number") -> str:
    """Plain text of a value: counts and downloads as integers with separators, shares as percentages,
    flags as yes/no, scores with ``SCORE_DIGITS`` decimals; an unknown value is "unknown"."""
    if is_unknown(value):
        return UNKNOWN
    if kind == "score":
        return f"{value:.{SCORE_DIGITS}f}"
    if kind == "share":
        return f"{value * 100:.1f} %"
    if kind == "flag" and value in (0, 1):
        return "yes" if value else "no"
    if _integral(value):
        return f"{int(value):,}"
    if kind in ("count", "downloads"):
        return f"{value:,.1f}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def format_score(value: float | None) -> str:
    return format_value(value, "score")


def known_count(value: int | None) -> int | None:
    """A platform count or None when unknown: the published files write -1 (and sums of -1) for
    "unknown" likes and community counts, which must not read as a count."""
    return None if value is None or value < 0 else value


def month_ranges(months: list[str], present: set[str]) -> str:
    """ "2025-03 … 2025-08" style summary of the months in ``present`` (in the order of ``months``)."""
    runs: list[list[str]] = []
    for month in months:
        if month in present:
            if runs and runs[-1][-1] == months[months.index(month) - 1]:
                runs[-1].append(month)
            else:
                runs.append([month])
    if not runs:
        return "no month"
    if len(runs) == 1 and len(runs[0]) == len(months):
        return f"every month ({months[0]} … {months[-1]})" if len(months) > 1 else months[0]
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} … {r[-1]}" for r in runs)
