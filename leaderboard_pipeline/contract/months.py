"""The monthly partition key "YYYY-MM": its pattern, neighbours and ranges, written once."""

from __future__ import annotations

import re

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH = re.compile(MONTH_PATTERN)


def is_month(text: object) -> bool:
    return isinstance(text, str) and MONTH.match(text) is not None


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"


def contiguous(months: list[str]) -> list[list[str]]:
    """Sorted months split into runs of consecutive calendar months."""
    runs: list[list[str]] = []
    for month in months:
        if runs and previous_month(month) == runs[-1][-1]:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def ranges(months: list[str]) -> str:
    """["2025-01", "2025-02", "2025-04"] -> "2025-01..2025-02, 2025-04" ("" for none)."""
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in contiguous(sorted(set(months))))
