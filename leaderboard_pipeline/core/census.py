"""What the whole-Hub census tells per organisation and per account. Pure polars.

From a month's census (``raw.hf_census_models`` / ``raw.hf_census_datasets``) and registry:

- ``clean.census_orgs``: per registry org, its Hub models and datasets, their downloads, its derivative
  reach (``derivatives.reach``) and the Hub's totals: the share of the Hub and the derivative metrics of
  the ``methodology`` profile come from it;
- ``clean.census_candidates``: every owner (each registry org with all its Hugging Face namespaces, and
  every other account on its own) scored on the metrics the census can compute, per dimension, with the
  profile's normalisation and an unweighted mean, ranked; kept: the registry orgs and the accounts that
  rank in the first ``POOL``. Accounts attributed to a registry org are never candidates: its Hugging Face
  namespaces are part of the org, and an account named as one of its namespaces on another platform
  (ModelScope, OpenDataLab, BAAI, OpenI) is marked with that org (``org``, ``attributed``).

What the census can compute: models are counted when they have at least the profile's monthly downloads
(``min_model_downloads``, the stated method's threshold), datasets when anybody downloaded them that
month (the census cannot label them valid or not); downloads are the Hub's 30-day counts of every item.
"""

from __future__ import annotations

import polars as pl
import yaml

from leaderboard_pipeline.config.profiles import Profile
from leaderboard_pipeline.core.derivatives import REACH_SCHEMA, reach

HF = "HuggingFace"
POOL = 100  # accounts kept per dimension and month (`leaderboard candidates --top N` takes N <= POOL)
TOP_ITEMS = 3  # the evidence shown of a candidate: its most downloaded items
MODEL_METRICS = ("items", "downloads", "likes", "derivative_models", "derivative_downloads")
DATA_METRICS = ("items", "downloads", "likes")
CENSUS_ORGS_SCHEMA = {
    "month": pl.String,
    "org": pl.String,
    "models": pl.Int64,  # models with >= min_model_downloads
    "model_downloads": pl.Int64,
    "datasets": pl.Int64,  # datasets downloaded that month
    "dataset_downloads": pl.Int64,
    "derivative_models": pl.Int64,
    "derivative_downloads": pl.Int64,
    "hub_model_downloads": pl.Int64,
    "hub_dataset_downloads": pl.Int64,
}
CANDIDATES_SCHEMA = {
    "month": pl.String,
    "dimension": pl.String,  # model | data
    "rank": pl.Int64,  # dense rank among every owner of the Hub by `score`
    "owner": pl.String,  # the account (or the registry org)
    "org": pl.String,  # the registry org it belongs to; null: a candidate
    "attributed": pl.String,  # how it belongs to the org: HuggingFace, or the platform naming it
    "score": pl.Float64,
    "items": pl.Int64,
    "downloads": pl.Int64,
    "likes": pl.Int64,
    "derivative_models": pl.Int64,  # null for data
    "derivative_downloads": pl.Int64,
    "share": pl.Float64,  # of all Hub downloads of the dimension's items that month
    "top_items": pl.List(pl.String),
    "top_item_downloads": pl.List(pl.Int64),
}


