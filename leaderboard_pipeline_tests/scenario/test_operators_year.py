"""An operator's year on one machine (a temporary warehouse folder and Dagster folder), each step its own
`leaderboard` command, in the order a team would meet them:

1. the demo twice (the second run a no-op, the same top 10);
2. the README's recipe that reproduces the published leaderboard, verbatim after the demo;
3. the demo again (untouched by the archive);
4. the archive one month per run, in date order (a month after a month);
5. two consecutive live months replayed from cassettes (the first a baseline, the second ranked), the
   second re-run (a no-op);
6. a hand input with an unknown org, refused before any request;
7. a schedule tick for the current month with the demo (skipped, with the reason) and with the replayed
   live source (ranked and published).

The live months were recorded from the mock ecosystem (`.venv/bin/python leaderboard_pipeline_tests/scenario/record.py`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.warehouse import read_partitions, stored_months

HERE = Path(__file__).parent
LIVE_MONTHS = ("2026-10", "2026-11", "2026-12")  # recorded; the last is the tick's "current month"


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """One operator's machine: per-source warehouses and Dagster homes under tmp_path, the live source's
    recordings and hand inputs in their own folders (copied, so a step may edit them)."""
    for name in (settings.ENV_DB, "DAGSTER_HOME", settings.ENV_SOURCE, settings.ENV_PROFILE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.ENV_WAREHOUSE_DIR, str(tmp_path / "warehouse"))
    monkeypatch.setenv(settings.ENV_DAGSTER_DIR, str(tmp_path / "dagster"))
    monkeypatch.setenv(settings.ENV_CASSETTE_DIR, str(HERE / "cassettes"))
    shutil.copytree(HERE / "inputs", tmp_path / "inputs")
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    monkeypatch.setenv("LEADERBOARD_SITE_DIR", str(tmp_path / "site"))
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, f"leaderboard {' '.join(args)}: {err}"
    return out


def top10(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("│")]


def test_an_operators_year(machine, reference_archive, capsys, monkeypatch):
    # 1. make run, twice: the second is a no-op with the same top 10
    first = ok(capsys, "run", "--source", "demo")
    assert "raw: new 2024-12..2025-03" in first
    shown = ok(capsys, "show", "--top", "10")
    again = ok(capsys, "run", "--source", "demo")
    assert "unchanged: 2024-12..2025-03 already stored with exactly this content" in again
    assert "done: nothing changed" in again
    assert top10(ok(capsys, "show", "--top", "10")) == top10(shown)

    # 2. the README's recipe, verbatim
    ok(
        capsys,
        "run",
        "--source",
        "archive",
        "--archive",
        str(reference_archive),
        "--profile",
        "osir-published",
    )
    out = machine / "out" / "2025-08"
    exported = ok(
        capsys,
        "export",
        "--source",
        "archive",
        "--month",
        "2025-08",
        "--profile",
        "osir-published",
        "--out",
        str(out),
    )
    assert "(source archive, profile osir-published)" in exported
    published = reference_archive / "snapshots" / "2025-08-07" / "overall-rank.csv"
    assert (out / "overall-rank.csv").read_bytes() == published.read_bytes()

    # 3. the demo again: its own warehouse, untouched by the archive
    assert "done: nothing changed" in ok(capsys, "run", "--source", "demo")
    assert top10(ok(capsys, "show", "--top", "10")) == top10(shown)
    demo_db = machine / "warehouse" / "demo.duckdb"
    assert read_partitions(demo_db, "scores", "overall", None, "methodology")["org"].n_unique() == 6

    # 4. the archive one month per run, in date order (the methodology profile's first pass over it),
    # read from another path (a hard-linked copy): where a file was read from is not its content
    elsewhere = machine / "elsewhere" / "osir-lmts"
    shutil.copytree(reference_archive, elsewhere, copy_function=_link_or_copy)
    months = [p.name[:7] for p in sorted((reference_archive / "snapshots").iterdir()) if p.is_dir()]
    for month in months:
        out = ok(
            capsys, "run", "--source", "archive", "--archive", str(elsewhere), "--months", f"{month}..{month}"
        )
        assert f"new {month}" in out.split("clean:")[1].splitlines()[0], out  # its clean month is new
        assert "raw: unchanged" in out  # stored by the recipe with the same content
    archive_db = machine / "warehouse" / "archive.duckdb"
    assert stored_months(archive_db, "scores", "overall", "methodology")[-1] == "2025-08"

    # 5. two consecutive live months from cassettes: a baseline, then a ranked month; the rerun a no-op
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    october, november, december = LIVE_MONTHS
    out = ok(capsys, "run", "--source", "live", "--months", october)
    assert f"{october} is stored as a baseline, not ranked" in out
    live_db = machine / "warehouse" / "live.duckdb"
    assert stored_months(live_db, "scores", "overall", "methodology") == []
    out = ok(capsys, "run", "--source", "live", "--months", november)
    assert f"raw: new {november}; unchanged {october}" in out
    ranked = read_partitions(live_db, "scores", "overall", [november], "methodology")
    assert sorted(ranked.filter(pl.col("variant") == "monthly")["org"]) == ["Ali", "BAAI", "Baidu"]
    snapshots = read_partitions(live_db, "clean", "snapshots", [november], "methodology")
    differenced = snapshots.filter(pl.col("status") == "differenced")
    assert differenced.height and (differenced["previous_month"] == october).all()
    # November was recorded with the BAAI data platform down and allowed to be missing: ranked, with the gap
    assert dict(snapshots.select("table", "status").iter_rows())["baai_datasets"] == "missing"
    gap = read_partitions(live_db, "raw", "snapshot_manifest", [november], None).filter(
        pl.col("table") == "baai_datasets"
    )
    assert gap["status"].to_list() == ["missing"] and "HTTP 503" in gap["detail"][0]
    assert "done: nothing changed" in ok(capsys, "run", "--source", "live", "--months", november)

    # 6. an unknown org in next month's hand input is refused before anything is collected
    infra = machine / "inputs" / "snapshots" / "2026-12-07" / "infra-summary.csv"
    good = infra.read_text()
    infra.write_text(good.replace("Baidu,", "Baidoo,"))
    code, _, err = run(capsys, "run", "--source", "live", "--months", december)
    assert code == 2 and err.count("\n") == 1
    assert "infra-summary.csv:4" in err and "Baidoo" in err and "Baidu" in err
    assert stored_months(live_db, "raw", "snapshot_manifest") == [october, november]
    infra.write_text(good)

    # 7. the schedule's tick for the current month: skipped with the demo, produced with live
    tick = dt.datetime.fromisoformat(f"{december}-08T03:00:00+00:00")
    demo_tick = evaluate_tick(tick, source="demo")
    assert isinstance(demo_tick, dg.SkipReason)
    assert (
        f"has no month {december}" in demo_tick.skip_message
        and "LEADERBOARD_SOURCE=live" in demo_tick.skip_message
    )
    request = evaluate_tick(tick, source="live")
    assert isinstance(request, dg.RunRequest) and request.partition_key == december
    result = execute_request(request, source="live")
    assert result.success
    ranked = read_partitions(live_db, "scores", "overall", [december], "methodology")
    assert ranked.filter(pl.col("variant") == "monthly").height == 3
    # December's BAAI downloads bridge November's gap: differenced against October, per 30 days
    baai = read_partitions(live_db, "clean", "baai_datasets", [december], "methodology")
    assert (baai["previous_month"] == october).all() and (baai["days_since_previous"] == 61).all()
    expected = ((baai["total_downloads"] - baai["previous_total"]) * 30 / 61).round(0).clip(lower_bound=0)
    assert (baai["downloads_month"] == expected.cast(pl.Int64)).all()
    site = machine / "site"
    assert (site / "index.html").exists() and december in (site / "index.html").read_text()
    assert isinstance(evaluate_tick(tick, source="live"), dg.SkipReason)  # produced: the next tick skips


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system
        shutil.copy2(src, dst)


def _resources(source: str) -> dict:
    from leaderboard_pipeline.defs.resources import resources_for
    from leaderboard_pipeline.defs.run_settings import from_environment

    with pytest.MonkeyPatch.context() as mp:  # the code location's environment
        mp.setenv(settings.ENV_SOURCE, source)
        return resources_for(from_environment())


def evaluate_tick(when: dt.datetime, source: str):
    from leaderboard_pipeline.defs.automation import monthly_schedule

    resources = _resources(source)
    context = dg.build_schedule_context(
        scheduled_execution_time=when,
        resources={k: resources[k] for k in ("leaderboard", "warehouse")},
    )
    return monthly_schedule(context)


def execute_request(request: dg.RunRequest, source: str):
    """What the daemon does with the tick's run request, in process."""
    from leaderboard_pipeline.definitions import build_definitions

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.ENV_SOURCE, source)
        mp.setenv("DAGSTER_HOME", str(settings.dagster_home(source)))
        settings.dagster_home(source).mkdir(parents=True, exist_ok=True)
        job = build_definitions().resolve_job_def("monthly_publication")
        return job.execute_in_process(
            partition_key=request.partition_key, tags=request.tags, instance=dg.DagsterInstance.ephemeral()
        )
