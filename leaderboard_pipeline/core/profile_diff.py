"""How two profiles rank the same month differently, and which single switch causes what.

Computed straight from a source with the layer functions (no warehouse, no Dagster), so it can answer
"what would change if..." for any month of any source in a couple of seconds.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS, Profile
from leaderboard_pipeline.contract.source import SnapshotSource
from leaderboard_pipeline.core.layers import (
    clean_layer,
    last_ranked_month,
    metrics_layer,
    ranked_orgs_of,
    scores_layer,
)

RANKINGS = (*DIMENSIONS, "overall")


def read_up_to(source: SnapshotSource, month: str) -> tuple[dict[str, pl.DataFrame], list[str]]:
    months = [m for m in source.months() if m <= month]
    frames = [source.read_month(m) for m in months]
    return {t: pl.concat([f[t] for f in frames], how="vertical_relaxed") for t in frames[0]}, months


def monthly_ranks(
    raw: dict[str, pl.DataFrame], months: list[str], month: str, profile: Profile
) -> pl.DataFrame:
    """(ranking, org, rank) of the month's monthly rankings under ``profile``."""
    clean = clean_layer(raw, months, profile)
    ranked = ranked_orgs_of(raw["system_inputs"], clean["snapshots"], profile)["month"].unique()
    wanted = [m for m in months if m in (month, last_ranked_month(ranked, month, profile.cleaning))]
    metrics = metrics_layer(clean["models"], clean["datasets"], raw, wanted, profile, clean["snapshots"])
    scores = scores_layer(metrics, [month], profile)
    tables = {d: scores[f"{d}_rank"] for d in DIMENSIONS} | {"overall": scores["overall"]}
    return pl.concat(
        [
            t.filter(pl.col("variant") == "monthly").select(pl.lit(name).alias("ranking"), "org", "rank")
            for name, t in tables.items()
        ]
    )


def rank_changes(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """Orgs whose rank differs, per ranking: ranking, org, rank_a, rank_b."""
    return (
        a.join(b, on=["ranking", "org"], how="full", suffix="_b", coalesce=True)
        .rename({"rank": "rank_a"})
        .filter(pl.col("rank_a").ne_missing(pl.col("rank_b")))
        .sort(["ranking", "rank_a"])
    )


def switch_effects(
    raw: dict[str, pl.DataFrame], months: list[str], month: str, base: Profile, target: Profile
) -> list[tuple[str, str, str, dict[str, int]]]:
    """Change one setting of ``base`` at a time to ``target``'s value; count the changed ranks per ranking.

    Returns (setting, base value, target value, {ranking: number of orgs whose rank changed}).
    """
    reference = monthly_ranks(raw, months, month, base)
    variants: list[tuple[str, str, str, Profile]] = []
    for field in dataclasses.fields(base.cleaning):
        mine, theirs = getattr(base.cleaning, field.name), getattr(target.cleaning, field.name)
        if mine != theirs:
            cleaning = dataclasses.replace(base.cleaning, **{field.name: theirs})
            variants.append(
                (
                    f"cleaning.{field.name}",
                    str(mine),
                    str(theirs),
                    dataclasses.replace(base, cleaning=cleaning),
                )
            )
    if base.normalisation != target.normalisation:
        variants.append(
            (
                "normalisation",
                base.normalisation,
                target.normalisation,
                dataclasses.replace(base, normalisation=target.normalisation),
            )
        )
    if (base.combine, base.weights) != (target.combine, target.weights):
        variants.append(
            (
                "combine",
                base.combine,
                target.combine,
                dataclasses.replace(base, combine=target.combine, weights=target.weights),
            )
        )
    for dim in DIMENSIONS:
        if base.dimensions[dim] != target.dimensions[dim]:
            dims = {**base.dimensions, dim: target.dimensions[dim]}
            variants.append(
                (
                    f"dimensions.{dim}",
                    "metric columns",
                    "metric columns",
                    dataclasses.replace(base, dimensions=dims),
                )
            )
    out = []
    for name, mine, theirs, profile in variants:
        changes = rank_changes(reference, monthly_ranks(raw, months, month, profile))
        counts = {r: changes.filter(pl.col("ranking") == r).height for r in RANKINGS}
        out.append((name, mine, theirs, counts))
    return out
