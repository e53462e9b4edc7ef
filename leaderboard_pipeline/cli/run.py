"""`leaderboard run`: plan the months, check the hand inputs, run the graph in one Dagster run per
contiguous range, and say per layer what was written."""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import replace
from pathlib import Path

from leaderboard_pipeline.cli.arguments import SOURCES, CliError, months_arg
from leaderboard_pipeline.cli.interrupts import stop_promptly
from leaderboard_pipeline.cli.run_inputs import run_inputs
from leaderboard_pipeline.cli.run_report import error_message, print_summary, warning_lines, write_summary
from leaderboard_pipeline.cli.terminal import allow_missing_env, progress_to_terminal
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.contract.months import contiguous, ranges


def _instance(source: str):
    """The Dagster instance of ``source``'s home (`settings.dagster_home`: ``$DAGSTER_HOME``, else
    ``.dagster/<source>/``), opened explicitly: nothing is handed to Dagster through the environment."""
    import dagster as dg

    home = settings.dagster_home(source)
    try:
        home.mkdir(parents=True, exist_ok=True)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text("telemetry:\n  enabled: false\n")
    except OSError as exc:
        raise CliError(f"{home}: cannot create the Dagster home ({exc.strerror})") from None
    _claim_dagster_home(home, source)
    from leaderboard_pipeline.defs.instance import pooled

    return pooled(dg.DagsterInstance.from_config(str(home)))


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


def _baselines(path: Path, months: list[str], profile) -> list[str]:
    """Which months were stored as baselines and not ranked, and when they will be."""
    from leaderboard_pipeline.core.snapshots import baseline_notes
    from leaderboard_pipeline.warehouse import read_partitions

    snapshots = read_partitions(path, "clean", "snapshots", months, profile.name)
    if snapshots is None:
        return []
    # every baseline, with hand inputs or without (the demo's first month, 2024-12, has none)
    return [f"  {note}" for note in baseline_notes(snapshots, profile.cleaning)]


def _demo_version(path: Path, source: str) -> tuple[str | None, bool]:
    """The bundled demo is versioned with the code: when its inputs changed (new recordings, new hand
    inputs) its stored months are replaced, and the command says so. Other sources' raw months stay
    immutable. Returns the demo's version (None for other sources) and whether to replace."""
    if source != "demo":
        return None, False
    from leaderboard_pipeline.sources.demo import demo_version
    from leaderboard_pipeline.warehouse import source_version, stored_months

    version = demo_version()
    if stored_months(path, "raw", "snapshot_manifest") and source_version(path) != version:
        print(f"the bundled demo changed since {path} was written: its stored months are replaced")
        return version, True
    return version, False


def _settings(args: argparse.Namespace):
    """The run's settings: the command's options over the environment's, through the same function the
    code location builds its defaults with (`defs.run_settings.from_environment`)."""
    from leaderboard_pipeline.defs.run_settings import from_environment

    # --allow-missing, checked (an unknown platform is one line, before anything is read); without it
    # the environment's applies
    allow = allow_missing_env(args.allow_missing) if args.allow_missing is not None else None
    return from_environment(
        source=args.source,
        archive=args.archive,
        profile=args.profile,
        replace_raw=args.replace_raw,
        allow_missing=allow,
    )


