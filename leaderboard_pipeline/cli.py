"""``leaderboard``: run the graph for months of a source, export rankings, show them in the terminal."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from leaderboard_pipeline import probe, settings
from leaderboard_pipeline.terminal import allow_missing_env, progress_to_terminal

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SOURCES = ("demo", "archive", "live")
# what `show` prints of a dimension's ranking by default
SHOWN = ("score", "rank", "delta_rank", "rank_low", "rank_high", "rank_best_loo", "rank_worst_loo")
READ_SOURCE_HELP = f"whose warehouse to read (default ${settings.ENV_SOURCE} or {settings.DEFAULT_SOURCE})"


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def _months_arg(value: str | None) -> tuple[str, str] | None:
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


@contextmanager
def _environment(args: argparse.Namespace, source: str):
    """Everything the Dagster definitions read at build time comes from the environment: set it for
    the command and restore it afterwards (tests call `main` many times in one process)."""
    home = settings.dagster_home(source)
    values = {
        "DAGSTER_HOME": str(home),
        settings.ENV_SOURCE: source,
        settings.ENV_PROFILE: getattr(args, "profile", None),
        settings.ENV_ARCHIVE: str(Path(args.archive).resolve()) if getattr(args, "archive", None) else None,
        # never inherited: one --replace-raw must not leak into the next command of the process
        "LEADERBOARD_REPLACE_RAW": "1" if getattr(args, "replace_raw", False) else "",
        # --allow-missing, checked; without it the environment's (the code location's) applies
        "LEADERBOARD_ALLOW_MISSING": allow_missing_env(args.allow_missing)
        if getattr(args, "allow_missing", None) is not None
        else None,
    }
    saved = {k: os.environ.get(k) for k in values}
    try:
        home.mkdir(parents=True, exist_ok=True)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text("telemetry:\n  enabled: false\n")
    except OSError as exc:
        raise CliError(f"{home}: cannot create the Dagster home ({exc.strerror})") from None
    _claim_dagster_home(home, source)
    if source == "live":
        progress_to_terminal()
    for key, value in values.items():
        if value is not None:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _claim_dagster_home(home: Path, source: str) -> None:
    """A Dagster home records one source's runs: the UI on it must not show another warehouse's
    materialisations as this one's."""
    marker = home / "leaderboard-source"
    claimed = marker.read_text().strip() if marker.exists() else None
    if claimed and claimed != source:
        raise CliError(
            f"{home} holds the Dagster runs of the {claimed} source, not {source}: each source has its own "
            "Dagster home (unset DAGSTER_HOME to get .dagster/<source>/, or point it at another folder)"
        )
    if claimed is None:
        marker.write_text(source + "\n")


def _profile(args: argparse.Namespace):
    from leaderboard_pipeline.profiles import ProfileError, load_profile

    try:
        return load_profile(args.profile or os.environ.get(settings.ENV_PROFILE, settings.DEFAULT_PROFILE))
    except ProfileError as exc:
        raise CliError(str(exc)) from None


def _contiguous(months: list[str]) -> list[list[str]]:
    """Split sorted months into runs of consecutive months (one Dagster run each)."""
    from leaderboard_pipeline.cleaning import previous_month

    runs: list[list[str]] = []
    for month in months:
        if runs and previous_month(month) == runs[-1][-1]:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def _plan(source_months: list[str], wanted: tuple[str, str] | None, stored: set[str]) -> list[str]:
    """The months to run: those asked for, plus earlier source months whose tables are not stored yet
    (ModelScope differences, delta ranks and accumulated tables need them)."""
    if wanted is None:
        return source_months
    first, last = wanted
    chosen = [m for m in source_months if first <= m <= last]
    if not chosen:
        raise CliError(
            f"--months {first}..{last}: the source has no such month (it has {', '.join(source_months) or 'none'})"
        )
    earlier = [m for m in source_months if m < chosen[0]]
    missing = [m for m in earlier if m not in stored]
    if missing:
        chosen = [m for m in source_months if missing[0] <= m <= last]
    elif earlier:
        chosen = [earlier[-1], *chosen]  # recomputing last month is cheap and keeps deltas exact
    return chosen


