"""`leaderboard show`, `export` and `site`: a source's stored rankings in the terminal, as files, as a site."""

from __future__ import annotations

import argparse
from pathlib import Path

from leaderboard_pipeline.cli.arguments import READ_SOURCE_HELP, SOURCES, CliError, profile_of
from leaderboard_pipeline.config import settings


def _warehouse_tables(args: argparse.Namespace, profile_name: str, month: str):
    from leaderboard_pipeline.warehouse import WarehouseError, read_partitions, require_source, stored_months

    source = args.source or settings.current_source()
    path = settings.warehouse_path(source)
    try:
        require_source(path, source)
        available = stored_months(path, "scores", "overall", profile_name)
    except WarehouseError as exc:
        raise CliError(str(exc)) from None
    if month == "latest":
        if not available:
            raise CliError(
                f"{path}: no scores of the {source} source for profile {profile_name} yet "
                f"(run `leaderboard run --source {source}` first)"
            )
        month = available[-1]
    if month not in available:
        raise CliError(
            f"no scores for {month} of the {source} source with profile {profile_name} in {path} "
            f"(have: {', '.join(available) or 'none'})"
        )

    def read(schema: str, table: str, month: str = month):
        return read_partitions(path, schema, table, [month], profile_name, read_only=True)

    return source, month, read


def cmd_export(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.contract.months import previous_month
    from leaderboard_pipeline.site.exports import export_month

    profile = profile_of(args)
    source, month, read = _warehouse_tables(args, profile.name, args.month)
    previous = lambda schema, table: read(schema, table, previous_month(month))  # noqa: E731 (summary deltas)
    written = export_month(read, profile, Path(args.out), args.format, previous)
    print(f"{month}: wrote {len(written)} files to {args.out} (source {source}, profile {profile.name})")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import polars as pl

    from leaderboard_pipeline.cli.show_table import metric_blocks, ranking_lines
    from leaderboard_pipeline.core.gaps import gap_rows
    from leaderboard_pipeline.site.exports import ranking_table

    profile = profile_of(args)
    source, month, read = _warehouse_tables(args, profile.name, args.month)
    gaps = gap_rows(read("raw", "snapshot_manifest"))
    unranked = gaps.filter(pl.col("kind") == "not ranked")["subject"].to_list()
    table = ranking_table(read, profile, args.dimension, args.variant)
    if table is None:
        why = (
            ": every platform it comes from was missing that month (leaderboard show --source "
            f"{source} --month {month} lists the gaps)"
            if args.dimension in unranked
            else ""
        )
        raise CliError(f"no {args.variant} ranking for {args.dimension} in {month}{why}")
    table = table.sort(["rank", "position"]).drop("position")
    table = table.head(args.top) if args.top else table
    print(f"{args.dimension} ranking, {month} ({args.variant}; source {source}, profile {profile.name})")
    # a terminal fits the ranking in 100 columns; every metric column, one block per org (`--metrics`)
    lines = metric_blocks(table, args.dimension) if args.metrics else ranking_lines(table, args.dimension)
    print("\n".join(lines))
    for note in _notes(table, gaps, profile, month):
        print(note)
    return 0


def _notes(table, gaps, profile, month: str) -> list[str]:
    """What the ranking printed lacks: the month's gaps, and ranks that were not resampled."""
    notes = [
        f"gap: {r['subject']} not collected in {month}"
        + (f" ({r['detail']})" if r["detail"] else "")
        + f": the {r['dimensions']} numbers lack its share"
        for r in gaps.filter(kind="not collected").iter_rows(named=True)
    ]
    notes += [
        f"gap: {r['subject']} is not ranked in {month}: {r['detail']}; the overall ranking combines the others"
        for r in gaps.filter(kind="not ranked").iter_rows(named=True)
    ]
    if profile.intervals is None:
        notes.append(f"ranks not resampled: profile {profile.name} computes no rank intervals")
    elif "rank_low" in table.columns and table["rank_low"].null_count():
        notes.append(
            "rank_low / rank_high null: not resampled (nothing behind the values can be: hand inputs)"
        )
    return notes


def cmd_site(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.site import build_site

    profile = profile_of(args)
    source = args.source or settings.current_source()
    path = settings.warehouse_path(source)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / "index.html").exists():
        # build_site empties the folder: refuse one that does not look like an earlier site build.
        raise CliError(f"--out {out}: not empty and not a site build (no index.html); choose another folder")
    report = build_site(path, profile, out, source=source)
    print(
        f"site: {report.pages} pages, {report.bytes / 1e6:.1f} MB in {report.seconds:.1f} s "
        f"(source {source}, profile {profile.name}) -> {report.index}"
    )
    return 0


def add_parsers(sub) -> None:
    export = sub.add_parser("export", help="write a month's rankings as files")
    export.add_argument("--month", required=True, help="YYYY-MM or 'latest'")
    export.add_argument("--out", required=True)
    export.add_argument("--profile")
    export.add_argument("--format", choices=("csv", "parquet", "json"), default="csv")
    export.add_argument("--source", choices=SOURCES, help=READ_SOURCE_HELP)
    export.set_defaults(func=cmd_export)

    show = sub.add_parser("show", help="print a month's ranking")
    show.add_argument("--month", default="latest")
    show.add_argument(
        "--dimension", choices=("overall", "data", "model", "system", "benchmark"), default="overall"
    )
    show.add_argument("--variant", choices=("monthly", "accumulated"), default="monthly")
    show.add_argument("--top", type=int, default=0, help="only the first N rows")
    show.add_argument(
        "--metrics",
        action="store_true",
        help="every normalised metric column, one block per org (wrapped to the terminal's width)",
    )
    show.add_argument("--profile")
    show.add_argument("--source", choices=SOURCES, help=READ_SOURCE_HELP)
    show.set_defaults(func=cmd_show)
    site = sub.add_parser("site", help="render the static leaderboard site from the warehouse")
    site.add_argument("--out", required=True, help="folder to write the site into (replaced)")
    site.add_argument("--profile")
    site.add_argument("--source", choices=SOURCES, help=READ_SOURCE_HELP)
    site.set_defaults(func=cmd_site)
