"""What every command shares: the one-line error, month and profile arguments, the sources."""

from __future__ import annotations

import argparse
import os

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.contract.months import MONTH

SOURCES = ("demo", "archive", "live")
READ_SOURCE_HELP = f"whose warehouse to read (default ${settings.ENV_SOURCE} or {settings.DEFAULT_SOURCE})"


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def months_arg(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    first, _, last = value.partition("..")
    last = last or first
    for month in (first, last):
        if not MONTH.match(month):
            raise CliError(f"--months: {month!r} is not a month YYYY-MM (use YYYY-MM or YYYY-MM..YYYY-MM)")
    if last < first:
        raise CliError(f"--months: {first}..{last} ends before it starts")
    return first, last


def profile_of(args: argparse.Namespace):
    from leaderboard_pipeline.config.profiles import ProfileError, load_profile

    try:
        return load_profile(args.profile or os.environ.get(settings.ENV_PROFILE, settings.DEFAULT_PROFILE))
    except ProfileError as exc:
        raise CliError(str(exc)) from None
