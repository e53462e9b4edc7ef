"""Collected platform data plus hand inputs: the shape of every live month, and of the demo.

Platform records, the registry and labels of a collected month come from the live collectors (live,
or replayed from cassettes with no network). Hand inputs (system and benchmark summaries, curated
datasets and metrics) are never collected from an API: they come from a folder in the published layout
(``snapshots/<YYYY-MM-DD>/{infra,eval}-summary.csv``, ``snapshots/other-source-datasets.jsonl``,
``curated-metrics.yaml``).

The folder may also hold **archive months**: a dated folder with raw platform files
(``<Platform>/raw-*-info.jsonl``) is a month already crawled, read from the folder entirely (the demo's
archive-layout months; the published leaderboard's months when a live warehouse takes it over). A dated
folder with only hand inputs is a month to collect. So one source, and one warehouse, holds the archive
and the live months after it: the first live month is differenced against the archive's last snapshot,
its delta ranks and accumulated rankings continue the archive's.

Taking over (``published=True``, the live source): the archive months are the published ones, read with
their published behaviour (their hand inputs are not checked with our rules), and a collected month
also carries the folder's published label files (``config/{model,dataset}-info.json``), restricted to
the exact keys of the items collected, as ``origin = "published"`` rows beside our rules' labels, for
the profiles that use them (``cleaning.published_labels``).

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
from leaderboard_pipeline.contract.raw_tables import conform
from leaderboard_pipeline.contract.source import SnapshotSource
from leaderboard_pipeline.sources import hand_inputs
from leaderboard_pipeline.sources.archive import ArchiveSource, file_entry, files_manifest, has_raw_files
from leaderboard_pipeline.sources.gaps import refuse_empty_month

LABEL_TABLES = ("model_labels", "dataset_labels")
# the platform tables whose items each label table labels
LABELLED = {
    "model_labels": ("hf_models", "ms_models"),
    "dataset_labels": ("hf_datasets", "ms_datasets", "odl_datasets", "baai_datasets"),
}
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
    archive_months: bool = True  # also serve the folder's archive months (those with raw platform files)
    # Collected months to use (the demo: only its own cassette month, never a live month recorded
    # beside it); None: every month the collector offers.
    collected_months: tuple[str, ...] | None = None
    # The folder people edit, checked with `hand_inputs` (default: inputs_root). The demo reads a built
    # copy of data/demo, but its errors must name the committed files.
    hand_root: Path | None = None
    # The folder's archive months are the published leaderboard's (live taking it over): not checked
    # with our hand-input rules, and collected months carry its published label files.
    published: bool = False
    # The run's scoring profile: the hand inputs are checked against its columns (default: the default
    # profile). Given by whoever builds the source, never read from the environment.
    profile: Profile | None = None
    _inputs: ArchiveSource = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._inputs = ArchiveSource(
            Path(self.inputs_root), name=self.name, require_config=False, check_inputs=False
        )

    def archive(self) -> list[str]:
        """The folder's months with raw platform files: read from the folder, never collected."""
        if not self.archive_months:
            return []
        return [m for m in self._inputs.months() if has_raw_files(self._inputs.folder(m))]

    def _collected(self) -> set[str]:
        offered = set(self.collected.months()) - set(self.archive())
        return offered if self.collected_months is None else offered & set(self.collected_months)

    def months(self) -> list[str]:
        return sorted(self._collected() | set(self.archive()))

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
        collected_months = self._collected()
        for month in months:
            collected = month in collected_months
            missing = self.missing_inputs(month) if collected else None
            if missing:
                raise SourceError(missing)
            if not collected and (self.published or not hand_inputs.has_hand_inputs(root, month)):
                # a published month keeps its published behaviour; a month of the folder without hand
                # inputs is stored, not ranked
                continue
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
        collected = month in self._collected()
        if not collected and month in self.archive():
            self._require_links(month)
        hand = self._inputs.read_month(month)
        if not (self.published and not collected):  # published months carry no evidence files
            evidence, files = hand_inputs.read_evidence(self._inputs.folder(month), month)
            hand["input_evidence"] = evidence
            entries = [file_entry(month, self.name, *f) for f in files]
            hand["snapshot_manifest"] = pl.concat([hand["snapshot_manifest"], files_manifest(entries)])
        if not collected:
            return hand
        tables = self.collected.read_month(month)
        refuse_empty_month(month, tables["snapshot_manifest"], getattr(self.collected, "last_run", None))
        if self.published:
            for table in LABEL_TABLES:
                tables[table] = published_labels(tables, hand, table, month)
        for table in HAND_INPUTS:
            tables[table] = hand[table]
        # each hand-input table is described by the files it was read from, not by the collector; the
        # published label files, when used, beside the collector's row of their table (rows: those kept)
        kept = {t: tables[t].filter(pl.col("origin") == "published").height for t in LABEL_TABLES}
        labels = hand["snapshot_manifest"].filter(
            pl.col("table").is_in(LABEL_TABLES if self.published else ())
        )
        labels = labels.with_columns(
            rows=pl.col("table").replace_strict(kept, default=0, return_dtype=pl.Int64)
        )
        tables["snapshot_manifest"] = pl.concat(
            [
                tables["snapshot_manifest"].filter(~pl.col("table").is_in(HAND_INPUTS)),
                hand["snapshot_manifest"].filter(pl.col("table").is_in(HAND_INPUTS)),
                labels,
            ],
            how="vertical_relaxed",
        )
        return tables

    def _require_links(self, month: str) -> None:
        links = Path(self.inputs_root) / "config" / "org-links.json"
        if not links.exists():
            raise SourceError(
                f"{links}: not found; {month} is an archive month of {self.inputs_root} (it has raw platform "
                "files) and needs the published organisation links"
            )


def published_labels(
    tables: dict[str, pl.DataFrame], hand: dict[str, pl.DataFrame], table: str, month: str
) -> pl.DataFrame:
    """The collected month's labels of ``table`` plus the folder's published labels whose exact key is an
    item collected this month (``origin`` "published"); the published files are keyed exactly (HF
    ``openbmb/X`` and ModelScope ``OpenBMB/X`` carry different labels there)."""
    keys = pl.concat(
        [tables[t].select(key=pl.col("namespace") + "/" + pl.col("name")) for t in LABELLED[table]]
    ).unique()
    published = (
        hand[table]
        .join(keys, on="key", how="semi")
        .with_columns(month=pl.lit(month), origin=pl.lit("published"))
    )
    return pl.concat([tables[table], conform(table, published)], how="vertical_relaxed")


def validate_before_run(source: SnapshotSource, months: list[str], profile: Profile) -> list[str]:
    """Check the hand inputs of every month of a run before it starts (combined sources: live, demo);
    raises SourceError naming file, line and column; returns warning lines to print."""
    if isinstance(source, CombinedSource):
        return source.check_hand_inputs(months, profile)
    if isinstance(source, ArchiveSource):  # the published layout: its own rules (hand_inputs.published)
        source.check_hand_inputs(months)
    return []