def cmd_run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    wanted = months_arg(args.months)
    run = _settings(args)
    from leaderboard_pipeline.config.profiles import ProfileError, load_profile
    from leaderboard_pipeline.contract.errors import SourceError
    from leaderboard_pipeline.sources.factory import make_source
    from leaderboard_pipeline.warehouse import (
        record_inputs,
        record_source_version,
        recorded_inputs,
        require_source,
        session,
        stored_months,
    )

    try:
        profile = load_profile(run.profile)
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    try:
        source = make_source(
            run.source,
            run.archive or None,
            run.cassettes,
            run.http_overrides,
            allow_missing=run.allow_missing,
            profile=profile,
        )
        source_months = source.months()
    except SourceError as exc:
        raise CliError(str(exc)) from None
    path = Path(run.warehouse)
    require_source(path, source.name)
    stored = set(stored_months(path, "clean", "models", profile.name))
    months = _plan(source_months, wanted, stored)
    demo, replace_demo = _demo_version(path, source.name)
    if replace_demo:
        run = replace(run, replace_raw=True)
    from leaderboard_pipeline.sources.combined import validate_before_run

    for note in validate_before_run(source, months, profile):  # hand inputs: fail before any request
        print(note)
    from leaderboard_pipeline.sources.live import confirm_start

    confirm_start(source, months, yes=args.yes)  # a crawl of hours starts only when asked
    # Whether anything changed is decided before computing (a replaced demo always runs).
    digest = None if replace_demo else run_inputs(run, months)
    # One warehouse connection for the whole command (a run of every range, and what it records), instead
    # of an open and a checkpointing close per table; no other process writes the warehouse meanwhile.
    with session(path):
        record, _ = recorded_inputs(path, profile.name)
        if digest is not None and record and record.digest == digest and set(months) <= set(record.months):
            _unchanged(
                f"{source.name} {ranges(months)} (profile {profile.name})", months, record, path, started
            )
            return 0
        with stop_promptly():  # Ctrl-C / SIGTERM: the run stops within seconds, the warehouse as it was
            notes, changed = _execute(run, source.name, profile, months, path)
        if demo is not None:
            record_source_version(path, demo)
        if digest is not None:
            earlier = record.months if record and record.digest == digest else []
            record_inputs(path, profile.name, digest, [*earlier, *months], notes)
    _done(months, changed, started)
    return 0


def _done(months: list[str], changed: bool, started: float) -> None:
    took = time.perf_counter() - started
    if changed:
        print(f"done: {len(months)} month(s) in {took:.1f} s")
    else:
        print(f"done: nothing changed ({len(months)} month(s) already stored, identical) in {took:.1f} s")


def _unchanged(what: str, months: list[str], record, path: Path, started: float) -> None:
    """Nothing the tables depend on changed since a run stored these months, and nobody wrote to the
    warehouse since: running would find every month unchanged. Say so, with what that run printed."""
    print(f"{what}: the same inputs as the run that stored them -> {path}")
    for note in record.notes:
        print(note)
    print(f"  unchanged: {ranges(months)} already stored with exactly this content")
    _done(months, False, started)


def _execute(run, source: str, profile, months: list[str], path: Path) -> tuple[list[str], bool]:
    """One Dagster run per contiguous range of ``months``, with ``run`` as the resources' run config (as
    the launchpad would launch it). Returns the lines it printed about checks and baselines, and whether
    anything changed."""
    warnings.filterwarnings("ignore")
    from leaderboard_pipeline.definitions import build_definitions
    from leaderboard_pipeline.defs.dagster_storage import reuse_sqlite_engines
    from leaderboard_pipeline.defs.run_settings import run_config

    if source == "live":
        progress_to_terminal()
    instance = _instance(source)
    job = build_definitions(run).resolve_job_def("monthly_leaderboard")
    reuse_sqlite_engines()
    config = {
        **run_config(run),
        # our own one-line error replaces Dagster's console traceback; the full log is in the instance
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    notes, changed = [], False
    for months_run in contiguous(months):
        print(f"running {source} {months_run[0]}..{months_run[-1]} (profile {profile.name}) -> {path}")
        result = job.execute_in_process(
            run_config=config,
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": months_run[0],
                "dagster/asset_partition_range_end": months_run[-1],
                "leaderboard/source": source,
                "leaderboard/profile": profile.name,
            },
            raise_on_error=False,
        )
        lines = warning_lines(result.get_asset_check_evaluations())
        for line in lines:
            print(line)
        if not result.success:
            raise CliError(f"run {result.run_id[:8]} failed: {error_message(result)}")
        changed |= print_summary(write_summary(result))
        baselines = _baselines(path, months_run, profile)
        for line in baselines:
            print(line)
        notes += lines + baselines
    return notes, changed


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