OUR_ERRORS = {"SourceError", "WarehouseError", "Failure", "CollectError", "RegistryError", "ProfileError"}


def _error_message(result) -> str:
    """The error our code raised in the first failed step (not Dagster's wrappers, not its causes)."""
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.event_specific_data is not None:
            chain, error = [], event.event_specific_data.error
            while error is not None:
                chain.append(error)
                error = error.cause
            ours = next((e for e in chain if e.cls_name in OUR_ERRORS), chain[-1] if chain else None)
            if ours is not None:
                text = ours.message.strip()
                text = re.sub(r"^[\w.]+(Error|Failure): ", "", text)
                return " ".join(text.split("\n")[:3]).strip() or "step failed"
    return "the run failed (see the Dagster UI for the run log)"


def _ranges(months: list[str]) -> str:
    """["2025-01", "2025-02", "2025-04"] -> "2025-01..2025-02, 2025-04"."""
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in _contiguous(sorted(months)))


def _write_summary(result) -> dict[str, dict[str, set[str]]]:
    """Per layer, which months the run wrote new, replaced, or found stored with the same content."""
    layers: dict[str, dict[str, set[str]]] = {}
    for event in result.get_asset_materialization_events():
        layer = event.asset_key.path[0]
        metadata = event.materialization.metadata
        if "months_new" not in metadata:
            continue
        seen = layers.setdefault(layer, {"new": set(), "replaced": set(), "unchanged": set()})
        for status in seen:
            seen[status] |= set(metadata[f"months_{status}"].value)
    for seen in layers.values():
        # a month is unchanged in a layer only when no table of the layer changed it
        seen["unchanged"] -= seen["new"] | seen["replaced"]
        seen["new"] -= seen["replaced"]
    return layers


def _print_summary(layers: dict[str, dict[str, set[str]]]) -> bool:
    """Print what changed; returns whether anything did."""
    changed = any(seen["new"] or seen["replaced"] for seen in layers.values())
    if not changed:
        months = set().union(*(seen["unchanged"] for seen in layers.values())) if layers else set()
        print(f"  unchanged: {_ranges(list(months)) or 'no month'} already stored with exactly this content")
        return False
    for layer, seen in layers.items():
        parts = [f"{status} {_ranges(list(m))}" for status, m in seen.items() if m]
        if parts:
            print(f"  {layer}: {'; '.join(parts)}")
    return True


def _baselines(path: Path, months: list[str], profile) -> None:
    """Say which months were stored as baselines and not ranked, and when they will be."""
    import polars as pl

    from leaderboard_pipeline.snapshots import baseline_notes
    from leaderboard_pipeline.warehouse import read_partitions

    snapshots = read_partitions(path, "clean", "snapshots", months, profile.name)
    inputs = read_partitions(path, "raw", "system_inputs", months)
    if snapshots is None or inputs is None:
        return
    # only months that would be ranked otherwise: those with hand inputs
    for note in baseline_notes(snapshots.filter(pl.col("month").is_in(inputs["month"])), profile.cleaning):
        print(f"  {note}")


def _demo_version(path: Path, args: argparse.Namespace) -> str | None:
    """The bundled demo is versioned with the code: when its inputs changed (new recordings, new hand
    inputs) its stored months are replaced, and the command says so. Other sources' raw months stay
    immutable. Returns the demo's version (None for other sources)."""
    if (args.source or settings.current_source()) != "demo":
        return None
    from leaderboard_pipeline.sources.demo import demo_version
    from leaderboard_pipeline.warehouse import source_version, stored_months

    version = demo_version()
    if stored_months(path, "raw", "snapshot_manifest") and source_version(path) != version:
        print(f"the bundled demo changed since {path} was written: its stored months are replaced")
        args.replace_raw = True
    return version


