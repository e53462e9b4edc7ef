"""The bundled demo: months in the published layout under data/demo, plus cassette months.

A cassette month (data/cassettes/<month>) is replayed through the real live collectors with no
network; its hand inputs (system/benchmark summaries, curated lists) still come from the demo folder,
as they would in production, where nobody collects them from an API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from leaderboard_pipeline import settings
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.base import SourceError

HAND_INPUTS = ("system_inputs", "benchmark_inputs", "other_source_datasets", "curated_metrics")


@dataclass
class DemoSource:
    root: Path = settings.DEMO_DIR
    cassettes: Path = settings.DATA_DIR / "cassettes"
    name: str = "demo"
    _archive: ArchiveSource = field(init=False, repr=False)
    _live: object = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._archive = ArchiveSource(self.root, name=self.name)
        if self.cassettes.is_dir() and any(self.cassettes.iterdir()):
            from leaderboard_pipeline.sources.live import LiveSource

            self._live = LiveSource(settings.DATA_DIR / "registry" / "orgs.yaml", self.cassettes, "replay")

    def _cassette_months(self) -> list[str]:
        return self._live.months() if self._live is not None else []

    def months(self) -> list[str]:
        return sorted(set(self._archive.months()) | set(self._cassette_months()))

    def read_month(self, month: str) -> dict[str, pl.DataFrame]:
        if month not in self._cassette_months():
            return self._archive.read_month(month)
        tables = self._live.read_month(month)
        if month not in self._archive.months():
            raise SourceError(
                f"{self.root}/snapshots: cassette month {month} has no folder with its hand inputs"
            )
        hand = self._archive.read_month(month)
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
