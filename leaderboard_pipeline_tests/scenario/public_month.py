"""A public month of the published archive proved on the take-over path (issue 16, item 4): the pieces
`test_public_month.py` and `bench/published_live_ranks.py` share.

The operator's recipe (docs/operations.md, "Taking over the published leaderboard"), with the month
served by the mock ecosystem instead of the platforms:

1. `takeover_folder`: an inputs folder in the published layout, symlinked from the archive (nothing is
   copied but the month's two hand-input files): the `config/` files, `other-source-datasets.jsonl`,
   every dated folder **before** the month (the archive months: history), and for the month itself a
   folder holding only its hand inputs (`infra-summary.csv`, `eval-summary.csv`), so it is a live month,
   with the evidence rows `inputs check` asks for when the published month added or dropped a column;
2. `record`: the month's items recorded from `PublishedMonthEcosystem` (the mock serving exactly the
   folder's raw records through the platforms' API shapes) for the whole registry, as
   `LEADERBOARD_CASSETTES=record leaderboard run --source live` would record them;
3. `environment`: the variables of `LEADERBOARD_CASSETTES=replay leaderboard run --source live
   --profile osir-published --months <M>` and `leaderboard export ... --out DIR` in a work folder;
4. `compare_ranks`: the exported rank files against the published ones, every org of the published file.

The archive is read at run time (../shared/reference/osir-lmts); nothing of it enters the repository.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config import settings

HERE = Path(__file__).resolve().parent
PROFILE = "osir-published"
HAND_INPUTS = ("infra-summary.csv", "eval-summary.csv")
# dimension -> the published rank file of a dated folder (and of `leaderboard export --profile osir-published`)
RANK_FILES = {"data": "data-rank.csv", "model": "model-rank.csv", "overall": "overall-rank.csv"}
SUMMARY_FILES = {"data": "data-summary.csv", "model": "model-summary.csv"}


def mock():
    """mock_ecosystem.py, loaded by path (test folders are not packages)."""
    name = "public_month_mock_ecosystem"
    if name not in sys.modules:
        path = HERE.parent / "collectors" / "mock_ecosystem.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def dated_folders(archive: Path) -> list[str]:
    return mock()._published_module().dated_folders(archive)


def public_dates(archive: Path) -> list[str]:
    """The ranked dated folders that have an earlier folder to be the history: every public month that
    can be taken over live (the first folder is raw only: the "previous month" of the second)."""
    dates = dated_folders(archive)
    snapshots = Path(archive) / "snapshots"
    return [
        d
        for i, d in enumerate(dates)
        if i > 0 and all((snapshots / d / f).exists() for f in (*RANK_FILES.values(), *HAND_INPUTS))
    ]


def takeover_folder(archive: Path, date: str, inputs: Path) -> Path:
    """The operator's inputs folder for taking over with `date` as the current live month."""
    archive, inputs = Path(archive), Path(inputs)
    (inputs / "snapshots").mkdir(parents=True)
    (inputs / "config").mkdir()
    for path in sorted((archive / "config").iterdir()):
        (inputs / "config" / path.name).symlink_to(path.resolve())
    curated = archive / "snapshots" / "other-source-datasets.jsonl"
    if curated.exists():
        (inputs / "snapshots" / curated.name).symlink_to(curated.resolve())
    for folder in dated_folders(archive):
        if folder < date:
            (inputs / "snapshots" / folder).symlink_to((archive / "snapshots" / folder).resolve())
    live = inputs / "snapshots" / date
    live.mkdir()
    for name in HAND_INPUTS:  # copied: `inputs new` / an operator writes these files, byte for byte
        shutil.copyfile(archive / "snapshots" / date / name, live / name)
        changed = column_changes(archive, date, name)
        if changed:  # what `inputs check` asks of a month whose columns differ from last month's
            evidence = live / name.replace("-summary", "-evidence")
            with evidence.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(["org", "metric", "url", "note"])
                for column, how in changed:
                    writer.writerow(["*", column, "", f"{how} by the published leaderboard in {date}"])
    return inputs


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [c.strip() for c in next(csv.reader(f), [])[1:]]


def column_changes(archive: Path, date: str, name: str) -> list[tuple[str, str]]:
    """[(column, "added" | "dropped")] of a hand-input file against the latest earlier folder that has
    it: the published leaderboard changed its columns (2025-03-07 added six), and a live month must say
    so in its evidence file (a new column changes every org's score)."""
    snapshots = Path(archive) / "snapshots"
    earlier = [d for d in dated_folders(archive) if d < date and (snapshots / d / name).exists()]
    if not earlier:
        return []
    now, before = _header(snapshots / date / name), _header(snapshots / earlier[-1] / name)
    return [(c, "added") for c in now if c not in before] + [(c, "dropped") for c in before if c not in now]


def record(archive: Path, date: str, cassettes: Path, orgs: list[str] | None = None) -> dict:
    """The month's items, recorded from the mock serving the dated folder (the whole registry unless
    `orgs`); raises what the collectors raise (a value they refuse fails the month)."""
    # a loaded machine must not time a page of 1000 items out (the mock's own pace is scaled down)
    settings = {"read_timeout": 10.0}
    return mock().record_published(
        date, cassettes, archive=archive, orgs=orgs, previous=False, settings=settings
    )[0]


