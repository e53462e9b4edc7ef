"""`leaderboard diff-profiles`: which ranks two profiles disagree on, and which setting causes what."""

from __future__ import annotations

import argparse

from leaderboard_pipeline.cli.arguments import SOURCES, CliError
from leaderboard_pipeline.config import settings


def cmd_diff_profiles(args: argparse.Namespace) -> int:
    import polars as pl

    from leaderboard_pipeline.config.profiles import ProfileError, load_profile
    from leaderboard_pipeline.core.profile_diff import rank_changes, read_up_to, switch_effects
    from leaderboard_pipeline.sources.factory import make_source

    try:
        base, target = load_profile(args.base), load_profile(args.target)
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    from leaderboard_pipeline.defs.run_settings import from_environment

    run = from_environment(source=args.source, archive=args.archive)  # $LEADERBOARD_ARCHIVE without --archive
    source = make_source(run.source, run.archive or None)
    month = args.month or source.months()[-1]
    if month not in source.months():
        raise CliError(f"{source.name} has no month {month} (it has {', '.join(source.months())})")
    raw, months = read_up_to(source, month)
    from leaderboard_pipeline.core.profile_diff import monthly_ranks

    changes = rank_changes(monthly_ranks(raw, months, month, base), monthly_ranks(raw, months, month, target))
    changes = changes.rename({"rank_a": f"rank_{base.name}", "rank_b": f"rank_{target.name}"})
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_width_chars=200):
        print(f"{month}: ranks that differ between {base.name} and {target.name}")
        print(changes)
        if args.switches:
            rows = switch_effects(raw, months, month, base, target)
            table = pl.DataFrame(
                [{"setting": n, base.name: a, target.name: b, **counts} for n, a, b, counts in rows]
            )
            print(f"changing one setting of {base.name} to {target.name}'s value: orgs whose rank changes")
            print(table)
    return 0


def add_parser(sub) -> None:
    diff = sub.add_parser("diff-profiles", help="ranks that differ between two profiles, and why")
    diff.add_argument("--source", choices=SOURCES, default="archive")
    diff.add_argument("--archive")
    diff.add_argument("--month", help="YYYY-MM (default: the source's last month)")
    diff.add_argument("--base", default="osir-published")
    diff.add_argument("--target", default=settings.DEFAULT_PROFILE)
    diff.add_argument("--switches", action="store_true", help="also the effect of each setting on its own")
    diff.set_defaults(func=cmd_diff_profiles)
