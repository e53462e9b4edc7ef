"""Rules a source read its input under although the input broke them (the published archive's hand
inputs): counted in the snapshot manifest's `detail` of the table, reported by the raw layer's
`hand_input_rules` warning check (`core/quality.py`), as the published data's other defects are.

    "published defects kept as read: changed_columns=5 empty_cells=2 (infra-summary.csv: line 4 column B ...)"
"""

from __future__ import annotations

import re

PREFIX = "published defects kept as read:"
_COUNT = re.compile(r"\b([a-z_]+)=(\d+)\b")


def describe(counts: dict[str, int], where: str = "") -> str | None:
    """The manifest detail for `counts` (rule -> how often), None when nothing was broken."""
    shown = " ".join(f"{rule}={n}" for rule, n in sorted(counts.items()) if n)
    if not shown:
        return None
    return f"{PREFIX} {shown}" + (f" ({where})" if where else "")


def counts(detail: str | None) -> dict[str, int]:
    """rule -> count from a manifest detail written by `describe` ({} for any other detail)."""
    if not detail or not detail.startswith(PREFIX):
        return {}
    head = detail[len(PREFIX) :].split(" (", 1)[0]
    return {rule: int(n) for rule, n in _COUNT.findall(head)}
