"""Everything the site shows, read once from the warehouse into polars frames.

The site is a view of stored tables only: it never recomputes a score, so a page cannot disagree with the
exports or the Dagster assets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config.metric_catalog import (
    SOURCE_NAMES,
    Catalog,
    MetricEntry,
    describe,
    load_catalog,
)
from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.contract.raw_tables import empty_raw
from leaderboard_pipeline.contract.untrusted import item_link
from leaderboard_pipeline.core.census import CANDIDATES_SCHEMA, CENSUS_ORGS_SCHEMA
from leaderboard_pipeline.core.cleaning import PLATFORM_OF
from leaderboard_pipeline.core.gaps import affected_dimensions, unranked_by_month
from leaderboard_pipeline.core.intervals import INTERVAL_COLUMNS
from leaderboard_pipeline.core.layers import DATASET_TABLES, MODEL_TABLES, last_ranked_month
from leaderboard_pipeline.core.metrics import VARIANTS
from leaderboard_pipeline.sources.live import TABLE_PLATFORMS
from leaderboard_pipeline.warehouse import RAW_SCHEMA, WarehouseError, connect, stored_months

# raw table -> the platform a gap is shown under (code repositories: the detail names the forge)
PLATFORM_KEY_OF = {table: platforms[0] for table, platforms in TABLE_PLATFORMS.items()}

# The profile that reproduces the published leaderboard: what "the published ranks" are computed with.
PUBLISHED_PROFILE = "osir-published"
# Accumulated rankings exist for these dimensions only; system and benchmark inputs are monthly.
ACCUMULATED = ("data", "model")
RANKINGS = ("overall", *DIMENSIONS)
# Rank intervals: present and non-null only where the profile computes them.
INTERVALS = INTERVAL_COLUMNS
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
    curated: pl.DataFrame  # raw.curated_metrics (with evidence)
    other_datasets: pl.DataFrame  # raw.other_source_datasets
    evidence: pl.DataFrame  # raw.input_evidence: month, dimension, org, metric, url, note, carried_from
    manifest: pl.DataFrame  # raw.snapshot_manifest: what each month's snapshot was read or fetched from
    gaps: pl.DataFrame  # month, table, platform, detail: what raw.snapshot_manifest says is missing
    # clean.census_orgs / clean.census_candidates: the Hub census per org and the registry candidates
    # (empty for sources and months without a census)
    census: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CENSUS_ORGS_SCHEMA))
    candidates: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CANDIDATES_SCHEMA))
    catalog: Catalog = field(default_factory=dict)
    source: str = ""  # demo | archive | live (or what the manifest says when the caller does not)
    slugs: dict[str, str] = field(default_factory=dict)  # org -> file stem of its page
    # The ranks the published method gives the same months (profile osir-published: stored in the
    # warehouse, or else computed from the stored raw tables for the latest month with a published
    # ranking), when the site shows another profile: ranking ("overall" or a dimension) -> rank table.
    published: dict[str, pl.DataFrame] | None = None

    @property
    def latest(self) -> str:
        return self.months[-1]

    def orgs(self) -> list[str]:
        return sorted(self.overall["org"].unique().to_list())

    @cached_property
    def _ranked_months(self) -> dict[str, list[str]]:
        monthly = self.overall.filter(pl.col("variant") == "monthly")
        present: dict[str, set[str]] = {}
        for org, month in monthly.select("org", "month").iter_rows():
            present.setdefault(org, set()).add(month)
        return {org: [m for m in self.months if m in months] for org, months in present.items()}

    @cached_property
    def _gaps_by_month(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for r in self.gaps.iter_rows(named=True):
            out.setdefault(r["month"], {})[r["platform"]] = r["detail"] or ""
        return out

    def org_months(self, org: str) -> list[str]:
        """The months the org is ranked in (monthly overall), oldest first."""
        return self._ranked_months.get(org, [])

    def metric(self, dimension: str, column: str) -> MetricEntry:
        return describe(self.catalog, dimension, column)

    def gap_platforms(self, month: str) -> dict[str, str]:
        """platform key -> detail of every platform recorded missing in ``month``."""
        return self._gaps_by_month.get(month, {})

    def unranked(self, month: str) -> list[str]:
        """The dimensions not ranked in ``month``: every platform they come from was missing."""
        return self._unranked.get(month, [])

    @cached_property
    def _unranked(self) -> dict[str, list[str]]:
        return unranked_by_month(self.manifest)

    def month_gaps(self, month: str) -> list[dict]:
        """One entry per platform missing in ``month``: platform key, name, tables, dimensions, detail."""
        out: dict[str, dict] = {}
        for r in self.manifest.filter((pl.col("month") == month) & (pl.col("status") == "missing")).iter_rows(
            named=True
        ):
            key = PLATFORM_KEY_OF.get(r["table"], r["table"])
            entry = out.setdefault(
                key,
                {
                    "platform": key,
                    "name": SOURCE_NAMES.get(key, key),
                    "tables": [],
                    "dimensions": [],
                    "detail": r["detail"],
                },
            )
            entry["tables"].append(r["table"])
            entry["dimensions"] += [
                d for d in affected_dimensions(r["table"]) if d not in entry["dimensions"]
            ]
        return list(out.values())

    def published_months(self) -> list[str]:
        """The months shown that have a published ranking: the archive's, and the months a live series
        took over from it (their platform files read from the published folder, not collected)."""
        if self.source not in ("archive", "live"):
            return []
        read = self.manifest.filter(
            pl.col("table").is_in(list(PLATFORM_OF)) & pl.col("source").is_in(["archive", "live"])
        )
        return [m for m in self.months if m in set(read["month"].to_list())]

    def previous_ranked(self, month: str) -> str | None:
        """The month ``month``'s rank changes compare with (``layers.last_ranked_month``)."""
        return last_ranked_month(self.months, month, self.profile.cleaning)

    def missing_sources(self, month: str, dimension: str, column: str) -> list[str]:
        """The platforms a metric's numbers come from that were missing in ``month``."""
        gaps = self.gap_platforms(month)
        return [p for p in self.metric(dimension, column).platforms() if p in gaps]


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
            clauses.append("list_contains(?, month)")  # a plain filter keeps the stored row order
            params.append(sorted(set(self.months)))
        if schema != RAW_SCHEMA:
            clauses.append("profile = ?")
            params.append(self.profile)
        where = " where " + " and ".join(clauses) if clauses else ""
        frame = self.con.execute(f'select * from "{schema}"."{table}"{where}', params).pl()
        return frame.drop("profile", strict=False)


