"""The full archive backfill, raw -> overall with every check, through the real CLI command.

    .venv/bin/python bench/archive_backfill.py                       # 3 runs, median
    .venv/bin/python bench/archive_backfill.py --runs 5 --profile osir-published

Each run is one fresh process (`leaderboard run --source archive --archive PATH`, Python start-up
included) with a fresh DuckDB file and a fresh DAGSTER_HOME in a temporary folder. Wall time is measured
around the process; peak RSS and CPU time come from that process' own rusage (``os.wait4``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, VENV_BIN, machine, median, table  # noqa: E402

DEFAULT_ARCHIVE = ROOT.parent / "shared" / "reference" / "osir-lmts"


def one_run(archive: Path, profile: str | None, extra_env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="lb-backfill-") as tmp:
        env = {
            **os.environ,
            "LEADERBOARD_DB": str(Path(tmp) / "warehouse.duckdb"),
            "DAGSTER_HOME": str(Path(tmp) / "dagster-home"),
            **extra_env,
        }
        command = [str(VENV_BIN / "leaderboard"), "run", "--source", "archive", "--archive", str(archive)]
        if profile:
            command += ["--profile", profile]
        log = Path(tmp) / "output.txt"
        with log.open("w") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = log.read_text()
        if proc.returncode:
            raise SystemExit(f"run failed ({proc.returncode}):\n{text}")
        months = next((line for line in text.splitlines() if line.startswith("done:")), "")
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024,
            "done": months,
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="scoring profile (default: the CLI's default)")
    parser.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for the runs (A/B tests)")
    args = parser.parse_args()
    if not (args.archive / "snapshots").is_dir():
        sys.exit(f"{args.archive}: not an archive in the published layout")
    extra = dict(item.split("=", 1) for item in args.env)

    print(f"archive backfill: {args.archive} ({args.runs} runs); {machine()}")
    results = []
    for i in range(args.runs):
        result = one_run(args.archive, args.profile, extra)
        results.append(result)
        print(
            f"  run {i + 1}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU, {result['rss_mb']:.0f} MiB; {result['done']}"
        )
    rows = [[f"run {i + 1}", r["wall"], r["cpu"], r["rss_mb"]] for i, r in enumerate(results)]
    rows.append(
        [
            "median",
            median([r["wall"] for r in results]),
            median([r["cpu"] for r in results]),
            median([r["rss_mb"] for r in results]),
        ]
    )
    print()
    print(table(["run", "wall s (incl. start-up)", "CPU s (user+sys)", "peak RSS MiB"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
