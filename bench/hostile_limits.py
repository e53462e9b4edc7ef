"""The live path under hostile answers (issue 17): peak memory under a decompression bomb, and the time a
month takes to fail on a response that never ends.

Each case serves one Hugging Face account hostile from the mock ecosystem (the switches of
`leaderboard_pipeline_tests/collectors/hostile.py`) in this process, and collects a live month of that
account in a child process (`LiveSource`, the production code path and, unless `--set` says otherwise,
the production limits), so the child's peak RSS is the collector's alone.

    bomb          gzip body, about 1 MB on the wire, `--inflated` bytes of JSON (default 1 GiB) inflated
    honest        a valid listing padded to 50 MB: what must keep working
    never-ending  headers, then one body byte every `--every` seconds, for ever

    .venv/bin/python bench/hostile_limits.py                        # bomb and honest (~30 s)
    .venv/bin/python bench/hostile_limits.py --case never-ending    # production limits: ~10 min
    .venv/bin/python bench/hostile_limits.py --case never-ending --set request_deadline=10
    .venv/bin/python bench/hostile_limits.py --code /path/to/other/checkout   # before / after figures

A child still running `--timeout` seconds after it started is killed and reported as such.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

TESTS = ROOT / "leaderboard_pipeline_tests" / "collectors"
GIB, MIB = 1 << 30, 1 << 20


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def child(registry: str, settings: str) -> None:
    """The measured side: one live month of the registry; prints one JSON line."""
    from leaderboard_pipeline.collectors.platforms import PLATFORMS
    from leaderboard_pipeline.sources.live import LiveSource

    overrides = json.loads(settings)
    source = LiveSource(Path(registry), None, "off", platform_settings=dict.fromkeys(PLATFORMS, overrides))
    started = time.monotonic()
    try:
        tables = source.read_month(source.months()[0])
        outcome = f"ok: {tables['hf_models'].height} models"
    except Exception as exc:  # the figure is what happened, whatever it was
        outcome = f"{type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "outcome": outcome}))


def run_case(case: str, args, mock, hostile) -> list[object]:
    if case == "bomb":
        switch = hostile.Hostile(namespace="BAAI", bomb=("gzip", args.inflated))
        wire = len(hostile._bomb("gzip", args.inflated))
        what = f"gzip bomb: {wire / MIB:.2f} MB on the wire, {args.inflated / GIB:g} GiB inflated"
    elif case == "honest":
        switch = hostile.Hostile(namespace="BAAI", pad=50 * MIB)
        what = "valid listing padded to 50 MB"
    else:
        switch = hostile.Hostile(namespace="BAAI", dribble=args.every, dribble_for=10**9)
        what = f"never-ending: a byte every {args.every:g} s"
    settings = dict(item.split("=", 1) for item in args.set)
    settings = {k: float(v) if "." in v or "e" in v else int(v) for k, v in settings.items()}
    with tempfile.TemporaryDirectory() as tmp, mock.MockEcosystem(hostile=switch) as eco:
        registry = Path(tmp) / "orgs.yaml"
        registry.write_text("orgs:\n  BAAI:\n    huggingface: [BAAI]\n")
        env = {**os.environ, **eco.env(), "PYTHONPATH": str(args.code or ROOT)}
        command = [sys.executable, __file__, "--child", str(registry), json.dumps(settings)]
        started = time.monotonic()
        proc = subprocess.Popen(command, env=env, cwd=args.code or ROOT, stdout=subprocess.PIPE, text=True)
        try:
            out, _ = proc.communicate(timeout=args.timeout)
            result = json.loads(out.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            waited = time.monotonic() - started
            result = {
                "seconds": waited,
                "peak_mb": float("nan"),
                "outcome": f"still running after {waited:.0f} s",
            }
    outcome = " ".join(result["outcome"].split())
    if len(outcome) > 160:  # the request URL is long: keep its head and the reason at the end
        outcome = f"{outcome[:60]} … {outcome[-95:]}"
    return [
        what,
        ", ".join(f"{k}={v}" for k, v in settings.items()) or "defaults",
        result["seconds"],
        result["peak_mb"],
        outcome[:220],
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", action="append", choices=("bomb", "honest", "never-ending"))
    parser.add_argument("--inflated", type=int, default=GIB, help="bytes of the bomb once inflated")
    parser.add_argument("--every", type=float, default=1.0, help="never-ending: seconds between bytes")
    parser.add_argument(
        "--set", action="append", default=[], help="PlatformConfig field=value, e.g. max_body=1048576"
    )
    parser.add_argument("--code", type=Path, help="run the collector from this checkout (default: this one)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="kill a child still running after this")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    mock, hostile = _load("mock_ecosystem"), _load("hostile")
    rows = [run_case(case, args, mock, hostile) for case in args.case or ("bomb", "honest")]
    print(f"code: {args.code or ROOT}  machine: {machine()}\n")
    print(table(["answer", "limits", "seconds to result", "peak RSS MB (child)", "result"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
