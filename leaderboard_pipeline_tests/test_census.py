"""What the Hub census gives per org and per account (core/census.py) and its metrics (core/metrics.py):
shares, derivative reach, candidates for the registry, and unknown (null) without a census."""

from __future__ import annotations

import polars as pl
import yaml

from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS, conform, empty_raw
from leaderboard_pipeline.core.census import candidates, census_orgs, owners, registry_entry
from leaderboard_pipeline.core.metrics import census_values, openi_values

PROFILE = load_profile("methodology")
MONTH = "2026-11"


def models(*rows: tuple) -> pl.DataFrame:
    """(id, downloads, likes, bases[, registry_org, registry_platform])"""
    records = [
        {
            "month": MONTH,
            "namespace": r[0].split("/")[0],
            "name": r[0].split("/")[1],
            "downloads_last_month": r[1],
            "likes": r[2],
            "base_models": r[3],
            "registry_org": r[4] if len(r) > 4 else None,
            "registry_platform": r[5] if len(r) > 5 else None,
        }
        for r in rows
    ]
    return conform(
        "hf_census_models", pl.DataFrame(records, schema_overrides={"base_models": pl.List(pl.String)})
    )


def datasets(*rows: tuple) -> pl.DataFrame:
    records = [
        {
            "month": MONTH,
            "namespace": r[0].split("/")[0],
            "name": r[0].split("/")[1],
            "downloads_last_month": r[1],
            "likes": r[2],
        }
        for r in rows
    ]
    return (
        conform("hf_census_datasets", pl.DataFrame(records)) if records else empty_raw("hf_census_datasets")
    )


