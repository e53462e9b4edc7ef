"""Everything the site shows, read once from the warehouse into polars frames.

The site is a view of stored tables only: it never recomputes a score, so a page cannot disagree with the
exports or the Dagster assets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from leaderboard_pipeline.cleaning import PLATFORM_OF
from leaderboard_pipeline.layers import DATASET_TABLES, MODEL_TABLES
from leaderboard_pipeline.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.warehouse import RAW_SCHEMA, WarehouseError, connect, stored_months

# Accumulated rankings exist for these dimensions only; system and benchmark inputs are monthly.
ACCUMULATED = ("data", "model")
LINK_TEMPLATES = {
    # Used when a crawled row has no link of its own.
    "hf_models": "https://huggingface.co/{namespace}/{name}",
    "hf_datasets": "https://huggingface.co/datasets/{namespace}/{name}",
    "ms_models": "https://modelscope.cn/models/{namespace}/{name}",
    "ms_datasets": "https://modelscope.cn/datasets/{namespace}/{name}",
    "odl_datasets": "https://opendatalab.com/{namespace}/{name}",
    "baai_datasets": "https://data.baai.ac.cn/datadetail/{name}",
}


@dataclass
class SiteTables:
    profile: Profile
    months: list[str]  # months with an overall ranking, oldest first
    overall: pl.DataFrame  # scores.overall, every month and variant
    ranks: dict[str, pl.DataFrame]  # scores.<dim>_rank
    normalised: dict[str, pl.DataFrame]  # scores.<dim>_normalised
    metrics: dict[str, pl.DataFrame]  # metrics.<dim> (raw values)
    models: pl.DataFrame  # clean.models + a ``links`` list column (platform, url)
    datasets: pl.DataFrame
    inputs: pl.DataFrame  # hand inputs: month, org, dimension, metric, value
    curated: pl.DataFrame  # raw.curated_metrics (with evidence)
    other_datasets: pl.DataFrame  # raw.other_source_datasets
    slugs: dict[str, str] = field(default_factory=dict)  # org -> file stem of its page

    @property
    def latest(self) -> str:
        return self.months[-1]

    def orgs(self) -> list[str]:
        return sorted(self.overall["org"].unique().to_list())


class Reader:
    """``read(schema, table)`` over one read-only connection: the same rows as
    ``warehouse.read_partitions`` (profile-scoped outside raw, ``profile`` dropped), without reopening the
    database per table, which costs more than the reads of a small month."""

    def __init__(self, con, profile: str, months: list[str] | None = None) -> None:
        self.con, self.profile, self.months = con, profile, months
        self.tables = set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )

    def __call__(self, schema: str, table: str) -> pl.DataFrame | None:
        if (schema, table) not in self.tables:
            return None
        clauses, params = [], []
        if self.months is not None:
            clauses.append("month in (select unnest(?))")
            params.append(sorted(set(self.months)))
        if schema != RAW_SCHEMA:
            clauses.append("profile = ?")
            params.append(self.profile)
        where = " where " + " and ".join(clauses) if clauses else ""
        frame = self.con.execute(f'select * from "{schema}"."{table}"{where}', params).pl()
        return frame.drop("profile", strict=False)


def slugify(orgs: list[str]) -> dict[str, str]:
    """File-safe, case-insensitively unique page names (some file systems ignore case)."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for org in sorted(orgs):
        base = re.sub(r"[^a-z0-9]+", "-", org.lower()).strip("-") or "org"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs[org] = slug
    return slugs


def _item_key(profile: Profile) -> pl.Expr:
    # The same key clean.merge builds, so per-platform rows find the merged item they fed.
    name = pl.col("name") if profile.cleaning.merge_key == "org_name" else pl.col("name").str.to_lowercase()
    return (pl.col("org") + "/" + name).alias("item")


