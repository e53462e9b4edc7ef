"""`leaderboard inputs new|check`: start a month's hand inputs from the last one, list every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from leaderboard_pipeline.cli.arguments import CliError, profile_of
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.contract.months import MONTH


def cmd_inputs(args: argparse.Namespace) -> int:
    """`inputs new` starts a month's hand inputs from the last one; `inputs check` lists every problem."""
    from leaderboard_pipeline.sources import hand_inputs

    profile = profile_of(args)
    root = Path(args.inputs) if args.inputs else hand_inputs.default_root()
    if args.month is not None and not MONTH.match(args.month):
        raise CliError(f"--month: {args.month!r} is not a month YYYY-MM")
    if args.action == "new":
        if not args.month:
            raise CliError("inputs new: --month YYYY-MM is required")
        started = hand_inputs.start_month(root, args.month, profile, date=args.date)
        print(f"{args.month}: started {started.folder}")
        for name, since in started.carried_from.items():
            shape = f"{started.orgs[name]} orgs x {started.columns[name]} columns"
            if since:
                print(
                    f"  {name}: carried forward from {since} ({shape}), every value marked carried_from={since}"
                )
                for note in started.notes.get(name, []):
                    print(f"    {note}")
            else:
                print(
                    f"  {name}: no earlier month: the registry's orgs and profile {profile.name}'s columns ({shape}), every cell empty"
                )
        print(f"next: fill in and review the values, then `leaderboard inputs check --month {args.month}`")
        return 0
    month = args.month or hand_inputs.latest_month(root)
    if month is None:
        raise CliError(f"{root}/snapshots: no month yet (start one: leaderboard inputs new --month YYYY-MM)")
    problems = hand_inputs.check_month(root, month, profile)
    for problem in problems:
        print(problem)
    failed = len(hand_inputs.errors(problems))
    print(f"{month}: {failed} error(s), {len(problems) - failed} warning(s) (profile {profile.name}, {root})")
    return 2 if failed else 0


def add_parser(sub) -> None:
    inputs = sub.add_parser("inputs", help="hand inputs of a live month: start one, check one")
    inputs.add_argument("action", choices=("new", "check"))
    inputs.add_argument("--month", help="YYYY-MM (check: default the latest month of the folder)")
    inputs.add_argument(
        "--inputs", help=f"the hand-inputs folder (default ${settings.ENV_INPUTS} or data/inputs)"
    )
    inputs.add_argument("--profile", help="whose columns the hand inputs must have (default methodology)")
    inputs.add_argument("--date", help="new: the dated folder's day YYYY-MM-DD (default today, or the 1st)")
    inputs.set_defaults(func=cmd_inputs)
