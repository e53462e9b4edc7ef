"""Collected platform data plus hand inputs: the shape of every live month, and of the demo.

Platform records, the registry and labels of a collected month come from the live collectors (live,
or replayed from cassettes with no network). Hand inputs (system and benchmark summaries, curated
datasets and metrics) are never collected from an API: they come from a folder in the published layout
(``snapshots/<YYYY-MM-DD>/{infra,eval}-summary.csv``, ``snapshots/other-source-datasets.jsonl``,
``curated-metrics.yaml``). Months of that folder that were not collected are read from it entirely
(the demo's archive-layout months).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.base import SnapshotSource, SourceError

HAND_INPUTS = (
    "system_inputs",
    "benchmark_inputs",
    "other_source_datasets",
    "curated_metrics",
    "input_evidence",
)


@dataclass
class CombinedSource:
    collected: SnapshotSource
    inputs_root: Path
    name: str
    archive_months: bool = True  # also serve the folder's own months (the demo); live serves only collected
    # Collected months to use (the demo: only its own cassette month, never a live month recorded
    # beside it); None: every month the collector offers.
    collected_months: tuple[str, ...] | None = None
    _inputs: ArchiveSource = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._inputs = ArchiveSource(Path(self.inputs_root), name=self.name, require_config=False)

    def _collected(self) -> set[str]:
        offered = set(self.collected.months())
        return offered if self.collected_months is None else offered & set(self.collected_months)

    def months(self) -> list[str]:
        collected = self._collected()
        return sorted(collected | set(self._inputs.months())) if self.archive_months else sorted(collected)

    def missing_inputs(self, month: str) -> str | None:
        """Why ``month`` cannot be ranked from this folder's hand inputs (None: they are there)."""
        if month in self._inputs.months():
            return None
        return (
            f"{self.inputs_root}/snapshots: no folder for {month} with its hand inputs "
            "(infra-summary.csv, eval-summary.csv); the month cannot be ranked without them"
        )

    def read_month(self, month: str) -> dict[str, pl.DataFrame]:
        if month not in self._collected():
            return self._inputs.read_month(month)
        missing = self.missing_inputs(month)
        if missing:
            raise SourceError(missing)
        tables = self.collected.read_month(month)
        hand = self._inputs.read_month(month)
        for table in HAND_INPUTS:
            tables[table] = hand[table]
        tables["snapshot_manifest"] = pl.concat(
            [
                tables["snapshot_manifest"],
                hand["snapshot_manifest"].filter(pl.col("table").is_in(HAND_INPUTS)),
            ],
            how="vertical_relaxed",
        )
        return tables