def slugify(orgs: list[str]) -> dict[str, str]:
    """File-safe page names that keep the org's spelling (``org/BAAI.html``) and stay unique ignoring
    case, because some file systems (and static hosts on them) do."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for org in sorted(orgs):
        base = re.sub(r"[^A-Za-z0-9]+", "-", org).strip("-") or "org"
        slug, n = base, 2
        while slug.lower() in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug.lower())
        slugs[org] = slug
    return slugs


def _item_key(profile: Profile) -> pl.Expr:
    # The same key clean.merge builds, so per-platform rows find the merged item they fed.
    name = pl.col("name") if profile.cleaning.merge_key == "org_name" else pl.col("name").str.to_lowercase()
    return (pl.col("org") + "/" + name).alias("item")


def _fallback_links(table: str, rows: pl.DataFrame) -> pl.Expr:
    """The platform page of rows without a link of their own, from URL-quoted names (`item_link`): a
    name cannot make it point outside the item's own namespace."""
    site, _, path = LINK_TEMPLATES[table].partition("://")
    host, *prefix = path.split("/")
    fields = re.findall(r"\{(\w+)\}", LINK_TEMPLATES[table])
    prefix = [p for p in prefix if not p.startswith("{")]
    if rows["link"].null_count() == 0:
        return pl.lit(None, pl.String)
    return pl.struct(fields).map_elements(
        lambda r: item_link(f"{site}://{host}", prefix, *(r[f] or "" for f in fields)), return_dtype=pl.String
    )


