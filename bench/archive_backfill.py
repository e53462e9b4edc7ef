"""The full archive backfill, raw -> overall with every check, through the real CLI command, side by side
with the published pipeline's rank-only run (its own merge-and-rank step over the same ten months).

    .venv/bin/python bench/archive_backfill.py                       # 3 alternating runs each, medians
    .venv/bin/python bench/archive_backfill.py --runs 5 --profile osir-published
    .venv/bin/python bench/archive_backfill.py --compare /tmp/base   # also another checkout (before/after)
    .venv/bin/python bench/archive_backfill.py --rerun               # also a rerun with unchanged inputs

Ours: each run is one fresh process (`leaderboard run --source archive --archive PATH`, Python start-up
included) with a fresh DuckDB file and a fresh DAGSTER_HOME in a temporary folder. Wall time is measured
around the process; peak RSS and CPU time come from that process' own rusage (``os.wait4``). With
``--rerun`` the same command runs again on the same warehouse and home (nothing changed: a no-op).

The published pipeline: ``../shared/tools/anchor/run_upstream_pipeline.py rank --all --force-order``,
called by path (see its README): it needs ``OSIR_SRC`` (the published repository extracted) and a Python
>= 3.12 with pandas, numpy, jsonlines, loguru, tqdm, pyyaml and typing_extensions (``--anchor-python``,
default ``$ANCHOR_PYTHON`` or /tmp/anchor-venv/bin/python). The runs alternate (ours, theirs, ...) so that
the machine's load falls on both alike; the ratio is of the medians.
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
ANCHOR = ROOT.parent / "shared" / "tools" / "anchor" / "run_upstream_pipeline.py"


def timed(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> dict:
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    text = log.read_text()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command)} failed:\n{text[-3000:]}")
    done = next((line for line in text.splitlines() if line.startswith("done:")), "")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "done": done,
    }


def ours(bin_dir: Path, archive: Path, profile: str | None, extra: dict, rerun: bool) -> list[dict]:
    """A backfill on a fresh warehouse and home (and, with ``rerun``, the same command again)."""
    with tempfile.TemporaryDirectory(prefix="lb-backfill-") as tmp:
        env = {
            **os.environ,
            "LEADERBOARD_DB": str(Path(tmp) / "warehouse.duckdb"),
            "DAGSTER_HOME": str(Path(tmp) / "dagster-home"),
            **extra,
        }
        command = [str(bin_dir / "leaderboard"), "run", "--source", "archive", "--archive", str(archive)]
        if profile:
            command += ["--profile", profile]
        cwd = bin_dir.parent.parent  # the checkout the venv belongs to
        results = [timed(command, env, cwd, Path(tmp) / "first.txt")]
        if rerun:
            results.append(timed(command, env, cwd, Path(tmp) / "again.txt"))
        return results


def theirs(python: str, osir_src: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="lb-anchor-") as tmp:
        env = {**os.environ, "OSIR_SRC": str(osir_src), "OSIR_WORK": str(Path(tmp) / "work")}
        command = [python, str(ANCHOR), "rank", "--all", "--force-order"]
        result = timed(command, env, Path(tmp), Path(tmp) / "anchor.txt")
        text = (Path(tmp) / "anchor.txt").read_text()
        if "different: 0" not in text:
            raise SystemExit(f"the published pipeline did not reproduce its files:\n{text[-2000:]}")
        return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="scoring profile (default: the CLI's default)")
    parser.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for our runs (A/B tests)")
    parser.add_argument("--rerun", action="store_true", help="also time a rerun with unchanged inputs")
    parser.add_argument("--compare", type=Path, help="another checkout with its own .venv (e.g. main before)")
    parser.add_argument(
        "--anchor-python", default=os.environ.get("ANCHOR_PYTHON", "/tmp/anchor-venv/bin/python")
    )
    parser.add_argument("--osir-src", type=Path, default=os.environ.get("OSIR_SRC"))
    parser.add_argument("--no-anchor", action="store_true", help="only our runs")
    args = parser.parse_args()
    if not (args.archive / "snapshots").is_dir():
        sys.exit(f"{args.archive}: not an archive in the published layout")
    anchor = not args.no_anchor
    if anchor and not (args.osir_src and (args.osir_src / "oslm-crawler").is_dir()):
        sys.exit(
            f"set OSIR_SRC (or --osir-src) to the extracted published repository: see {ANCHOR.parent}/README.md"
        )
    if anchor and not Path(args.anchor_python).exists():
        sys.exit(
            f"{args.anchor_python}: no such Python (--anchor-python, $ANCHOR_PYTHON): see {ANCHOR.parent}/README.md"
        )
    extra = dict(item.split("=", 1) for item in args.env)
    contenders = {"ours": VENV_BIN}
    if args.compare:
        contenders = {f"before ({args.compare})": args.compare / ".venv" / "bin", "ours": VENV_BIN}

    print(f"archive backfill: {args.archive}, {args.runs} alternating runs; {machine()}")
    results: dict[str, list[dict]] = {name: [] for name in contenders}
    reruns: dict[str, list[dict]] = {name: [] for name in contenders}
    if anchor:
        results["published pipeline (rank only)"] = []
    for i in range(args.runs):
        for name, bin_dir in contenders.items():
            first, *again = ours(bin_dir, args.archive, args.profile, extra, args.rerun)
            results[name].append(first)
            reruns[name] += again
            print(
                f"  {name} run {i + 1}: {first['wall']:.2f} s wall, {first['cpu']:.2f} s CPU, {first['rss_mb']:.0f} MiB; {first['done']}"
            )
            for result in again:
                print(
                    f"  {name} rerun {i + 1}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU; {result['done']}"
                )
        if anchor:
            result = theirs(args.anchor_python, args.osir_src)
            results["published pipeline (rank only)"].append(result)
            print(f"  published pipeline run {i + 1}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU")
    reference = median([r["wall"] for r in results["published pipeline (rank only)"]]) if anchor else None
    rows = []
    for name, runs in results.items():
        wall = median([r["wall"] for r in runs])
        ratio = f"{wall / reference:.2f}x" if reference else ""
        rows.append(
            [name, wall, median([r["cpu"] for r in runs]), median([r["rss_mb"] for r in runs]), ratio]
        )
    for name, runs in reruns.items():
        if runs:
            rows.append(
                [
                    f"{name}, rerun (unchanged)",
                    median([r["wall"] for r in runs]),
                    median([r["cpu"] for r in runs]),
                    median([r["rss_mb"] for r in runs]),
                    "",
                ]
            )
    print()
    print(table(["run", "wall s (median, incl. start-up)", "CPU s", "peak RSS MiB", "vs published"], rows))
    print(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
