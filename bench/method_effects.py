"""What the metrics of the stated method change, and how sure the ranks are (issue 11's closing figures).

    .venv/bin/python bench/method_effects.py                 # demo 2025-03, a replayed mock month, archive 2025-08
    .venv/bin/python bench/method_effects.py --only archive --top 8

For a month of a source it prints (1) the ranks that change when the methodology profile's new columns
(openness, model scale, industry domains, contributor activity) are left out, i.e. what those columns
cause; (2) the widest rank intervals (rank_high - rank_low) of every ranking; (3) the seconds the
bootstrap takes for that month. Sources: the bundled demo (its live month 2025-03), a "replayed live
month" (two months recorded from the mock ecosystem on 127.0.0.1 for the 25 orgs ranked in the archive's
latest month, with that month's hand inputs, then replayed offline), and the archive's latest month.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

from leaderboard_pipeline.collectors.platforms import PLATFORMS  # noqa: E402
from leaderboard_pipeline.config import settings  # noqa: E402
from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile, load_profile  # noqa: E402
from leaderboard_pipeline.contract.raw_tables import RAW_TABLES  # noqa: E402
from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, scores_layer  # noqa: E402
from leaderboard_pipeline.core.profile_diff import RANKINGS, rank_changes  # noqa: E402
from leaderboard_pipeline.sources.archive import ArchiveSource  # noqa: E402
from leaderboard_pipeline.sources.factory import make_source  # noqa: E402
from leaderboard_pipeline.sources.live import LiveSource  # noqa: E402

NEW_CATEGORIES = {"Industry-specific Data", "Model Openness", "Model Scale"}
MOCK_MONTHS = ["2026-11", "2026-12"]


def without_new_metrics(profile: Profile) -> Profile:
    """The profile with the stated method's new columns left out (contributor activity: ``repo_*``)."""
    dims = {}
    for dim, spec in profile.dimensions.items():
        kept = tuple(
            m
            for m in spec.metrics or ()
            if m.category not in NEW_CATEGORIES and not m.column.startswith("repo_")
        )
        dims[dim] = dataclasses.replace(spec, metrics=kept or None)
    return dataclasses.replace(profile, dimensions=dims)


def layers(raw: dict[str, pl.DataFrame], months: list[str], profile: Profile) -> dict[str, pl.DataFrame]:
    clean = clean_layer(raw, months, profile)
    metrics = metrics_layer(clean["models"], clean["datasets"], raw, months, profile)
    return scores_layer(metrics, months, profile)


def ranks(scores: dict[str, pl.DataFrame], month: str) -> pl.DataFrame:
    tables = {d: scores[f"{d}_rank"] for d in DIMENSIONS} | {"overall": scores["overall"]}
    return pl.concat(
        [
            t.filter((pl.col("month") == month) & (pl.col("variant") == "monthly")).select(
                pl.lit(name).alias("ranking"), "org", "rank", *[c for c in t.columns if c.startswith("rank_")]
            )
            for name, t in tables.items()
        ]
    )


def concat(frames: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    return {t: pl.concat([f[t] for f in frames], how="vertical_relaxed") for t in RAW_TABLES}


def demo_raw() -> tuple[dict[str, pl.DataFrame], list[str]]:
    source = make_source("demo", None)
    months = source.months()
    return concat([source.read_month(m) for m in months]), months


def mock_raw(archive: Path) -> tuple[dict[str, pl.DataFrame], list[str]]:
    spec = importlib.util.spec_from_file_location(
        "bench_mock_ecosystem", ROOT / "leaderboard_pipeline_tests" / "collectors" / "mock_ecosystem.py"
    )
    mock = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mock
    spec.loader.exec_module(mock)
    latest = ArchiveSource(archive).read_month("2025-08")
    orgs = latest["system_inputs"]["org"].unique(maintain_order=True).to_list()
    fast = dict.fromkeys(PLATFORMS, {"rate": 10_000.0, "burst": 100, "backoff_base": 0.001, "max_wait": 0.02})
    registry = settings.DATA_DIR / "registry" / "orgs.yaml"
    with tempfile.TemporaryDirectory(prefix="lb-mock-") as tmp, mock.MockEcosystem() as eco:
        import os

        os.environ.update(eco.env())
        for month in MOCK_MONTHS:
            LiveSource(registry, Path(tmp), "record", orgs=orgs, platform_settings=fast).read_month(month)
        raw = concat([LiveSource(registry, Path(tmp), "replay").read_month(m) for m in MOCK_MONTHS])
    for t in ("system_inputs", "benchmark_inputs"):  # the archive's hand inputs stand in for each month
        raw[t] = pl.concat([latest[t].with_columns(month=pl.lit(m)) for m in MOCK_MONTHS])
    return raw, MOCK_MONTHS


def archive_raw(archive: Path) -> tuple[dict[str, pl.DataFrame], list[str]]:
    source = ArchiveSource(archive)
    months = source.months()
    return concat([source.read_month(m) for m in months]), months


def report(name: str, raw: dict[str, pl.DataFrame], months: list[str], top: int) -> None:
    profile = load_profile("methodology")
    month = months[-1]
    started = time.perf_counter()
    with_new = layers(raw, months, profile)
    seconds = time.perf_counter() - started
    off = dataclasses.replace(profile, intervals=None)
    timed = time.perf_counter()
    layers(raw, months, off)
    bootstrap = seconds - (time.perf_counter() - timed)
    without = ranks(layers(raw, months, without_new_metrics(off)), month)
    mine = ranks(with_new, month)
    changes = rank_changes(without.select("ranking", "org", "rank"), mine.select("ranking", "org", "rank"))
    print(
        f"\n## {name}: {month} ({len(months)} months computed; intervals add {bootstrap:.2f} s over them)\n"
    )
    counts = {r: changes.filter(pl.col("ranking") == r).height for r in RANKINGS}
    orgs = mine.filter(pl.col("ranking") == "overall").height
    print(
        f"Ranks the new columns change (of {orgs} orgs): " + ", ".join(f"{r} {n}" for r, n in counts.items())
    )
    if changes.height:
        rows = [[r["ranking"], r["org"], r["rank_a"], r["rank_b"]] for r in changes.iter_rows(named=True)]
        print(table(["ranking", "org", "rank without", "rank with"], rows))
    widest = (
        mine.with_columns(width=pl.col("rank_high") - pl.col("rank_low"))
        .sort(["width", "ranking", "rank"], descending=[True, False, False])
        .head(top)
    )
    print(f"\nWidest rank intervals ({top}):")
    print(
        table(
            ["ranking", "org", "rank", "2.5-97.5 %", "leave one out"],
            [
                [
                    r["ranking"],
                    r["org"],
                    r["rank"],
                    f"{r['rank_low']}-{r['rank_high']}",
                    f"{r['rank_best_loo']}-{r['rank_worst_loo']}",
                ]
                for r in widest.iter_rows(named=True)
            ],
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=settings.DEFAULT_ARCHIVE)
    parser.add_argument("--only", choices=("demo", "mock", "archive"))
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    print(f"method effects; {machine()}")
    sources = {
        "demo (live month replayed from data/cassettes)": lambda: demo_raw(),
        "replayed live month (mock ecosystem, 25 orgs)": lambda: mock_raw(args.archive),
        "archive": lambda: archive_raw(args.archive),
    }
    for name, read in sources.items():
        if args.only and not name.startswith(args.only if args.only != "mock" else "replayed"):
            continue
        raw, months = read()
        report(name, raw, months, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