def _links(read, tables: tuple[str, ...], profile: Profile) -> pl.DataFrame:
    """month, item -> list of {platform, url}: the platform pages of the rows a merged item counts."""
    frames = []
    for table in tables:
        rows = read("clean", table)
        if rows is None or rows.is_empty():
            continue
        fallback = _fallback_links(table, rows)
        frames.append(
            rows.filter(pl.col("excluded").is_null()).select(
                "month",
                _item_key(profile),
                platform=pl.lit(PLATFORM_OF[table]),
                url=pl.coalesce(pl.col("link"), fallback),
                # Whether the platform knew the count: the merge adds unknowns up to 0 (or to a sum of
                # -1 sentinels), so the merged number alone cannot say "unknown".
                likes_known=pl.col("likes").is_not_null() & (pl.col("likes") >= 0),
                community_known=pl.col("community").is_not_null() & (pl.col("community") >= 0),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "month": pl.String,
                "item": pl.String,
                "links": pl.List(pl.Struct({"platform": pl.String, "url": pl.String})),
                "likes_known": pl.Boolean,
                "community_known": pl.Boolean,
            }
        )
    return (
        pl.concat(frames)
        .unique(["month", "item", "platform"], keep="first", maintain_order=True)
        .group_by("month", "item", maintain_order=True)
        .agg(
            links=pl.struct("platform", "url"),
            likes_known=pl.col("likes_known").any(),
            community_known=pl.col("community_known").any(),
        )
    )


def load(
    warehouse: Path, profile: Profile, source: str | None = None, catalog: Catalog | None = None
) -> SiteTables:
    months = stored_months(warehouse, "scores", "overall", profile.name)
    if not months:
        where = f" --source {source}" if source else ""
        raise WarehouseError(
            f"{warehouse}: no scores for profile {profile.name} "
            f"(run `leaderboard run{where} --profile {profile.name}`)"
        )

    with connect(warehouse, read_only=True) as con:
        tables = _load(Reader(con, profile.name), warehouse, profile, months)
        if profile.name != PUBLISHED_PROFILE:
            tables.published = _ranks(Reader(con, PUBLISHED_PROFILE, months))
    tables.catalog = load_catalog() if catalog is None else catalog
    tables.source = source or _manifest_source(sorted(tables.manifest["source"].drop_nulls().unique()))
    published = tables.published_months()
    if profile.name != PUBLISHED_PROFILE and tables.published is None and published:
        with connect(warehouse, read_only=True) as con:
            tables.published = _published_ranks(con, published[-1])
    return tables


def _published_ranks(con, month: str) -> dict[str, pl.DataFrame]:
    """The published method's monthly ranks of ``month``, from the stored raw tables (the published
    profile differences against the calendar previous month only, so two months are enough), for a
    warehouse that holds no ``osir-published`` scores: the method page can say how far this profile's
    ranks are from the published ones without another run."""
    from leaderboard_pipeline.config.profiles import load_profile
    from leaderboard_pipeline.contract.months import previous_month
    from leaderboard_pipeline.contract.raw_tables import RAW_TABLES
    from leaderboard_pipeline.core.profile_diff import monthly_ranks

    months = [previous_month(month), month]
    read = Reader(con, PUBLISHED_PROFILE, months)
    raw = {t: f if (f := read("raw", t)) is not None else empty_raw(t) for t in RAW_TABLES}
    present = sorted(set(raw["snapshot_manifest"]["month"].to_list()))
    ranks = monthly_ranks(raw, present, month, load_profile(PUBLISHED_PROFILE))
    return {
        r: ranks.filter(pl.col("ranking") == r).select(
            pl.lit(month).alias("month"), pl.lit("monthly").alias("variant"), "org", "rank"
        )
        for r in ("overall", *DIMENSIONS)
    }


def _ranks(read: Reader) -> dict[str, pl.DataFrame] | None:
    """Every ranking of another profile stored in the same warehouse (None when it has none)."""
    frames = {"overall": read("scores", "overall"), **{d: read("scores", f"{d}_rank") for d in DIMENSIONS}}
    if any(f is None for f in frames.values()) or frames["overall"].is_empty():
        return None
    return frames


def _manifest_source(sources: list[str]) -> str:
    # e.g. ["demo", "live:replay"] -> "demo + live:replay": what the stored snapshots say they came from.
    return " + ".join(sources) if sources else "unknown"


def _gaps(manifest: pl.DataFrame) -> pl.DataFrame:
    """month, table, platform, detail of the manifest rows whose status is "missing"."""
    missing = manifest.filter(pl.col("status") == "missing")
    return missing.select(
        "month",
        "table",
        platform=pl.col("table").replace_strict(
            PLATFORM_KEY_OF, default=pl.col("table"), return_dtype=pl.String
        ),
        detail="detail",
    ).unique(["month", "platform"], keep="first", maintain_order=True)


