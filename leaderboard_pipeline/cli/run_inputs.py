"""Is a rerun a no-op? Decided before anything is computed, from a digest of everything a run's tables
depend on: the source's input files, the profile and the other data files the layers read, the code, and
the libraries that compute. A run records the digest with the months it stored (`warehouse.runs`); the
next run with the same digest over stored months, in a warehouse nobody wrote to since, runs nothing.

The live source has no such digest: what the platforms serve is only known by collecting it.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import leaderboard_pipeline
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.defs.run_settings import RunSettings

SCHEME = "run-inputs-1"  # change it when the digest's composition changes
PACKAGE = Path(leaderboard_pipeline.__file__).parent
# data files the layers read for every source (the demo's own inputs are in its version)
DATA = ("profiles", "registry", "labels", "curated", "method", "metric_catalog")
LIBRARIES = ("polars", "duckdb", "numpy", "pandera", "pyarrow")


def _tree(digest, root: Path, skip=lambda path: False) -> None:
    """Every file under ``root`` (relative path and bytes), in a stable order."""
    if not root.exists():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not skip(p)):
        relative = path.relative_to(root).as_posix()
        digest.update(f"\n{relative}\n{path.stat().st_size}\n".encode())
        digest.update(path.read_bytes())


def _code(path: Path) -> bool:
    return "__pycache__" in path.parts or path.suffix == ".pyc"


def source_inputs(run: RunSettings) -> str | None:
    """A digest of the source's inputs; None when they cannot be known before collecting (live)."""
    digest = hashlib.sha256()
    if run.source == "demo":
        from leaderboard_pipeline.sources.demo import demo_version

        digest.update(demo_version().encode())  # every file the demo is built from, and its builder
    elif run.source == "archive":
        _tree(digest, Path(run.archive or settings.DEFAULT_ARCHIVE), skip=lambda p: p.name.startswith("."))
    else:
        return None
    return digest.hexdigest()


def run_inputs(run: RunSettings, months: list[str]) -> str | None:
    """The digest of a run of ``months`` with ``run``'s settings (None: not knowable, always run)."""
    source = source_inputs(run)
    if source is None:
        return None
    digest = hashlib.sha256(f"{SCHEME}\n{run.source}\n{run.profile}\n{source}\n".encode())
    for name in DATA:
        digest.update(f"\n[{name}]".encode())
        _tree(digest, settings.DATA_DIR / name)
    digest.update(b"\n[code]")
    _tree(digest, PACKAGE, skip=_code)
    for library in LIBRARIES:
        try:
            digest.update(f"\n{library}=={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(f"\n{library} absent".encode())
    return digest.hexdigest()
