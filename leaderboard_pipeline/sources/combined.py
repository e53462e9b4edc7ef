"""Collected platform data plus hand inputs: the shape of every live month, and of the demo.

Platform records, the registry and labels of a collected month come from the live collectors (live,
or replayed from cassettes with no network). Hand inputs (system and benchmark summaries, curated
datasets and metrics) are never collected from an API: they come from a folder in the published layout
(``snapshots/<YYYY-MM-DD>/{infra,eval}-summary.csv``, ``snapshots/other-source-datasets.jsonl``,
``curated-metrics.yaml``). Months of that folder that were not collected are read from it entirely
(the demo's archive-layout months).

Hand inputs are ours, so they are checked strictly (``hand_inputs.check_month``: registry orgs, the
profile's and last month's columns, no empty cell) before anything is collected, and their evidence files
become ``raw.input_evidence``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import Profile, load_profile
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.source import SnapshotSource
from leaderboard_pipeline.sources import hand_inputs
from leaderboard_pipeline.sources.archive import ArchiveSource, file_entry, files_manifest

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
    # The folder people edit, checked with `hand_inputs` (default: inputs_root). The demo reads a built
    # copy of data/demo, but its errors must name the committed files.
    hand_root: Path | None = None
    # The run's scoring profile: the hand inputs are checked against its columns (default: the default
    # profile). Given by whoever builds the source, never read from the environment.
    profile: Profile | None = None
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
            "(infra-summary.csv, eval-summary.csv); the month cannot be ranked without them "
            f"(start it: leaderboard inputs new --month {month})"
        )

    def check_hand_inputs(self, months: list[str], profile: Profile | None = None) -> list[str]:
        """Raise SourceError (one line: file, line, column) at the first month whose hand inputs have an
        error; return one line per month with warnings only. Nothing is read from any platform."""
        profile = profile or self.profile or load_profile(settings.DEFAULT_PROFILE)
        root = Path(self.hand_root or self.inputs_root)
        registry = Path(getattr(self.collected, "registry_path", hand_inputs.REGISTRY))
        notes = []
        for month in months:
            collected = month in self._collected()
            missing = self.missing_inputs(month) if collected else None
            if missing:
                raise SourceError(missing)
            if not collected and not hand_inputs.has_hand_inputs(root, month):
                continue  # a month of the folder without hand inputs: stored, not ranked
            problems = hand_inputs.check_month(root, month, profile, registry)
            if hand_inputs.errors(problems):
                raise SourceError(hand_inputs.one_line(problems, month))
            if problems:
                notes.append(
                    f"hand inputs {month}: {len(problems)} warning(s) (leaderboard inputs check --month {month})"
                )
        return notes

    def read_month(self, month: str) -> dict[str, pl.DataFrame]:
        self.check_hand_inputs([month])  # validate first, then collect
        hand = self._inputs.read_month(month)
        evidence, files = hand_inputs.read_evidence(self._inputs.folder(month), month)
        hand["input_evidence"] = evidence
        entries = [file_entry(month, self.name, *f) for f in files]
        hand["snapshot_manifest"] = pl.concat([hand["snapshot_manifest"], files_manifest(entries)])
        if month not in self._collected():
            return hand
        tables = self.collected.read_month(month)
        for table in HAND_INPUTS:
            tables[table] = hand[table]
        # each hand-input table is described by the files it was read from, not by the collector
        tables["snapshot_manifest"] = pl.concat(
            [
                tables["snapshot_manifest"].filter(~pl.col("table").is_in(HAND_INPUTS)),
                hand["snapshot_manifest"].filter(pl.col("table").is_in(HAND_INPUTS)),
            ],
            how="vertical_relaxed",
        )
        return tables


def validate_before_run(source: SnapshotSource, months: list[str], profile: Profile) -> list[str]:
    """Check the hand inputs of every month of a run before it starts (combined sources: live, demo);
    raises SourceError naming file, line and column; returns warning lines to print."""
    if isinstance(source, CombinedSource):
        return source.check_hand_inputs(months, profile)
    return []