def _links(read, tables: tuple[str, ...], profile: Profile) -> pl.DataFrame:
    """month, item -> list of {platform, url}: the platform pages of the rows a merged item counts."""
    frames = []
    for table in tables:
        rows = read("clean", table)
        if rows is None or rows.is_empty():
            continue
        fallback = pl.format(
            LINK_TEMPLATES[table].replace("{namespace}", "{}").replace("{name}", "{}"),
            *[pl.col(c) for c in re.findall(r"\{(\w+)\}", LINK_TEMPLATES[table])],
        )
        frames.append(
            rows.filter(pl.col("excluded").is_null()).select(
                "month",
                _item_key(profile),
                platform=pl.lit(PLATFORM_OF[table]),
                url=pl.coalesce(pl.col("link"), fallback),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "month": pl.String,
                "item": pl.String,
                "links": pl.List(pl.Struct({"platform": pl.String, "url": pl.String})),
            }
        )
    return (
        pl.concat(frames)
        .unique(["month", "item", "platform"], keep="first", maintain_order=True)
        .group_by("month", "item", maintain_order=True)
        .agg(links=pl.struct("platform", "url"))
    )


def load(warehouse: Path, profile: Profile) -> SiteTables:
    months = stored_months(warehouse, "scores", "overall", profile.name)
    if not months:
        raise WarehouseError(
            f"{warehouse}: no scores for profile {profile.name} (run `leaderboard run --profile {profile.name}`)"
        )

    with connect(warehouse, read_only=True) as con:
        return _load(Reader(con, profile.name), warehouse, profile, months)


def _load(read: Reader, warehouse: Path, profile: Profile, months: list[str]) -> SiteTables:
    def need(schema: str, table: str) -> pl.DataFrame:
        frame = read(schema, table)
        if frame is None:
            raise WarehouseError(f"{warehouse}: table {schema}.{table} is missing")
        return frame

    overall = need("scores", "overall")
    models = need("clean", "models")
    datasets = need("clean", "datasets")
    models = models.join(_links(read, MODEL_TABLES, profile), on=["month", "item"], how="left")
    datasets = datasets.join(_links(read, DATASET_TABLES, profile), on=["month", "item"], how="left")
    inputs = pl.concat(
        [
            need("raw", f"{dim}_inputs").select(
                "month", "org", dimension=pl.lit(dim), metric="metric", value="value"
            )
            for dim in ("system", "benchmark")
        ]
    )
    return SiteTables(
        profile=profile,
        months=months,
        overall=overall,
        ranks={d: need("scores", f"{d}_rank") for d in DIMENSIONS},
        normalised={d: need("scores", f"{d}_normalised") for d in DIMENSIONS},
        metrics={d: need("metrics", d) for d in DIMENSIONS},
        models=models,
        datasets=datasets,
        inputs=inputs,
        curated=need("raw", "curated_metrics"),
        other_datasets=need("raw", "other_source_datasets"),
        slugs=slugify(overall["org"].unique().to_list()),
    )


def rank_rows(tables: SiteTables, month: str, variant: str) -> pl.DataFrame:
    """The overall ranking of a month joined with each dimension's own rank and score.

    System and benchmark have no accumulated ranking: their monthly ones stand in, as in the overall
    computation itself.
    """
    rows = tables.overall.filter((pl.col("month") == month) & (pl.col("variant") == variant))
    for dim in DIMENSIONS:
        source = variant if variant == "monthly" or dim in ACCUMULATED else "monthly"
        dim_rows = tables.ranks[dim].filter((pl.col("month") == month) & (pl.col("variant") == source))
        rows = rows.join(
            dim_rows.select(
                "org", pl.col("rank").alias(f"{dim}_rank"), pl.col("score").alias(f"{dim}_score")
            ),
            on="org",
            how="left",
        )
    return rows.sort(["rank", "position"])


def has_previous(tables: SiteTables, month: str) -> bool:
    return tables.months.index(month) > 0
