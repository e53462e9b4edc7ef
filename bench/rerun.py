"""A rerun with unchanged inputs (`make run` again): `leaderboard run --source demo` on a warehouse and
Dagster home that already hold the demo, timed as a fresh process each time.

    .venv/bin/python bench/rerun.py                          # 5 reruns, median
    .venv/bin/python bench/rerun.py --source archive          # the archive's rerun
    .venv/bin/python bench/rerun.py --compare /tmp/base       # also another checkout (before/after)

The first run of each checkout fills a temporary warehouse and home and is not timed; every timed rerun
must say that nothing changed.
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


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command)} failed:\n{out[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", choices=("demo", "archive"), default="demo")
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another checkout with its own .venv (e.g. main before)")
    args = parser.parse_args()
    contenders = {"ours": VENV_BIN}
    if args.compare:
        contenders = {f"before ({args.compare})": args.compare / ".venv" / "bin", "ours": VENV_BIN}
    print(f"rerun with unchanged inputs: {args.source}, {args.runs} reruns each; {machine()}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="lb-rerun-") as tmp:
        envs, commands = {}, {}
        for name, bin_dir in contenders.items():
            base = Path(tmp) / str(len(envs))
            envs[name] = {
                **os.environ,
                "LEADERBOARD_DB": str(base / "w.duckdb"),
                "DAGSTER_HOME": str(base / "home"),
            }
            commands[name] = [str(bin_dir / "leaderboard"), "run", "--source", args.source]
            if args.source == "archive":
                commands[name] += ["--archive", str(args.archive)]
            run(commands[name], envs[name], bin_dir.parent.parent)  # fills the warehouse: not timed
        times = {name: [] for name in contenders}
        for i in range(args.runs):
            for name, bin_dir in contenders.items():  # alternating
                wall, cpu, out = run(commands[name], envs[name], bin_dir.parent.parent)
                if "done: nothing changed" not in out:
                    raise SystemExit(f"{name}: the rerun changed something:\n{out}")
                times[name].append((wall, cpu))
                print(f"  {name} rerun {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU")
        for name, values in times.items():
            rows.append([name, median([w for w, _ in values]), median([c for _, c in values])])
    print()
    print(table(["checkout", "wall s (median, incl. start-up)", "CPU s"], rows))
    print(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
