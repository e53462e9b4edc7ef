"""Derivative reach (core/derivatives.py), pure polars: across accounts, depth, cycles, self-derivatives."""

from __future__ import annotations

import polars as pl
import pytest

from leaderboard_pipeline.core.derivatives import MAX_DEPTH, reach


def census(*rows: tuple[str, int, list[str]]) -> pl.DataFrame:
    """rows of (id, downloads, base ids)."""
    return pl.DataFrame(
        {
            "namespace": [r[0].split("/")[0] for r in rows],
            "name": [r[0].split("/")[1] for r in rows],
            "downloads_last_month": [r[1] for r in rows],
            "base_models": [r[2] for r in rows],
        },
        schema={
            "namespace": pl.String,
            "name": pl.String,
            "downloads_last_month": pl.Int64,
            "base_models": pl.List(pl.String),
        },
    )


def owners(**namespaces: str) -> pl.DataFrame:
    return pl.DataFrame({"namespace": list(namespaces), "owner": list(namespaces.values())})


def as_dict(frame: pl.DataFrame) -> dict[str, tuple[int, int]]:
    return {r["owner"]: (r["derivative_models"], r["derivative_downloads"]) for r in frame.to_dicts()}


def test_transitive_across_accounts_and_the_owners_own_models_are_not_counted():
    models = census(
        ("meta/llama", 1000, []),
        ("meta/llama-instruct", 500, ["meta/llama"]),  # a self-derivative: followed, not counted
        ("tuner/llama-chat", 100, ["meta/llama-instruct"]),  # reached through the self-derivative
        ("quant/llama-chat-gguf", 40, ["tuner/llama-chat"]),  # two accounts away
    )
    got = as_dict(reach(models, owners(meta="Meta", tuner="tuner", quant="quant")))
    assert got == {"Meta": (2, 140), "tuner": (1, 40)}


def test_a_cycle_counts_each_model_once_and_ends():
    models = census(
        ("meta/base", 10, []),
        ("a/x", 3, ["meta/base", "b/y"]),
        ("b/y", 5, ["a/x"]),  # x names y, y names x
        ("c/self", 7, ["c/self"]),  # names itself
    )
    got = as_dict(reach(models, owners(meta="Meta", a="A", b="B", c="C")))
    assert got == {"Meta": (2, 8), "A": (1, 5), "B": (1, 3)}  # C's self-loop is no derivative


def test_a_merge_counts_for_each_base_owner_once_and_letter_case_is_ignored():
    models = census(
        ("Meta/Llama", 10, []),
        ("qwen/Qwen", 20, []),
        ("m/merge", 8, ["meta/llama", "Qwen/qwen", "META/LLAMA"]),
    )
    got = as_dict(reach(models, owners(META="Meta", Qwen="Ali", m="m")))
    assert got == {"Meta": (1, 8), "Ali": (1, 8)}


def test_depth_is_bounded():
    chain = [("org/g0", 1, [])] + [
        (f"u{i}/g{i}", 1, [f"u{i - 1}/g{i - 1}" if i > 1 else "org/g0"]) for i in range(1, 15)
    ]
    models = census(*chain)
    got = as_dict(reach(models, owners(org="Org")))
    assert got == {"Org": (MAX_DEPTH, MAX_DEPTH)}  # generations 1..10, not the 14 the chain has
    assert as_dict(reach(models, owners(org="Org"), max_depth=3)) == {"Org": (3, 3)}


def test_a_base_outside_the_census_still_names_its_owner_and_bare_ids_name_nobody():
    models = census(
        ("t/ft-of-deleted", 4, ["meta/deleted-model"]),  # not in the census: its namespace still tells
        ("t/ft-of-gpt2", 9, ["gpt2"]),  # a legacy id without a namespace: no owner
    )
    got = as_dict(reach(models, owners(meta="Meta", t="t")))
    assert got == {"Meta": (1, 4)}


def test_owners_without_derivatives_are_left_out_and_an_empty_census_gives_nothing():
    assert reach(census(("meta/a", 1, [])), owners(meta="Meta")).is_empty()
    assert reach(census(), owners(meta="Meta")).is_empty()


@pytest.mark.parametrize("hostile", ["", "a b/c", "x/y/z"])
def test_malformed_base_ids_in_stored_rows_do_not_break_the_walk(hostile):
    models = census(("meta/a", 1, []), ("t/b", 2, [hostile, "meta/a"]))
    assert as_dict(reach(models, owners(meta="Meta", t="t"))) == {"Meta": (1, 2)}


def test_an_owner_of_several_namespaces_is_one_owner():
    models = census(
        ("meta-llama/llama", 10, []),
        ("facebook/llama-tuned", 5, ["meta-llama/llama"]),  # the org's own, in its other namespace
        ("t/chat", 3, ["meta-llama/llama", "facebook/llama-tuned"]),  # reached twice, counted once
    )
    got = reach(models, owners(**{"meta-llama": "Meta", "facebook": "Meta", "t": "t"}))
    assert got.to_dicts() == [{"owner": "Meta", "derivative_models": 1, "derivative_downloads": 3}]
