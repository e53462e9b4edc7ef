"""The contract every snapshot source fulfils, so the raw assets never care where data comes from."""

from __future__ import annotations

from typing import Protocol

import polars as pl


class SnapshotSource(Protocol):
    name: str

    def months(self) -> list[str]:
        """The months ("YYYY-MM") this source can produce, ascending."""

    def read_month(self, month: str) -> dict[str, pl.DataFrame]:
        """Every raw table of `leaderboard_pipeline.contract.raw_tables.RAW_SCHEMAS` for one month.

        Tables a source has nothing for are returned empty (with the schema), never omitted. Raises
        SourceError naming the file/row/request when the month cannot be read completely.
        """