def cmd_run(args: argparse.Namespace) -> int:
    profile = _profile(args)
    wanted = _months_arg(args.months)
    if args.allow_missing is not None:
        allow_missing_env(args.allow_missing)  # an unknown platform: one line, before anything is read
    from leaderboard_pipeline.sources.base import SourceError
    from leaderboard_pipeline.sources.factory import make_source
    from leaderboard_pipeline.warehouse import record_source_version, require_source, session, stored_months

    try:
        source = make_source(args.source or settings.current_source(), args.archive)
        source_months = source.months()
    except SourceError as exc:
        raise CliError(str(exc)) from None
    path = settings.warehouse_path(source.name)
    require_source(path, source.name)
    stored = set(stored_months(path, "clean", "models", profile.name))
    months = _plan(source_months, wanted, stored)
    demo = _demo_version(path, args)
    from leaderboard_pipeline.sources.combined import validate_before_run

    for note in validate_before_run(source, months, profile):  # hand inputs: fail before any request
        print(note)

    warnings.filterwarnings("ignore")
    import dagster as dg

    from leaderboard_pipeline.dagster_storage import reuse_sqlite_engines
    from leaderboard_pipeline.definitions import build_definitions

    started = time.perf_counter()
    changed = False
    with _environment(args, source.name):
        job = build_definitions().resolve_job_def("monthly_leaderboard")
        reuse_sqlite_engines()
        instance = dg.DagsterInstance.get()
        for run in _contiguous(months):
            print(f"running {source.name} {run[0]}..{run[-1]} (profile {profile.name}) -> {path}")
            # One warehouse connection for the whole run instead of an open and a checkpointing close per table.
            with session(path):
                result = job.execute_in_process(
                    instance=instance,
                    tags={
                        "dagster/asset_partition_range_start": run[0],
                        "dagster/asset_partition_range_end": run[-1],
                        "leaderboard/source": source.name,
                        "leaderboard/profile": profile.name,
                    },
                    # our own one-line error replaces Dagster's console traceback; the full log is in the instance
                    run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                    raise_on_error=False,
                )
            warned = [e for e in result.get_asset_check_evaluations() if not e.passed]
            for evaluation in warned:
                detail = ", ".join(
                    f"{k}={v.value}" for k, v in evaluation.metadata.items() if k != "failure_sample"
                )
                print(f"  check {evaluation.asset_key.to_user_string()} {evaluation.check_name}: {detail}")
            if not result.success:
                raise CliError(f"run {result.run_id[:8]} failed: {_error_message(result)}")
            changed |= _print_summary(_write_summary(result))
            _baselines(path, run, profile)
    if demo is not None:
        record_source_version(path, demo)
    took = time.perf_counter() - started
    if changed:
        print(f"done: {len(months)} month(s) in {took:.1f} s")
    else:
        print(f"done: nothing changed ({len(months)} month(s) already stored, identical) in {took:.1f} s")
    return 0


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

    def read(schema: str, table: str):
        return read_partitions(path, schema, table, [month], profile_name, read_only=True)

    return source, month, read


