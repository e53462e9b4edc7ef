"""`leaderboard candidates`: accounts outside the registry that would rank by the month's Hub census.

Reads ``clean.census_candidates`` (core/census.py) of a source's warehouse: per dimension, the accounts
outside the registry in the first N ranks by the metrics the census can compute, their evidence (top
items, downloads, share of the Hub) and the registry entry to paste into data/registry/orgs.yaml.
Accounts attributed to a registry org (its namespaces on any platform) are never listed as candidates.
"""

from __future__ import annotations

import argparse

from leaderboard_pipeline.cli.arguments import READ_SOURCE_HELP, SOURCES, CliError, profile_of
from leaderboard_pipeline.config import settings

DIMENSIONS = ("model", "data")


def _text(value: object) -> str:
    """A served name for the terminal: control characters shown escaped, never interpreted."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _rows(frame, dimension: str, top: int) -> list[dict]:
    import polars as pl

    rows = frame.filter(
        (pl.col("dimension") == dimension) & pl.col("org").is_null() & (pl.col("rank") <= top)
    )
    return rows.sort("rank", "owner").to_dicts()


def _print_dimension(frame, dimension: str, top: int) -> list[str]:
    import polars as pl

    from leaderboard_pipeline.core.census import registry_entry

    rows = _rows(frame, dimension, top)
    title = "model dimension" if dimension == "model" else "data dimension"
    print(f"\n{title}: accounts outside the registry in the top {top}")
    if not rows:
        print("  none")
        return []
    for r in rows:
        items = ", ".join(
            f"{_text(i)} ({d:,})"
            for i, d in zip(r["top_items"] or [], r["top_item_downloads"] or [], strict=False)
        )
        reach = ""
        if dimension == "model":
            reach = (
                f", {_count(r['derivative_models'])} derivative models "
                f"({_count(r['derivative_downloads'])} downloads)"
            )
        share = "unknown" if r["share"] is None else f"{r['share'] * 100:.2f} %"
        print(
            f"  {r['rank']:>3}  {_text(r['owner'])}  score {r['score']:.4f}: {_count(r['items'])} "
            f"{'models' if dimension == 'model' else 'datasets'}, {_count(r['downloads'])} downloads "
            f"({share} of the Hub), {_count(r['likes'])} likes{reach}"
        )
        print(f"       top items: {items or 'none'}")
    elsewhere = frame.filter(
        (pl.col("dimension") == dimension)
        & pl.col("org").is_not_null()
        & (pl.col("attributed") != "HuggingFace")
        & (pl.col("rank") <= top)
    )
    for r in elsewhere.sort("rank").to_dicts():
        print(
            f"  (not a candidate: {_text(r['owner'])} ranks {r['rank']} but is {_text(r['org'])}'s namespace on "
            f"{_text(r['attributed'])}; add it under that org's huggingface list if it is the same organisation)"
        )
    return [registry_entry(r["owner"]) for r in rows]


def cmd_candidates(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.core.census import POOL
    from leaderboard_pipeline.warehouse import WarehouseError, read_partitions, require_source, stored_months

    if not 1 <= args.top <= POOL:
        raise CliError(
            f"--top must be between 1 and {POOL} (the candidates stored per month), got {args.top}"
        )
    profile = profile_of(args)
    source = args.source or settings.current_source()
    path = settings.warehouse_path(source)
    try:
        require_source(path, source)
        months = stored_months(path, "clean", "census_candidates", profile.name)
    except WarehouseError as exc:
        raise CliError(str(exc)) from None
    if not months:
        raise CliError(
            f"{path}: no Hub census stored for the {source} source with profile {profile.name} (the census is "
            f"collected by live months; run `leaderboard run --source {source}` first)"
        )
    month = months[-1] if args.month == "latest" else args.month
    if month not in months:
        raise CliError(
            f"no Hub census for {month} of the {source} source with profile {profile.name} "
            f"(months with one: {', '.join(months)})"
        )
    frame = read_partitions(path, "clean", "census_candidates", [month], profile.name, read_only=True)
    print(
        f"Candidates for the registry, {month} (source {source}, profile {profile.name}): accounts outside the "
        f"registry that would rank in the top {args.top} by the metrics the Hub census can compute"
    )
    entries = []
    for dimension in DIMENSIONS if args.dimension == "both" else (args.dimension,):
        entries += _print_dimension(frame, dimension, args.top)
    if entries:
        print("\nregistry entries to paste under `orgs:` in data/registry/orgs.yaml (review each first):")
        print("".join(dict.fromkeys(entries)), end="")
    return 0


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "candidates",
        help="accounts outside the registry that would rank by the month's Hub census",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", choices=SOURCES, help=READ_SOURCE_HELP)
    parser.add_argument(
        "--month", default="latest", help="YYYY-MM or 'latest' (the latest month with a census)"
    )
    parser.add_argument("--top", type=int, default=10, help="ranks to consider (default 10)")
    parser.add_argument("--dimension", choices=(*DIMENSIONS, "both"), default="both")
    parser.add_argument("--profile")
    parser.set_defaults(func=cmd_candidates)
    return parser