def environment(work: Path, inputs: Path, cassettes: Path) -> dict[str, str | None]:
    """The variables of the operator's `leaderboard` commands in `work` (None: unset)."""
    return {
        settings.ENV_INPUTS: str(inputs),
        settings.ENV_CASSETTE_DIR: str(cassettes),
        "LEADERBOARD_CASSETTES": "replay",
        settings.ENV_WAREHOUSE_DIR: str(work / "warehouse"),
        settings.ENV_DAGSTER_DIR: str(work / "dagster"),
        # one warehouse and Dagster home per source, in `work`: nothing explicit may override them
        settings.ENV_DB: None,
        "DAGSTER_HOME": None,
        settings.ENV_SOURCE: None,
        settings.ENV_PROFILE: None,
        "LEADERBOARD_REPLACE_RAW": None,
        "LEADERBOARD_ALLOW_MISSING": None,
    }


def commands(month: str, out: Path) -> list[list[str]]:
    """What the operator runs (after `record`), as `leaderboard` arguments."""
    return [
        ["run", "--source", "live", "--profile", PROFILE, "--months", month],
        ["export", "--source", "live", "--month", month, "--profile", PROFILE, "--out", str(out)],
    ]


def published_ranks(archive: Path, date: str, dim: str) -> pl.DataFrame:
    path = Path(archive) / "snapshots" / date / RANK_FILES[dim]
    return pl.read_csv(path).select("org", pl.col("rank").alias("published"))


def compare_ranks(exported: Path, archive: Path, date: str) -> dict[str, tuple[int, int, list[tuple]]]:
    """Per dimension: (orgs whose dense rank equals the published one, orgs of the published file,
    [(org, published rank, ours)] of the others); an org missing from our file counts as different."""
    out = {}
    for dim, name in RANK_FILES.items():
        ours = pl.read_csv(Path(exported) / name).select("org", pl.col("rank").alias("ours"))
        joined = published_ranks(archive, date, dim).join(ours, on="org", how="left", maintain_order="left")
        moved = joined.filter(pl.col("published").ne_missing(pl.col("ours")))
        out[dim] = (joined.height - moved.height, joined.height, moved.rows())
    return out


# -- why ranks differ ----------------------------------------------------------------------------------
def summary_differences(exported: Path, archive: Path, date: str) -> dict[str, dict[str, list[tuple]]]:
    """Per dimension and org: [(column, published value, ours)] of the summary cells that differ."""
    out: dict[str, dict[str, list[tuple]]] = {}
    for dim, name in SUMMARY_FILES.items():
        published = pl.read_csv(Path(archive) / "snapshots" / date / name, infer_schema=False)
        ours = pl.read_csv(Path(exported) / name, infer_schema=False)
        ours = {r["org"]: r for r in ours.iter_rows(named=True)}
        cells: dict[str, list[tuple]] = defaultdict(list)
        for row in published.iter_rows(named=True):
            mine = ours.get(row["org"], {})
            for column in published.columns[1:]:
                a, b = row[column], mine.get(column)
                if _number(a) != _number(b):
                    cells[row["org"]].append((column, a, b))
        out[dim] = dict(cells)
    return out


def _number(text):
    try:
        return float(text) if text not in (None, "") else 0.0
    except ValueError:
        return text


def modelscope_feedback(archive: Path, date: str) -> dict[str, int]:
    """Per org: the ModelScope feedback count (交流反馈, the published raw `community`) of its counted
    ModelScope models (the published processed file): the part of the published model metric "issue"
    that no ModelScope API serves."""
    path = Path(archive) / "snapshots" / date / "ModelScope" / "processed-models-info.jsonl"
    totals: dict[str, int] = defaultdict(int)
    if path.exists():
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                if isinstance(row.get("community"), int) and row["community"] > 0:
                    totals[row["org"]] += row["community"]
    return dict(totals)


def label_differences(merged: pl.DataFrame, archive: Path, date: str, kind: str) -> dict[str, list[tuple]]:
    """Per org: merged items (ours: clean.models / clean.datasets of the month) whose labels differ from
    the published merge's, as (name, our namespace, published namespace, our labels, published labels)."""
    name = "model_name" if kind == "models" else "dataset_name"
    labels = ["modality"] if kind == "models" else ["modality", "lifecycle"]
    path = Path(archive) / "snapshots" / date / f"merged-{kind}-info.jsonl"
    published = pl.read_ndjson(path, infer_schema_length=None).select(
        "org", pl.col(name).alias("name"), pl.col("repo").alias("published_namespace"), *labels
    )
    joined = merged.select("org", "name", "namespace", *labels).join(
        published, on=["org", "name"], how="inner", suffix="_published"
    )
    differ = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_published")) for c in labels])
    out: dict[str, list[tuple]] = defaultdict(list)
    for row in joined.filter(differ).iter_rows(named=True):
        out[row["org"]].append(
            (
                row["name"],
                row["namespace"],
                row["published_namespace"],
                tuple(row[c] for c in labels),
                tuple(row[f"{c}_published"] for c in labels),
            )
        )
    return dict(out)


def registry_differences(archive: Path) -> list[str]:
    """Where the live collectors' registry (`data/registry/orgs.yaml`) and the archive's organisation
    links disagree (a live month collects the registry's namespaces, in its order): one line each."""
    from leaderboard_pipeline.config.registry import load_registry
    from leaderboard_pipeline.sources.archive import read_org_links

    ours = load_registry(settings.DATA_DIR / "registry" / "orgs.yaml").to_frame("-")
    links = read_org_links(Path(archive) / "config" / "org-links.json", "-")
    out = []
    for platform in sorted(set(links["platform"]) | set(ours["platform"])):
        a, b = (
            f.filter(pl.col("platform") == platform).select("org", "namespace").rows() for f in (ours, links)
        )
        if a != b:
            only_links = sorted(set(b) - set(a))
            only_ours = sorted(set(a) - set(b))
            what = (
                f"org links only: {only_links}; registry only: {only_ours}"
                if only_links or only_ours
                else "order"
            )
            out.append(f"{platform}: {what}")
    return out