def cmd_export(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.exports import export_month

    profile = _profile(args)
    source, month, read = _warehouse_tables(args, profile.name, args.month)
    written = export_month(read, profile, Path(args.out), args.format)
    print(f"{month}: wrote {len(written)} files to {args.out} (source {source}, profile {profile.name})")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import polars as pl

    from leaderboard_pipeline.exports import ranking_table

    profile = _profile(args)
    source, month, read = _warehouse_tables(args, profile.name, args.month)
    table = ranking_table(read, profile, args.dimension, args.variant)
    if table is None:
        raise CliError(f"no {args.variant} ranking for {args.dimension} in {month}")
    table = table.sort(["rank", "position"]).drop("position")
    table = table.head(args.top) if args.top else table
    if args.dimension != "overall" and not args.metrics:
        # a terminal fits the ranking, not 30 normalised metric columns (`--metrics`, or `export`)
        table = table.select("org", *(c for c in table.columns if c in SHOWN))
    with pl.Config(
        tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, float_precision=4, tbl_width_chars=200
    ):
        print(f"{args.dimension} ranking, {month} ({args.variant}; source {source}, profile {profile.name})")
        print(table)
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.site import build_site

    profile = _profile(args)
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


def cmd_diff_profiles(args: argparse.Namespace) -> int:
    import polars as pl

    from leaderboard_pipeline.profile_diff import rank_changes, read_up_to, switch_effects
    from leaderboard_pipeline.profiles import ProfileError, load_profile
    from leaderboard_pipeline.sources.factory import make_source

    try:
        base, target = load_profile(args.base), load_profile(args.target)
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    source = make_source(args.source, args.archive)
    month = args.month or source.months()[-1]
    if month not in source.months():
        raise CliError(f"{source.name} has no month {month} (it has {', '.join(source.months())})")
    raw, months = read_up_to(source, month)
    from leaderboard_pipeline.profile_diff import monthly_ranks

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


def cmd_inputs(args: argparse.Namespace) -> int:
    """`inputs new` starts a month's hand inputs from the last one; `inputs check` lists every problem."""
    from leaderboard_pipeline import hand_inputs

    profile = _profile(args)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leaderboard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="materialise the asset graph for months of a source")
    run.add_argument(
        "--source",
        choices=SOURCES,
        default=None,
        help=f"default ${settings.ENV_SOURCE} or {settings.DEFAULT_SOURCE}",
    )
    run.add_argument(
        "--archive", help=f"archive folder (default ${settings.ENV_ARCHIVE} or ../shared/reference/osir-lmts)"
    )
    run.add_argument("--months", help="YYYY-MM or YYYY-MM..YYYY-MM (default: every month of the source)")
    run.add_argument(
        "--profile", help=f"scoring profile under data/profiles (default {settings.DEFAULT_PROFILE})"
    )
    run.add_argument("--replace-raw", action="store_true", help="allow replacing stored raw partitions")
    run.add_argument(
        "--allow-missing",
        metavar="PLATFORM,...",
        help="live: these platforms may be down; the month is collected without them (e.g. opendatalab,baai)",
    )
    run.set_defaults(func=cmd_run)

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
    show.add_argument("--metrics", action="store_true", help="also every normalised metric column")
    show.add_argument("--profile")
    show.add_argument("--source", choices=SOURCES, help=READ_SOURCE_HELP)
    show.set_defaults(func=cmd_show)
    site = sub.add_parser("site", help="render the static leaderboard site from the warehouse")
    site.add_argument("--out", required=True, help="folder to write the site into (replaced)")
    site.add_argument("--profile")
    site.add_argument("--source", choices=SOURCES, help=READ_SOURCE_HELP)
    site.set_defaults(func=cmd_site)
    diff = sub.add_parser("diff-profiles", help="ranks that differ between two profiles, and why")
    diff.add_argument("--source", choices=("demo", "archive", "live"), default="archive")
    diff.add_argument("--archive")
    diff.add_argument("--month", help="YYYY-MM (default: the source's last month)")
    diff.add_argument("--base", default="osir-published")
    diff.add_argument("--target", default=settings.DEFAULT_PROFILE)
    diff.add_argument("--switches", action="store_true", help="also the effect of each setting on its own")
    diff.set_defaults(func=cmd_diff_profiles)
    inputs = sub.add_parser("inputs", help="hand inputs of a live month: start one, check one")
    inputs.add_argument("action", choices=("new", "check"))
    inputs.add_argument("--month", help="YYYY-MM (check: default the latest month of the folder)")
    inputs.add_argument(
        "--inputs", help=f"the hand-inputs folder (default ${settings.ENV_INPUTS} or data/inputs)"
    )
    inputs.add_argument("--profile", help="whose columns the hand inputs must have (default methodology)")
    inputs.add_argument("--date", help="new: the dated folder's day YYYY-MM-DD (default today, or the 1st)")
    inputs.set_defaults(func=cmd_inputs)

    probe.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from leaderboard_pipeline.profiles import ProfileError
    from leaderboard_pipeline.sources.base import SourceError
    from leaderboard_pipeline.warehouse import WarehouseError

    try:
        return args.func(args)
    except (CliError, SourceError, WarehouseError, ProfileError) as exc:
        print(f"leaderboard: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a full disk or an unwritable folder outside the warehouse
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"leaderboard: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
