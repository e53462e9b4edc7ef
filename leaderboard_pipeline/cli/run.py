"""`leaderboard run`: plan the months, check the hand inputs, run the graph in one Dagster run per
contiguous range, and say per layer what was written."""

from __future__ import annotations

import argparse
import os
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from leaderboard_pipeline.cli.arguments import SOURCES, CliError, months_arg, profile_of
from leaderboard_pipeline.cli.interrupts import stop_promptly
from leaderboard_pipeline.cli.run_report import error_message, print_summary, write_summary
from leaderboard_pipeline.cli.terminal import allow_missing_env, progress_to_terminal
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.contract.months import contiguous


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


def _baselines(path: Path, months: list[str], profile) -> None:
    """Say which months were stored as baselines and not ranked, and when they will be."""
    from leaderboard_pipeline.core.snapshots import baseline_notes
    from leaderboard_pipeline.warehouse import read_partitions

    snapshots = read_partitions(path, "clean", "snapshots", months, profile.name)
    if snapshots is None:
        return
    # every baseline, with hand inputs or without (the demo's first month, 2024-12, has none)
    for note in baseline_notes(snapshots, profile.cleaning):
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
    profile = profile_of(args)
    wanted = months_arg(args.months)
    if args.allow_missing is not None:
        allow_missing_env(args.allow_missing)  # an unknown platform: one line, before anything is read
    from leaderboard_pipeline.contract.errors import SourceError
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
    from leaderboard_pipeline.sources.live import confirm_start

    confirm_start(source, months, yes=args.yes)  # a crawl of hours starts only when asked

    warnings.filterwarnings("ignore")
    import dagster as dg

    from leaderboard_pipeline.definitions import build_definitions
    from leaderboard_pipeline.defs.dagster_storage import reuse_sqlite_engines

    started = time.perf_counter()
    changed = False
    with _environment(args, source.name), stop_promptly():
        job = build_definitions().resolve_job_def("monthly_leaderboard")
        reuse_sqlite_engines()
        instance = dg.DagsterInstance.get()
        for run in contiguous(months):
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
                raise CliError(f"run {result.run_id[:8]} failed: {error_message(result)}")
            changed |= print_summary(write_summary(result))
            _baselines(path, run, profile)
    if demo is not None:
        record_source_version(path, demo)
    took = time.perf_counter() - started
    if changed:
        print(f"done: {len(months)} month(s) in {took:.1f} s")
    else:
        print(f"done: nothing changed ({len(months)} month(s) already stored, identical) in {took:.1f} s")
    return 0


def add_parser(sub) -> None:
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
    run.add_argument(
        "--yes",
        action="store_true",
        help="live: start even when the crawl is planned to take more than 10 minutes (e.g. without tokens)",
    )
    run.set_defaults(func=cmd_run)
