"""Proof on public months (issue 16, item 4): each public month taken over live, as an operator would.

    .venv/bin/python bench/published_live_ranks.py                    # every public month (~10 min)
    .venv/bin/python bench/published_live_ranks.py --dates 2025-08-07  # one (~1 min)
    .venv/bin/python bench/published_live_ranks.py --archive PATH      # another copy of the archive

For each dated folder of the archive that is ranked and has an earlier folder (read at run time from
../shared/reference/osir-lmts, or --archive), in a fresh work folder:

1. the operator's inputs folder in the published layout (docs/operations.md, "Taking over the published
   leaderboard"): the archive's `config/` files and every earlier dated folder (history: archive months),
   and for the month itself only its hand inputs (`infra-summary.csv`, `eval-summary.csv`): a live month;
2. the month's items served by the mock ecosystem (`PublishedMonthEcosystem`: exactly the folder's raw
   records, through the platforms' API shapes) and recorded for the whole registry by the live
   collectors (`LEADERBOARD_CASSETTES=record`);
3. `LEADERBOARD_CASSETTES=replay leaderboard run --source live --profile osir-published --months M`
   (the archive months before M are stored from the folder, M is collected from the recording, one
   warehouse), then `leaderboard export --source live --month M --profile osir-published`;
4. the exported data, model and overall rank files against the published ones, every org of the
   published files: how many dense ranks are equal, which differ, and why. The "why" is computed, not
   assumed: the summary cells that differ, and for each org whether the difference is exactly
   - the ModelScope feedback count (交流反馈, part of the published model metric "issue" = the Hub's
     discussions + ModelScope's feedback count), which no ModelScope API serves (docs/data-sources.md),
   - labels of merged items taken from another namespace's row than the published merge's (the same
     name in two namespaces of one org: the published merge keeps the first row of its crawl),
   or "UNEXPLAINED" (a bug to chase).

A month the collectors refuse (a value no platform may serve: a negative counter) is reported with the
collector's error, not scored. Exit status 1 when a `leaderboard` command failed (its log is kept with
--keep), else 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, VENV_BIN, machine, table  # noqa: E402

sys.path.insert(0, str(ROOT))
DEFAULT_ARCHIVE = ROOT.parent / "shared" / "reference" / "osir-lmts"


def _helpers():
    path = ROOT / "leaderboard_pipeline_tests" / "scenario" / "public_month.py"
    spec = importlib.util.spec_from_file_location("bench_public_month", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def leaderboard(args: list[str], env: dict[str, str | None], log: Path) -> None:
    """One `leaderboard` command in a fresh process, as the operator runs it; its output goes to `log`."""
    environ = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    with log.open("a") as out:
        out.write(f"$ leaderboard {' '.join(args)}\n")
        out.flush()
        code = subprocess.run(
            [str(VENV_BIN / "leaderboard"), *args],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        ).returncode
    if code:
        last = log.read_text().strip().splitlines()[-1:] or [""]
        raise RuntimeError(f"leaderboard {args[0]} exited {code}: {last[0]}")


def why(pm, work: Path, out: Path, archive: Path, date: str, result: dict) -> str:
    """The causes of the month's rank differences, from the summary cells that differ."""
    from leaderboard_pipeline.warehouse import read_partitions

    if all(not moved for _, _, moved in result.values()):
        return "-"
    cells = pm.summary_differences(out, archive, date)
    feedback = pm.modelscope_feedback(archive, date)
    db = work / "warehouse" / "live.duckdb"
    notes, unexplained, short = [], [], []
    for dim, kind in (("data", "datasets"), ("model", "models")):
        merged = read_partitions(db, "clean", kind, [date[:7]], pm.PROFILE)
        labels = pm.label_differences(merged, archive, date, kind)
        for org, diffs in sorted(cells[dim].items()):
            rest = []
            for column, published, ours in diffs:
                gap = pm._number(published) - pm._number(ours) if column == "issue" else 0
                if gap and gap == feedback.get(org):  # the Hub's discussions equal, ModelScope's missing
                    short.append(org)
                else:
                    rest.append((column, published, ours))
            first_row = [d for d in labels.get(org, []) if d[1] != d[2]]
            if rest and first_row:
                names = ", ".join(sorted({d[0] for d in first_row}))
                ours_ns = "/".join(sorted({d[1] for d in first_row}))
                theirs = "/".join(sorted({d[2] for d in first_row}))
                notes.append(
                    f"{dim} {org}: {len(first_row)} {kind} labelled from the {ours_ns} row where the published "
                    f"merge kept {theirs}'s (same name in two namespaces of the org: {names})"
                )
            elif rest:
                unexplained += [f"{org} {dim} {c} {a} vs {b}" for c, a, b in rest]
    if short:
        notes.insert(
            0, f"model 'issue' short by exactly the ModelScope feedback count (no API): {', '.join(short)}"
        )
    if not any(cells.values()):
        unexplained.append("every summary cell is equal, the ranks are not")
    if unexplained:
        notes.append("UNEXPLAINED: " + "; ".join(unexplained[:6]) + (" …" if len(unexplained) > 6 else ""))
    return "; ".join(notes)


