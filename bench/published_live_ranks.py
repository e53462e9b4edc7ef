"""How close a published month collected live comes to the published ranks (issue 16, ahead of item 4).

    .venv/bin/python bench/published_live_ranks.py                    # every ranked folder (~4 min)
    .venv/bin/python bench/published_live_ranks.py --dates 2025-08-07  # one
    .venv/bin/python bench/published_live_ranks.py --tables hf_models  # put only some tables in place

For each dated folder of the archive (read at run time from ../shared/reference/osir-lmts): the mock
ecosystem serves exactly its items (`PublishedMonthEcosystem`), the live collectors collect the whole
registry, and the collected platform tables (`hf_models`, `hf_datasets`, `ms_*`, `odl_datasets`,
`baai_datasets`) take the place of the archive's raw tables of that month; labels (the published label
files, exact keys), hand inputs and the earlier months stay the archive's. Scored with `osir-published`,
the monthly data, model and overall dense ranks are compared with the folder's published rank files.

This is the collection's share of item 4 without item 2's take-over (one series, published label files
for live months): what the collectors store, scored as the archive's month would be. Differences come
from what a live collection cannot reproduce (docs/data-sources.md, "Per-item counts"): ModelScope's
feedback count (no API), the published crawl's row order where one org's namespaces hold same-named
datasets with different labels, values a collector refuses (a negative ModelScope total in 2025-01-14).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, table  # noqa: E402

sys.path.insert(0, str(ROOT))

PLATFORM_TABLES = ("hf_models", "hf_datasets", "ms_models", "ms_datasets", "odl_datasets", "baai_datasets")
RANK_FILES = {"data": ("data_rank", "data-rank.csv"), "model": ("model_rank", "model-rank.csv")}
RANK_FILES["overall"] = ("overall", "overall-rank.csv")


def _mock():
    import importlib.util

    path = ROOT / "leaderboard_pipeline_tests" / "collectors" / "mock_ecosystem.py"
    spec = importlib.util.spec_from_file_location("bench_mock_ecosystem", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def collect(mock, date: str) -> dict:
    """The whole registry collected live from the mock serving the folder `date`."""
    from leaderboard_pipeline.collectors.platforms import PLATFORMS
    from leaderboard_pipeline.sources.live import LiveSource

    quick = {"rate": 100_000.0, "burst": 100, "backoff_base": 0.01, "max_wait": 0.05, "read_timeout": 10.0}
    with mock.PublishedMonthEcosystem(date) as eco, mock.env_vars(eco.env()):
        source = LiveSource(
            ROOT / "data" / "registry" / "orgs.yaml",
            None,
            "off",
            platform_settings=dict.fromkeys(PLATFORMS, quick),
        )
        return source.read_month(source.months()[0])


def compare(
    archive: Path, date: str, live: dict, tables: tuple[str, ...]
) -> dict[str, tuple[int, int, list]]:
    """Ranks of the folder's month with `tables` replaced by the live ones, against the published files."""
    import polars as pl

    from leaderboard_pipeline.config.profiles import load_profile
    from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, raw_layer, scores_layer
    from leaderboard_pipeline.sources.archive import ArchiveSource

    source = ArchiveSource(archive)
    month = date[:7]
    months = [m for m in source.months() if m <= month]
    reads = [source.read_month(m) for m in months]
    day = pl.Series([date]).str.to_date()[0]
    for name in tables:
        frame = live[name].with_columns(month=pl.lit(month), date_crawl=pl.lit(day))
        reads[-1][name] = frame.select(reads[-1][name].columns).cast(reads[-1][name].schema)
    raw = raw_layer(reads)
    profile = load_profile("osir-published")
    clean = clean_layer(raw, months, profile)
    metrics = metrics_layer(clean["models"], clean["datasets"], raw, months, profile, clean["snapshots"])
    scores = scores_layer(metrics, months, profile)
    out = {}
    for dim, (key, filename) in RANK_FILES.items():
        published = pl.read_csv(archive / "snapshots" / date / filename).select(
            "org", pl.col("rank").alias("pub")
        )
        ours = scores[key].filter((pl.col("month") == month) & (pl.col("variant") == "monthly"))
        joined = published.join(ours.select("org", "rank"), on="org", how="left")
        moved = joined.filter(pl.col("pub").ne_missing(pl.col("rank")))
        out[dim] = (joined.height - moved.height, joined.height, moved.rows())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=ROOT / ".." / "shared" / "reference" / "osir-lmts")
    parser.add_argument("--dates", help="comma-separated dated folders (default: every ranked one)")
    parser.add_argument("--tables", default=",".join(PLATFORM_TABLES), help="raw tables to put in place")
    args = parser.parse_args()
    logging.getLogger("leaderboard_pipeline").setLevel(logging.WARNING)
    mock = _mock()
    module = mock._published_module()
    dates = args.dates.split(",") if args.dates else [d for d in module.dated_folders(args.archive)][1:]
    tables = tuple(t for t in args.tables.split(",") if t)
    print(f"published months collected live through the mock, scored with osir-published; {machine()}")
    print()
    rows = []
    for date in dates:
        started = time.monotonic()
        try:
            live = collect(mock, date)
        except Exception as exc:  # a month a collector refuses: say why, go on
            why = " ".join(str(exc).split())
            why = why if len(why) <= 200 else "… " + why[-180:]  # the item and the reason are at the end
            rows.append([date, "-", "-", "-", f"not collected: {why}", "-"])
            continue
        result = compare(args.archive, date, live, tables)
        moved = "; ".join(
            f"{dim}: " + ", ".join(f"{org} {pub}->{rank}" for org, pub, rank in result[dim][2])
            for dim in RANK_FILES
            if result[dim][2]
        )
        cells = [f"{same}/{total}" for same, total, _ in result.values()]
        rows.append([date, *cells, moved or "none", f"{time.monotonic() - started:.0f} s"])
    print(
        table(["folder", "data", "model", "overall", "ranks that differ (published -> ours)", "time"], rows)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
