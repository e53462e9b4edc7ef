"""Derivative reach: the models built on an owner's models, transitively and across accounts. Pure polars.

A model's base models are named by its ``base_model:`` tags (the census, ``raw.hf_census_models``). The
derivatives of an owner (a registry org: all its Hugging Face namespaces; or any other account) are every
model reachable from the owner's models by following "is a base of" edges:

- **across accounts**: a quantisation by account C of a fine-tune by account B of org A's model is a
  derivative of A (and of B);
- **depth**: edges are followed up to ``MAX_DEPTH`` generations (10). Real trees are shallow (a
  fine-tune, its merges, their quantisations); the bound keeps the work of a hostile census (a chain of
  a million models each naming the previous) linear in the census;
- **self-derivatives**: a model of the owner itself (Qwen's instruct model built on Qwen's base model) is
  followed through but not counted: it is the owner's own work, already in its own downloads;
- **cycles** (A names B, B names A; a model naming itself) cannot count a model twice or loop: each
  (owner, model) pair is counted once, the first time it is reached, and a self-loop is dropped;
- **several bases** (a merge of A's and B's models) count for each owner once;
- a base id without a namespace (legacy ``gpt2``) names no owner; a base that is not in the census
  (deleted, private) still names its owner by its namespace, so its children count.

Ids are compared ignoring letter case, as the Hub resolves them.
"""

from __future__ import annotations

import polars as pl

MAX_DEPTH = 10
REACH_SCHEMA = {"owner": pl.String, "derivative_models": pl.Int64, "derivative_downloads": pl.Int64}


def _key(namespace: pl.Expr, name: pl.Expr) -> pl.Expr:
    return (namespace + "/" + name).str.to_lowercase()


def reach(models: pl.DataFrame, owners: pl.DataFrame, max_depth: int = MAX_DEPTH) -> pl.DataFrame:
    """Per owner: the number of derivative models and their downloads (30-day).

    ``models``: census rows (namespace, name, downloads_last_month, base_models). ``owners``: namespace ->
    owner (the namespace compared ignoring case; namespaces not listed have no owner and start no tree).
    Owners without derivatives are left out (the caller decides whether that is 0 or unknown).
    """
    owner_of = owners.select(ns=pl.col("namespace").str.to_lowercase(), owner="owner").unique(
        "ns", keep="first", maintain_order=True
    )
    # One number per owner (an org owns several namespaces: a model of any of them is the org's own).
    names = owner_of.select("owner").unique(maintain_order=True).with_row_index("o")
    owner_of = owner_of.join(names, on="owner", maintain_order="left")
    nodes = models.select(
        key=_key(pl.col("namespace"), pl.col("name")),
        ns=pl.col("namespace").str.to_lowercase(),
        downloads=pl.col("downloads_last_month"),
        bases=pl.col("base_models"),
    ).with_columns(i=pl.int_range(pl.len(), dtype=pl.UInt32))
    nodes = nodes.join(owner_of.select("ns", "o"), on="ns", how="left")
    # Edges base -> child; the base's owner from its namespace, its node number when it is in the census.
    edges = (
        nodes.select(child="i", base=pl.col("bases"))
        .explode("base")
        .drop_nulls("base")
        .with_columns(base=pl.col("base").str.to_lowercase())
        .join(nodes.select(base="key", base_i="i"), on="base", how="left")
        .with_columns(base_ns=pl.col("base").str.split("/").list.first())
        .filter(
            pl.col("base").str.contains("/")
            & (pl.col("base_i").is_null() | (pl.col("base_i") != pl.col("child")))
        )
        .join(owner_of.select(base_ns="ns", base_o="o"), on="base_ns", how="left")
        .select("child", "base_i", "base_o")
        .unique()
    )
    frontier = edges.filter(pl.col("base_o").is_not_null()).select(o="base_o", i="child").unique()
    seen = frontier
    step = edges.filter(pl.col("base_i").is_not_null()).select(i="base_i", child="child")
    for _ in range(max_depth - 1):
        if frontier.is_empty():
            break
        frontier = (
            frontier.join(step, on="i").select("o", i="child").unique().join(seen, on=["o", "i"], how="anti")
        )
        seen = pl.concat([seen, frontier])
    counted = seen.join(nodes.select("i", own="o", downloads="downloads"), on="i").filter(
        pl.col("own").is_null() | (pl.col("own") != pl.col("o"))
    )
    return (
        counted.group_by("o")
        .agg(derivative_models=pl.len().cast(pl.Int64), derivative_downloads=pl.col("downloads").sum())
        .join(names, on="o")
        .select(list(REACH_SCHEMA))
        .cast(REACH_SCHEMA)
        .sort("owner")
    )