def registry(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame([(MONTH, *r) for r in rows], schema=RAW_SCHEMAS["org_registry"], orient="row")


REGISTRY = registry(
    ("Meta", "HuggingFace", "meta-llama"),
    ("Meta", "HuggingFace", "facebook"),
    ("Zhipu", "HuggingFace", "THUDM"),
    ("Zhipu", "ModelScope", "ZhipuAI"),
)
HUB = models(
    ("meta-llama/Llama", 1000, 50, []),
    ("facebook/opt", 10, 5, []),  # below the stated 50 downloads: not counted as a model, downloads count
    ("thudm/glm", 300, 30, []),  # the registry spells it THUDM: still Zhipu's
    ("ZhipuAI/glm-4", 900, 40, []),  # Zhipu's ModelScope namespace on the Hub: never a candidate
    ("Quant/llama-gguf", 5000, 80, ["meta-llama/Llama"]),
    ("Quant/llama-gguf-2", 4000, 10, ["Quant/llama-gguf"]),
    ("tuner/glm-chat", 60, 1, ["THUDM/glm"]),
    ("Meta/not-meta", 2, 0, []),  # an account spelt like the org "Meta": its own owner
    ("deepseek-ai/v3", 700, 70, [], "Deepseek", "HuggingFace"),  # the registry file's, not collected
    ("OpenBMB-ms/cpm", 800, 5, [], "OpenBMB", "ModelScope"),  # the file's namespace on another platform
)
DATA = datasets(("bigdata/corpus", 900, 9), ("meta-llama/eval", 100, 1), ("nobody/empty", 0, 0))


def test_owners_attribute_every_registry_account_and_nothing_else():
    own = {
        r["namespace"]: r
        for r in owners(HUB.select("namespace", "registry_org", "registry_platform"), REGISTRY).to_dicts()
    }
    assert (own["thudm"]["owner"], own["thudm"]["org"], own["thudm"]["attributed"]) == (
        "Zhipu",
        "Zhipu",
        "HuggingFace",
    )
    assert (own["ZhipuAI"]["owner"], own["ZhipuAI"]["org"], own["ZhipuAI"]["attributed"]) == (
        "ZhipuAI",
        "Zhipu",
        "ModelScope",
    )
    assert own["deepseek-ai"]["org"] == "Deepseek" and own["deepseek-ai"]["attributed"] == "HuggingFace"
    assert (own["OpenBMB-ms"]["owner"], own["OpenBMB-ms"]["org"]) == ("OpenBMB-ms", "OpenBMB")
    assert own["OpenBMB-ms"]["attributed"] == "ModelScope"
    assert own["Meta"]["org"] is None and own["Meta"]["key"] != own["meta-llama"]["key"]
    assert own["Quant"]["org"] is None


def test_census_orgs_counts_shares_and_derivatives_per_registry_org():
    rows = {r["org"]: r for r in census_orgs(HUB, DATA, REGISTRY, MONTH, PROFILE).to_dicts()}
    assert set(rows) == {"Meta", "Zhipu"}  # the month's registry orgs only
    meta = rows["Meta"]
    assert (meta["models"], meta["model_downloads"]) == (1, 1010)
    assert (meta["derivative_models"], meta["derivative_downloads"]) == (2, 9000)  # gguf and gguf-2
    assert (meta["datasets"], meta["dataset_downloads"]) == (1, 100)
    assert meta["hub_model_downloads"] == HUB["downloads_last_month"].sum()
    assert meta["hub_dataset_downloads"] == 1000
    zhipu = rows["Zhipu"]
    assert (zhipu["models"], zhipu["model_downloads"]) == (1, 300)  # not the ModelScope-named account's
    assert (zhipu["derivative_models"], zhipu["derivative_downloads"]) == (1, 60)


def test_candidates_are_accounts_outside_the_registry_never_a_registry_account():
    table = candidates(HUB, DATA, REGISTRY, MONTH, PROFILE)
    model = table.filter(pl.col("dimension") == "model")
    outside = model.filter(pl.col("org").is_null())
    assert set(outside["owner"]) <= {"Quant", "tuner", "Meta"}
    assert outside.sort("rank")["owner"][0] == "Quant"
    attributed = set(table.filter(pl.col("org").is_not_null())["owner"])
    assert {
        "ZhipuAI",
        "Deepseek",
        "Meta",
        "Zhipu",
        "OpenBMB-ms",
    } <= attributed  # registry accounts, with their org
    assert set(outside["owner"]).isdisjoint(
        {"meta-llama", "facebook", "thudm", "THUDM", "ZhipuAI", "deepseek-ai"}
    )
    quant = outside.filter(pl.col("owner") == "Quant").row(0, named=True)
    assert quant["top_items"] == ["Quant/llama-gguf", "Quant/llama-gguf-2"]
    assert quant["share"] == 9000 / HUB["downloads_last_month"].sum()
    data = table.filter(pl.col("dimension") == "data")
    assert data.filter(pl.col("org").is_null()).sort("rank")["owner"].to_list()[:1] == ["bigdata"]
    assert "nobody" not in data["owner"].to_list()  # nothing downloaded: score 0, not a candidate
    # the ranks are dense over every owner and scores are in [0, 1]
    assert table["score"].is_between(0, 1).all() and table["rank"].min() == 1


def test_a_registry_entry_is_valid_yaml_in_the_registry_format_even_for_a_hostile_name():
    for name in ("Quant", "we:ird #name", "- list", "ünïcode"):
        doc = yaml.safe_load("orgs:\n" + registry_entry(name))
        assert doc == {"orgs": {name: {"huggingface": [name]}}}


def test_no_census_no_rows_and_unknown_metrics():
    empty_models, empty_data = empty_raw("hf_census_models"), empty_raw("hf_census_datasets")
    assert census_orgs(empty_models, empty_data, REGISTRY, MONTH, PROFILE).is_empty()
    assert candidates(empty_models, empty_data, REGISTRY, MONTH, PROFILE).is_empty()
    orgs = pl.DataFrame({"month": [MONTH], "org": ["Meta"], "position": [0]})
    for variant in ("monthly", "accumulated"):
        values = census_values(None, MONTH, variant, orgs)
        assert set(values) == {"model", "data"}
        for frame in values.values():
            assert frame.height and frame["value"].null_count() == frame.height  # unknown, never 0
        openi = openi_values(
            {t: empty_raw(t) for t in ("openi_models", "openi_datasets")}, MONTH, variant, orgs
        )
        assert all(f["value"].null_count() == f.height == 1 for f in openi.values())


def test_census_metrics_monthly_and_accumulated():
    orgs = pl.DataFrame({"month": [MONTH], "org": ["Meta"], "position": [0]})
    first = census_orgs(HUB.with_columns(month=pl.lit("2026-10")), DATA, REGISTRY, "2026-10", PROFILE)
    second = census_orgs(HUB, DATA, REGISTRY, MONTH, PROFILE)
    both = pl.concat([first, second])
    monthly = {
        r["metric"]: r["value"] for r in census_values(both, MONTH, "monthly", orgs)["model"].to_dicts()
    }
    total = HUB["downloads_last_month"].sum()
    assert monthly == {"derivative_models": 2, "derivative_downloads": 9000, "hub_model_share": 1010 / total}
    acc = {
        r["metric"]: r["value"] for r in census_values(both, MONTH, "accumulated", orgs)["model"].to_dicts()
    }
    assert acc == {"derivative_models": 2, "derivative_downloads": 18000, "hub_model_share": 1010 / total}
    # a month before any census: unknown
    early = census_values(both, "2026-09", "accumulated", orgs)["model"]
    assert early["value"].null_count() == early.height
