"""The same `leaderboard run` on the two Dagster instances we deploy: SQLite (a fresh `.dagster/<source>/`,
what the CLI creates) and PostgreSQL (`deploy/dagster.yaml` on a throw-away server, a fresh database
per run), measured side by side, alternating.

    .venv/bin/python bench/instance_storage.py                       # demo, 3 runs each, median
    .venv/bin/python bench/instance_storage.py --source archive --runs 3
    .venv/bin/python bench/instance_storage.py --env DAGSTER_EVENT_BATCH_SIZE=100   # A/B a setting
    .venv/bin/python bench/instance_storage.py --compare /tmp/base   # also another checkout (before/after)

Each run is one fresh process with a fresh DuckDB file (`LEADERBOARD_DB`) and a fresh instance; wall time
around the process, CPU time of the process (``os.wait4``), and the number of events the run stored.
The PostgreSQL server is Debian's (`make postgres` installs it), started in a temporary folder with
password (SCRAM) authentication as in production, and stopped afterwards.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, VENV_BIN, machine, median, table  # noqa: E402

DEFAULT_ARCHIVE = ROOT.parent / "shared" / "reference" / "osir-lmts"
THROWAWAY = ROOT / "leaderboard_pipeline_tests" / "deploy" / "throwaway_postgres.py"
DEPLOY_CONFIG = ROOT / "deploy" / "dagster.yaml"


def _throwaway():
    spec = importlib.util.spec_from_file_location("throwaway_postgres", THROWAWAY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def one_run(command: list[str], env: dict[str, str], cwd: Path) -> dict:
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        log.seek(0)
        text = log.read()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"run failed:\n{text}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime}


def sqlite_events(home: Path) -> int:
    total = 0
    for shard in (home / "history" / "runs").glob("*.db"):
        if shard.name != "index.db":
            with closing(sqlite3.connect(shard)) as con:
                total += con.execute("select count(*) from event_logs").fetchone()[0]
    return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", choices=("demo", "archive"), default="demo")
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="scoring profile (default: the CLI's default)")
    parser.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for the runs (A/B tests)")
    parser.add_argument("--compare", type=Path, help="another checkout with its own .venv (e.g. main before)")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    contenders = {"ours": VENV_BIN}
    if args.compare:
        contenders = {"before": args.compare / ".venv" / "bin", "ours": VENV_BIN}

    def command(bin_dir: Path) -> list[str]:
        line = [str(bin_dir / "leaderboard"), "run", "--source", args.source]
        if args.source == "archive":
            line += ["--archive", str(args.archive)]
        return line + (["--profile", args.profile] if args.profile else [])

    print(f"instance storage: `{' '.join(command(VENV_BIN)[1:])}`, {args.runs} runs each; {machine()}")
    results: dict[tuple[str, str], list[dict]] = {}
    throwaway = _throwaway()
    with throwaway.throwaway_server() as server, tempfile.TemporaryDirectory(prefix="lb-instance-") as tmp:
        for i in range(args.runs):
            for name, bin_dir in contenders.items():
                for kind in ("sqlite", "postgres"):
                    base = Path(tmp) / f"{name}-{kind}-{i}"
                    home = base / "dagster"
                    home.mkdir(parents=True)
                    env = {
                        **os.environ,
                        "LEADERBOARD_DB": str(base / "w.duckdb"),
                        "DAGSTER_HOME": str(home),
                        **extra,
                    }
                    if kind == "postgres":
                        database = f"dagster_{name}_{i}"
                        with closing(server.connect()) as con, con.cursor() as cursor:
                            cursor.execute(f"CREATE DATABASE {database}")
                        shutil.copy(DEPLOY_CONFIG, home / "dagster.yaml")
                        env.update(server.environment(database))
                    result = one_run(command(bin_dir), env, bin_dir.parent.parent)
                    if kind == "postgres":
                        with closing(server.connect(database)) as con, con.cursor() as cursor:
                            cursor.execute("select count(*) from event_logs")
                            result["events"] = cursor.fetchone()[0]
                    else:
                        result["events"] = sqlite_events(home)
                    results.setdefault((name, kind), []).append(result)
                    print(
                        f"  {name} {kind} run {i + 1}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU, "
                        f"{result['events']} events"
                    )
    rows = []
    for name in contenders:
        walls = {kind: median([r["wall"] for r in results[name, kind]]) for kind in ("sqlite", "postgres")}
        for kind in ("sqlite", "postgres"):
            runs = results[name, kind]
            ratio = f"{walls['postgres'] / walls['sqlite']:.2f}x" if kind == "postgres" else ""
            rows.append([name, kind, walls[kind], median([r["cpu"] for r in runs]), runs[0]["events"], ratio])
    print()
    print(
        table(
            [
                "checkout",
                "instance",
                "wall s (median)",
                "CPU s (median)",
                "events stored",
                "postgres / sqlite",
            ],
            rows,
        )
    )
    print(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
