"""`leaderboard show` on a terminal: the ranking as a table that fits 100 columns, and with ``--metrics``
one block per org whose metric values wrap to the terminal's width (none is ever cut short)."""

from __future__ import annotations

import shutil
import textwrap

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS

WIDTH = 100  # the default table always fits this, whatever the terminal
ORG_WIDTH = 28  # longer names end in "…" in the table (whole in the --metrics blocks)
LEGEND = (
    "change: places gained since last month; 95% range: the rank when the items behind the values are "
    "resampled; leave-one-out: the best and worst rank without one metric"
)


def terminal_width() -> int:
    """The terminal's width ($COLUMNS first), between 60 and 200; 100 when there is no terminal."""
    return max(60, min(200, shutil.get_terminal_size((WIDTH, 24)).columns))


def printable(text: object) -> str:
    """Names as stored, but never a control character on the terminal (escape sequences in a name)."""
    text = "" if text is None else str(text)
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _score(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _change(value) -> str:
    if value is None:
        return "new"
    return f"{int(value):+d}" if value else "="


def _span(row: dict, low: str, high: str) -> str:
    if row.get(low) is None or row.get(high) is None:
        return ""
    return f"{row[low]}-{row[high]}" if row[low] != row[high] else f"{row[low]}"


def _columns(table: pl.DataFrame, dimension: str) -> list[tuple[str, int, object]]:
    """(header, width, cell function) of the table's columns; right-aligned but the org."""
    columns: list[tuple[str, int, object]] = [
        ("rank", 4, lambda r: str(r["rank"])),
        ("org", 0, lambda r: printable(r["org"])),
        ("score", 6, lambda r: _score(r["score"])),
        ("change", 6, lambda r: _change(r.get("delta_rank"))),
    ]
    if dimension == "overall":
        # the overall ranking combines the four dimensions: their scores fit beside it
        columns += [
            (d, max(len(d), 6), lambda r, d=d: _score(r[d])) for d in DIMENSIONS if d in table.columns
        ]
    if "rank_low" in table.columns:
        columns.append(("95% range", 9, lambda r: _span(r, "rank_low", "rank_high")))
    if "rank_best_loo" in table.columns:
        columns.append(("leave-one-out", 13, lambda r: _span(r, "rank_best_loo", "rank_worst_loo")))
    return columns


def ranking_lines(table: pl.DataFrame, dimension: str) -> list[str]:
    """The ranking as a table within `WIDTH` columns, and a legend of its columns."""
    rows = table.to_dicts()
    columns = _columns(table, dimension)
    fixed = sum(w for _, w, _ in columns) + 2 * (len(columns) - 1)
    longest = max((len(printable(r["org"])) for r in rows), default=3)
    org_width = max(3, min(longest, ORG_WIDTH, WIDTH - fixed))

    def line(cells: list[str]) -> str:
        parts = []
        for (header, width, _), cell in zip(columns, cells, strict=True):
            parts.append(_cut(cell, org_width).ljust(org_width) if header == "org" else cell.rjust(width))
        return "  ".join(parts).rstrip()

    lines = [line([h for h, _, _ in columns])]
    lines += [line([cell(r) for _, _, cell in columns]) for r in rows]
    if any(h in ("change", "95% range") for h, _, _ in columns):
        lines += textwrap.wrap(LEGEND, WIDTH)
    return lines


def metric_blocks(table: pl.DataFrame, dimension: str, width: int | None = None) -> list[str]:
    """One block per org: its rank, score and change on one line, then every normalised metric column
    with its value, as many to a line as ``width`` (the terminal's) allows."""
    width = width or terminal_width()
    ranked = {"org", "position", "score", "rank", "delta_rank", "rank_low", "rank_high"}
    ranked |= {"rank_best_loo", "rank_worst_loo"}
    metrics = [c for c in table.columns if c not in ranked]
    name_width = min(max((len(printable(m)) for m in metrics), default=0), width - 14)
    cell = name_width + 1 + 6
    per_line = max(1, (width - 6 + 3) // (cell + 3))
    lines = []
    for row in table.to_dicts():
        head = f"{row['rank']:>4}  {printable(row['org'])}  score {_score(row['score'])}"
        head += f"  change {_change(row.get('delta_rank'))}"
        if span := _span(row, "rank_low", "rank_high"):
            head += f"  95% range {span}"
        if span := _span(row, "rank_best_loo", "rank_worst_loo"):
            head += f"  leave-one-out {span}"
        lines.append(_cut(head, width))
        cells = [f"{_cut(printable(m), name_width).ljust(name_width)} {_score(row[m]):>6}" for m in metrics]
        for start in range(0, len(cells), per_line):
            lines.append("      " + "   ".join(cells[start : start + per_line]))
    if metrics:
        what = "dimension scores" if dimension == "overall" else "normalised metric values (0-1)"
        lines += textwrap.wrap(f"values: {what}; n/a: no value that month", width)
    return lines