def _ns(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase()


def owners(census: pl.DataFrame, registry: pl.DataFrame) -> pl.DataFrame:
    """namespace (as in the census) -> key, owner, org, attributed.

    A registry org owns its Hugging Face namespaces: those of the month's registry, and those the census
    rows name as the whole registry's (``registry_org`` with ``registry_platform`` HuggingFace: an org of
    the registry file not collected that month is still no candidate). An account named as an org's
    namespace on another platform keeps its own numbers but carries that org (``org``, ``attributed``:
    the platform); every other account is its own owner, with ``org`` null: a candidate."""
    hf = (
        registry.filter(pl.col("platform") == HF)
        .select(ns=_ns(pl.col("namespace")), month_org="org")
        .unique("ns", keep="first", maintain_order=True)
    )
    elsewhere = (
        registry.filter(pl.col("platform") != HF)
        .sort("platform", "org", "namespace")
        .select(ns=_ns(pl.col("namespace")), other_org="org", other_platform="platform")
        .unique("ns", keep="first", maintain_order=True)
    )
    named = [c for c in ("registry_org", "registry_platform") if c in census.columns]
    rows = census.select("namespace", *named).with_columns(
        [pl.lit(None, pl.String).alias(c) for c in ("registry_org", "registry_platform") if c not in named]
    )
    # `key` tells an org from an account spelt like it (org "Meta" vs an account "Meta"); accounts are
    # one owner whatever letter case a census row spells them in.
    return (
        rows.unique("namespace", keep="first", maintain_order=True)
        .with_columns(ns=_ns(pl.col("namespace")))
        .join(hf, on="ns", how="left")
        .join(elsewhere, on="ns", how="left")
        .with_columns(
            first=pl.col("namespace").first().over("ns"),
            hf_org=pl.coalesce(
                "month_org", pl.when(pl.col("registry_platform") == HF).then(pl.col("registry_org"))
            ),
        )
        .select(
            "namespace",
            key=pl.when(pl.col("hf_org").is_not_null())
            .then("org:" + pl.col("hf_org"))
            .otherwise("hf:" + pl.col("ns")),
            owner=pl.coalesce("hf_org", "first"),
            org=pl.coalesce("hf_org", "other_org", "registry_org"),
            attributed=pl.when(pl.col("hf_org").is_not_null())
            .then(pl.lit(HF))
            .otherwise(pl.coalesce("other_platform", "registry_platform")),
        )
    )


def _namespaces(models: pl.DataFrame, datasets: pl.DataFrame) -> pl.DataFrame:
    """The distinct namespaces of the census (with the registry's marks), models' first."""
    columns = ["namespace", *(c for c in ("registry_org", "registry_platform") if c in models.columns)]
    parts = [
        f.select(columns).unique("namespace", keep="first", maintain_order=True) for f in (models, datasets)
    ]
    return pl.concat(parts, how="diagonal_relaxed")


def _per_owner(keyed: pl.DataFrame, counted: pl.Expr) -> pl.DataFrame:
    """key -> items counted, downloads, likes (``keyed``: items with their owner's ``key``)."""
    return keyed.group_by("key").agg(
        items=counted.sum().cast(pl.Int64),
        downloads=pl.col("downloads_last_month").sum().cast(pl.Int64),
        likes=pl.col("likes").sum().cast(pl.Int64),
    )


def _scored(values: pl.DataFrame, metrics: tuple[str, ...], method: str) -> pl.DataFrame:
    """The profile's normalisation per metric over every owner, the mean of the normalised values (a
    metric nobody differs in is left out, as in `scoring`), and the dense rank."""
    normalised = []
    for metric in metrics:
        x = pl.col(metric).cast(pl.Float64)
        lo, hi = x.min(), x.max()
        if method == "max":
            expr = pl.when(hi == 0).then(None).otherwise(x / hi)
        else:
            expr = pl.when(hi == lo).then(None).otherwise((x - lo) / (hi - lo))
        normalised.append(expr.alias(f"_n_{metric}"))
    parts = [f"_n_{m}" for m in metrics]
    return (
        values.with_columns(normalised)
        .with_columns(score=pl.mean_horizontal(parts).fill_null(0.0))
        .drop(parts)
        .with_columns(rank=pl.col("score").rank("dense", descending=True).cast(pl.Int64))
    )


def _top_items(keyed: pl.DataFrame, keys: pl.Series) -> pl.DataFrame:
    """key -> the owner's TOP_ITEMS most downloaded items (ids, downloads), for the owners in ``keys``."""
    return (
        keyed.filter(pl.col("key").is_in(keys.implode()))
        .sort(["downloads_last_month", "namespace", "name"], descending=[True, False, False])
        .group_by("key", maintain_order=True)
        .head(TOP_ITEMS)
        .group_by("key", maintain_order=True)
        .agg(
            top_items=pl.format("{}/{}", "namespace", "name"),
            top_item_downloads=pl.col("downloads_last_month"),
        )
    )


def census_tables(
    models: pl.DataFrame,
    datasets: pl.DataFrame,
    registry: pl.DataFrame,
    month: str,
    profile: Profile,
    pool: int = POOL,
) -> dict[str, pl.DataFrame]:
    """``census_orgs`` and ``census_candidates`` of one month (see the module docstring), from one pass
    over the census: the owners, the per-owner sums and the derivative reach are computed once."""
    if models.is_empty():
        return {
            "census_orgs": pl.DataFrame(schema=CENSUS_ORGS_SCHEMA),
            "census_candidates": pl.DataFrame(schema=CANDIDATES_SCHEMA),
        }
    floor = profile.cleaning.min_model_downloads
    own = owners(_namespaces(models, datasets), registry)
    keyed = {
        kind: items.select("namespace", "name", "downloads_last_month", "likes").join(
            own.select("namespace", "key"), on="namespace", how="left"
        )
        for kind, items in (("model", models), ("data", datasets))
    }
    derived = reach(models, own.select("namespace", owner="key")).rename({"owner": "key"})
    values = {
        "model": _per_owner(keyed["model"], pl.col("downloads_last_month") >= floor)
        .join(derived, on="key", how="left")
        .with_columns(pl.col("derivative_models", "derivative_downloads").fill_null(0)),
        "data": _per_owner(keyed["data"], pl.col("downloads_last_month") > 0).with_columns(
            [
                pl.lit(None, dtype=REACH_SCHEMA[c]).alias(c)
                for c in ("derivative_models", "derivative_downloads")
            ]
        ),
    }
    totals = {"model": models["downloads_last_month"].sum(), "data": datasets["downloads_last_month"].sum()}
    orgs = registry.select("org").unique().sort("org").with_columns(key="org:" + pl.col("org"))
    census = (
        orgs.join(
            values["model"].select(
                "key",
                "derivative_models",
                "derivative_downloads",
                models="items",
                model_downloads="downloads",
            ),
            on="key",
            how="left",
        )
        .join(
            values["data"].select("key", datasets="items", dataset_downloads="downloads"),
            on="key",
            how="left",
        )
        .with_columns(
            pl.col(
                "models", "model_downloads", "datasets", "dataset_downloads", "derivative_models"
            ).fill_null(0),
            pl.col("derivative_downloads").fill_null(0),
            month=pl.lit(month),
            hub_model_downloads=pl.lit(totals["model"], pl.Int64),
            hub_dataset_downloads=pl.lit(totals["data"], pl.Int64),
        )
        .select(list(CENSUS_ORGS_SCHEMA))
        .cast(CENSUS_ORGS_SCHEMA)
    )
    who = own.select("key", "owner", "org", "attributed").unique("key", keep="first", maintain_order=True)
    frames = []
    for dimension, metrics in (("model", MODEL_METRICS), ("data", DATA_METRICS)):
        ranked = _scored(values[dimension], metrics, profile.normalisation).join(who, on="key", how="left")
        keep = ranked.filter(pl.col("org").is_not_null() | ((pl.col("rank") <= pool) & (pl.col("score") > 0)))
        # the evidence of accounts (candidates, or named as an org's namespace elsewhere), not of orgs
        shown = keep.filter(pl.col("attributed").is_null() | (pl.col("attributed") != HF))["key"]
        total = totals[dimension]
        frames.append(
            keep.join(_top_items(keyed[dimension], shown), on="key", how="left").with_columns(
                month=pl.lit(month),
                dimension=pl.lit(dimension),
                share=pl.when(pl.lit(total) > 0).then(pl.col("downloads") / pl.lit(total)),
            )
        )
    candidates = (
        pl.concat(frames, how="diagonal_relaxed")
        .select(list(CANDIDATES_SCHEMA))
        .cast(CANDIDATES_SCHEMA)
        .sort(["dimension", "rank", "owner"], descending=[True, False, False])
    )
    return {"census_orgs": census, "census_candidates": candidates}


def census_orgs(
    models: pl.DataFrame, datasets: pl.DataFrame, registry: pl.DataFrame, month: str, profile: Profile
) -> pl.DataFrame:
    """``clean.census_orgs`` of one month: every registry org of the month, none without a census."""
    return census_tables(models, datasets, registry, month, profile)["census_orgs"]


def candidates(
    models: pl.DataFrame,
    datasets: pl.DataFrame,
    registry: pl.DataFrame,
    month: str,
    profile: Profile,
    pool: int = POOL,
) -> pl.DataFrame:
    """``clean.census_candidates`` of one month; empty without a census."""
    return census_tables(models, datasets, registry, month, profile, pool)["census_candidates"]


def registry_entry(account: str) -> str:
    """The registry entry to paste under ``orgs:`` in data/registry/orgs.yaml for an account (YAML-quoted
    as needed: names are served by the platform and may hold anything)."""
    text = yaml.safe_dump({account: {"huggingface": [account]}}, allow_unicode=True, default_flow_style=None)
    return "".join(f"  {line}\n" for line in text.splitlines())