def prove(pm, archive: Path, date: str, work: Path) -> list:
    from leaderboard_pipeline.contract.errors import SourceError

    month = date[:7]
    started = time.monotonic()
    inputs = pm.takeover_folder(archive, date, work / "inputs")
    cassettes, out, log = work / "cassettes", work / "out", work / "commands.log"
    try:
        pm.record(archive, date, cassettes)
    except SourceError as exc:  # a month the collectors refuse (a value no platform may serve): say why
        reason = " ".join(str(exc).split())
        reason = reason if len(reason) <= 220 else "… " + reason[-200:]  # the item is at the end
        return [date, "-", "-", "-", "-", f"not collected: {reason}", _seconds(started)]
    env = pm.environment(work, inputs, cassettes)
    try:
        for args in pm.commands(month, out):
            leaderboard(args, env, log)
    except RuntimeError as exc:
        return [date, "-", "-", "-", "-", f"FAILED: {exc} (log: {log})", _seconds(started)]
    result = pm.compare_ranks(out, archive, date)
    moved = "; ".join(
        f"{dim}: " + ", ".join(f"{org} {pub}->{ours}" for org, pub, ours in result[dim][2])
        for dim in pm.RANK_FILES
        if result[dim][2]
    )
    cells = [f"{same}/{total}" for same, total, _ in result.values()]
    return [date, *cells, moved or "none", why(pm, work, out, archive, date, result), _seconds(started)]


def _seconds(started: float) -> str:
    return f"{time.monotonic() - started:.0f} s"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--dates", help="comma-separated dated folders (default: every public month)")
    parser.add_argument("--keep", type=Path, help="work folders here (default: a temporary folder, removed)")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the recording's progress lines
    pm = _helpers()
    archive = args.archive.resolve()
    dates = args.dates.split(",") if args.dates else pm.public_dates(archive)
    print(f"public months taken over live through the mock, scored with {pm.PROFILE}; {machine()}")
    print(f"archive {archive}")
    for line in pm.registry_differences(archive):  # the live month collects the registry's namespaces
        print(f"warning: data/registry/orgs.yaml differs from the archive's org-links.json on {line}")
    print()
    rows, failed = [], 0
    with tempfile.TemporaryDirectory(prefix="lb-public-months-") as tmp:
        root = args.keep or Path(tmp)
        for date in dates:
            work = root / date
            if work.exists():
                raise SystemExit(f"{work} exists: remove it or choose another --keep folder")
            row = prove(pm, archive, date, work)
            failed += row[5].startswith("FAILED")
            rows.append(row)
            print(f"{date}: {' '.join(map(str, row[1:4]))} ({row[-1]})", file=sys.stderr, flush=True)
    headers = ["folder", "data", "model", "overall", "ranks that differ (published -> ours)", "why", "time"]
    print(table(headers, rows))
    done = [r for r in rows if r[1] != "-"]
    if done:
        total = (
            [sum(int(r[i].split("/")[0]) for r in done) for i in (1, 2, 3)],
            [sum(int(r[i].split("/")[1]) for r in done) for i in (1, 2, 3)],
        )
        every = [r[0] for r in done if all(c.split("/")[0] == c.split("/")[1] for c in r[1:4])]
        print()
        print(
            f"{len(done)} of {len(rows)} months scored: data {total[0][0]}/{total[1][0]}, "
            f"model {total[0][1]}/{total[1][1]}, overall {total[0][2]}/{total[1][2]} dense ranks equal; "
            f"100 % in every dimension: {', '.join(every) or 'none'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
