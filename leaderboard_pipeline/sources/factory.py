"""Build a snapshot source from a run's settings (`defs.run_settings.RunSettings`): nothing here reads
the environment's run settings."""

from __future__ import annotations

import json
from pathlib import Path

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import Profile
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.source import SnapshotSource
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.combined import CombinedSource
from leaderboard_pipeline.sources.hand_inputs import default_root

SOURCES = ("demo", "archive", "live")


def http_overrides(raw: str | None) -> dict[str, dict]:
    """JSON of PlatformConfig fields (rate, burst, read_timeout, ...) applied to every platform, or
    ``{platform: {field: value}}``. For mock servers and benchmarks; never needed live."""
    if not raw:
        return {}
    from leaderboard_pipeline.collectors.platforms import PLATFORMS

    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SourceError(f"HTTP overrides: not valid JSON ({exc})") from None
    if doc and all(k in PLATFORMS for k in doc):
        return doc
    return dict.fromkeys(PLATFORMS, doc)


def _live(mode: str, overrides: str | None, cassette_dir: Path, allow_missing: str = "", progress=None):
    from leaderboard_pipeline.sources.live import LiveSource  # heavy: only when asked for

    return LiveSource(
        registry_path=settings.DATA_DIR / "registry" / "orgs.yaml",
        cassette_dir=cassette_dir,
        mode=mode,
        platform_settings=http_overrides(overrides),
        allow_missing=allow_missing,
        progress=progress,
    )


def make_source(
    kind: str,
    archive: str | Path | None = None,
    cassettes: str | None = None,
    overrides: str | None = None,
    *,
    allow_missing: str | None = None,
    progress=None,
    profile: Profile | None = None,
) -> SnapshotSource:
    """``cassettes`` (off | record | replay; default off), ``overrides`` and ``allow_missing`` (comma list
    of platforms a live month may go without) configure the live collectors. ``progress`` receives the
    live collectors' ProgressEvents. ``profile``: the run's scoring profile, which checks the hand inputs
    of combined sources (default: the default profile)."""
    allow_missing = allow_missing or ""
    if kind == "demo":
        # the demo's archive-layout months, plus its cassette months replayed through the collectors
        from leaderboard_pipeline.sources.demo import CASSETTE_MONTH, demo_dir

        return CombinedSource(
            _live("replay", overrides, settings.DEMO_CASSETTES, progress=progress),
            demo_dir(),
            name="demo",
            collected_months=(CASSETTE_MONTH,),
            hand_root=settings.DEMO_INPUTS,
            profile=profile,
        )
    if kind == "archive":
        path = Path(archive or settings.DEFAULT_ARCHIVE)
        if not path.exists():
            raise SourceError(
                f"{path}: archive not found (pass --archive PATH or set {settings.ENV_ARCHIVE})"
            )
        return ArchiveSource(path, name="archive")
    if kind == "live":
        inputs = default_root()
        live = _live(cassettes or "off", overrides, settings.cassette_dir(), allow_missing, progress)
        # The inputs folder's months with raw files are the published archive this live series takes
        # over (none in a folder of hand inputs only): one warehouse, one history.
        return CombinedSource(live, inputs, name="live", published=True, profile=profile)
    raise SourceError(f"unknown source {kind!r} (one of {', '.join(SOURCES)})")
