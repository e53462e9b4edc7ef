"""Small markdown renderings of tables for the Dagster UI and the terminal."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.contract.untrusted import clean_text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    # served names: no control or bidi characters, and one line per row
    return " ".join(clean_text(str(value)).split()).replace("|", "\\|")


def markdown_table(frame: pl.DataFrame, limit: int = 10) -> str:
    head = frame.head(limit)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in head.iter_rows()]
    if frame.height > limit:
        lines.append(f"\n{frame.height - limit} more rows")
    return "\n".join(lines)
