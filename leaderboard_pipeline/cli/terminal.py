"""Small command-line helpers of the live collectors, kept out of cli.py (and light to import)."""

from __future__ import annotations

import logging
import sys


class _Stdout(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (it is replaced under test capture)."""

    stream = property(lambda self: sys.stdout, lambda self, value: None)


def progress_to_terminal() -> None:
    """The live collectors' progress lines (platform, org i/n, requests, retries, ETA) on the terminal."""
    logger = logging.getLogger("leaderboard_pipeline.sources.live")
    if not any(isinstance(h, _Stdout) for h in logger.handlers):
        handler = _Stdout()
        handler.setFormatter(logging.Formatter("  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def allow_missing_env(value: str) -> str:
    """`--allow-missing` checked (an unknown platform is a one-line SourceError) and normalised."""
    from leaderboard_pipeline.sources.live import parse_allow_missing

    return ",".join(sorted(parse_allow_missing(value)))
