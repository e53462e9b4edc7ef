"""``leaderboard``: run the graph for months of a source, export rankings, show them in the terminal."""

from __future__ import annotations

import argparse
import sys

from leaderboard_pipeline.cli import candidates, diff_profiles, inputs, probe, read, run
from leaderboard_pipeline.cli.arguments import CliError
from leaderboard_pipeline.cli.interrupts import exit_after
from leaderboard_pipeline.cli.terminal import clean_output


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leaderboard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run.add_parser(sub)
    read.add_parsers(sub)
    diff_profiles.add_parser(sub)
    inputs.add_parser(sub)
    probe.add_parser(sub)
    candidates.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with clean_output():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.config.profiles import ProfileError
    from leaderboard_pipeline.contract.errors import SourceError
    from leaderboard_pipeline.warehouse import WarehouseError

    try:
        return args.func(args)
    except (CliError, SourceError, WarehouseError, ProfileError) as exc:
        print(f"leaderboard: error: {exc}", file=sys.stderr)
        exit_after(exc)  # a run stopped by Ctrl-C / SIGTERM ends here (status 128 + signal)
        return getattr(exc, "status", 2)
    except OSError as exc:  # e.g. a full disk or an unwritable folder outside the warehouse
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"leaderboard: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
