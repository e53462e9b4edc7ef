"""Small command-line helpers: what the terminal may show, the live collectors' progress lines."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

from leaderboard_pipeline.contract.untrusted import clean_text


class _Clean:
    """A text stream that writes everything through `clean_text`: whatever a command prints (tables,
    progress lines, errors quoting a platform's answer) reaches the terminal without escape sequences,
    bells or bidi overrides from the data."""

    def __init__(self, inner):
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(clean_text(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@contextmanager
def clean_output():
    """stdout and stderr through `_Clean` for the block (one place for every line a command prints)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Clean(sys.stdout), _Clean(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


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
