"""Build the snapshot source named on the command line or in the environment."""

from __future__ import annotations

import os
from pathlib import Path

from leaderboard_pipeline import settings
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.base import SnapshotSource, SourceError

SOURCES = ("demo", "archive", "live")


def make_source(kind: str, archive: str | Path | None = None) -> SnapshotSource:
    if kind == "demo":
        from leaderboard_pipeline.sources.demo import DemoSource

        return DemoSource()
    if kind == "archive":
        path = Path(archive or os.environ.get(settings.ENV_ARCHIVE) or settings.DEFAULT_ARCHIVE)
        if not path.exists():
            raise SourceError(
                f"{path}: archive not found (pass --archive PATH or set {settings.ENV_ARCHIVE})"
            )
        return ArchiveSource(path, name="archive")
    if kind == "live":
        from leaderboard_pipeline.sources.live import LiveSource  # heavy: only when asked for

        return LiveSource(
            registry_path=settings.DATA_DIR / "registry" / "orgs.yaml",
            cassette_dir=settings.DATA_DIR / "cassettes",
            mode=os.environ.get("LEADERBOARD_CASSETTES", "off"),
        )
    raise SourceError(f"unknown source {kind!r} (one of {', '.join(SOURCES)})")