def _load(read: Reader, warehouse: Path, profile: Profile, months: list[str]) -> SiteTables:
    def need(schema: str, table: str) -> pl.DataFrame:
        frame = read(schema, table)
        if frame is None:
            raise WarehouseError(f"{warehouse}: table {schema}.{table} is missing")
        return frame

    def optional_clean(table: str, schema: dict) -> pl.DataFrame:
        # Warehouses written before the census existed have no such table: empty, not an error.
        frame = read("clean", table)
        return pl.DataFrame(schema=schema) if frame is None else frame

    def optional_raw(table: str) -> pl.DataFrame:
        # Warehouses written before a raw table existed have none: empty, not an error.
        frame = read("raw", table)
        return empty_raw(table) if frame is None else frame

    overall = need("scores", "overall")
    models = need("clean", "models")
    datasets = need("clean", "datasets")
    models = models.join(_links(read, MODEL_TABLES, profile), on=["month", "item"], how="left")
    datasets = datasets.join(_links(read, DATASET_TABLES, profile), on=["month", "item"], how="left")
    manifest = optional_raw("snapshot_manifest")
    return SiteTables(
        profile=profile,
        months=months,
        overall=overall,
        ranks={d: need("scores", f"{d}_rank") for d in DIMENSIONS},
        normalised={d: need("scores", f"{d}_normalised") for d in DIMENSIONS},
        metrics={d: need("metrics", d) for d in DIMENSIONS},
        models=models,
        datasets=datasets,
        curated=need("raw", "curated_metrics"),
        other_datasets=need("raw", "other_source_datasets"),
        evidence=optional_raw("input_evidence"),
        manifest=manifest,
        gaps=_gaps(manifest),
        census=optional_clean("census_orgs", CENSUS_ORGS_SCHEMA),
        candidates=optional_clean("census_candidates", CANDIDATES_SCHEMA),
        slugs=slugify(overall["org"].unique().to_list()),
    )


def intervals(frame: pl.DataFrame) -> list[str]:
    """The rank-interval columns a score table actually carries values in (none for osir-published)."""
    return [c for c in INTERVALS if c in frame.columns and frame[c].null_count() < frame.height]


def rank_rows(tables: SiteTables, month: str, variant: str) -> pl.DataFrame:
    """The overall ranking of a month joined with each dimension's own rank, score and rank interval.

    System and benchmark have no accumulated ranking: their monthly ones stand in, as in the overall
    computation itself.
    """
    rows = tables.overall.filter((pl.col("month") == month) & (pl.col("variant") == variant))
    for dim in DIMENSIONS:
        used = variant if variant == "monthly" or dim in ACCUMULATED else "monthly"
        ranks = tables.ranks[dim]
        dim_rows = ranks.filter((pl.col("month") == month) & (pl.col("variant") == used))
        rows = rows.join(
            dim_rows.select(
                "org",
                pl.col("rank").alias(f"{dim}_rank"),
                pl.col("score").alias(f"{dim}_score"),
                *(pl.col(c).alias(f"{dim}_{c}") for c in intervals(ranks)),
            ),
            on="org",
            how="left",
        )
    return rows.sort(["rank", "position"])


def has_previous(tables: SiteTables, month: str) -> bool:
    """Whether ``month``'s rank changes compare with an earlier ranking."""
    return tables.previous_ranked(month) is not None


def category_of(profile: Profile, dimension: str, metric: str) -> str:
    """The metric column's category as the profile defines it ("" when it names none)."""
    spec = profile.dimensions[dimension]
    for m in spec.metrics or ():
        if m.column == metric:
            return m.category
    return spec.categories.get(metric, "")


def variants_of(tables: SiteTables, month: str, ranking: str = "overall") -> list[str]:
    frame = tables.overall if ranking == "overall" else tables.ranks[ranking]
    have = set(frame.filter(pl.col("month") == month)["variant"].unique().to_list())
    return [v for v in VARIANTS if v in have]


def org_href(tables: SiteTables, org: str, month: str | None = None, depth: int = 0) -> str:
    """The org's page of ``month`` (its latest page without one)."""
    stem = tables.slugs[org] + (f"-{month}" if month else "")
    return f"{'../' * depth}org/{stem}.html"
