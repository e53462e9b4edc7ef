"""The Hub's per-item counts (issue 16): discussions per model, models trained on a dataset, which items
are asked (the threshold that provably cannot change a rank), and how a live month plans and reports them."""

from __future__ import annotations

import copy

import polars as pl
import pytest

from leaderboard_pipeline.collectors import huggingface, probe
from leaderboard_pipeline.collectors.errors import ShapeError
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.config.settings import PROFILES_DIR

# -- discussions ----------------------------------------------------------------------------------------


def test_discussions_count_is_every_discussion_and_pr_open_and_closed(make_client, case):
    # The fixture answers only the unfiltered request (`?p=0`): a status=open or type= filter would not
    # match it. `count` (17) is the total, not the two discussions listed on the page.
    client = make_client("huggingface", case("huggingface", "bge_discussions"))
    assert huggingface.discussions_count(client, "BAAI/bge-m3", "BAAI") == 17
    assert client.counters.requests == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"discussions": []}, "field 'count' missing"),
        ({"discussions": [], "count": None}, "field 'count' is null"),
        ({"discussions": [], "count": "17"}, "field 'count' is not a count"),
        ({"discussions": [], "count": -1}, "is not a count >= 0"),
        ({"discussions": {}, "count": 3}, "field 'discussions' is not a list"),
        ([], "expected an object"),
    ],
)
def test_a_discussions_answer_without_a_count_is_an_error_never_zero(make_client, case, body, reason):
    cases = case("huggingface", "bge_discussions")
    cases[0]["response"]["body"] = body
    client = make_client("huggingface", cases)
    with pytest.raises(ShapeError, match=reason) as err:
        huggingface.discussions_count(client, "BAAI/bge-m3", "BAAI")
    assert "HuggingFace: org 'BAAI': GET https://api.test/api/models/BAAI/bge-m3/discussions?p=0" in str(
        err.value
    )


# -- dataset usage --------------------------------------------------------------------------------------


def test_dataset_usage_counts_public_tagged_models_over_pages(make_client, case):
    client = make_client("huggingface", case("huggingface", "usage_page1", "usage_page2"))
    # page 1: models 1, 2 (private), 3; page 2 (Link rel=next): 3 again, 4 -> 1, 3, 4
    assert huggingface.dataset_usage(client, "BAAI/Infinity-Instruct", "BAAI") == 3
    assert client.counters.requests == 2


def test_dataset_usage_refuses_a_listing_that_ignores_the_filter(make_client, case):
    cases = case("huggingface", "usage_page1")
    cases[0]["response"]["body"][1]["tags"] = ["transformers", "region:us"]  # no dataset: tag
    client = make_client("huggingface", cases)
    with pytest.raises(ShapeError, match="without that tag: the server ignores the filter"):
        huggingface.dataset_usage(client, "BAAI/Infinity-Instruct", "BAAI")


def test_dataset_usage_stops_at_a_next_link_that_loops(make_client, case):
    first, second = case("huggingface", "usage_page1", "usage_page2")
    second["response"]["headers"] = first["response"]["headers"]  # page 2 points at page 2 again
    again = copy.deepcopy(second)
    client = make_client("huggingface", [first, second, again])
    with pytest.raises(ShapeError, match="the listing does not end"):
        huggingface.dataset_usage(client, "BAAI/Infinity-Instruct", "BAAI")
    assert client.counters.requests == 2


@pytest.mark.parametrize("name", ["../../api/whoami-v2", "x/../../admin", "a b"])
def test_a_hostile_name_sends_no_per_item_request(make_client, name):
    """Its counts stay unknown and the rest of the month goes on: one account's odd name fails nobody."""
    client = make_client("huggingface", [])  # any request would fail: none is expected
    record = {"namespace": "BAAI", "name": name, "downloads_last_month": 10**6, "descendants": None}
    huggingface.add_model_counts(client, [record], "BAAI")
    dataset = {**record, "dataset_usage": None}
    huggingface.add_dataset_usage(client, [dataset], "BAAI")
    assert client.counters.requests == 0
    assert (
        record.get("community") is None and record["descendants"] is None and dataset["dataset_usage"] is None
    )
    assert "not a Hub repo id" in " ".join(client.counters.notes)


# -- which items are asked: the threshold ---------------------------------------------------------------


def test_every_profile_excludes_models_under_the_per_item_threshold():
    """The per-model calls are skipped below MIN_DOWNLOADS_FOR_DETAIL: safe only while every profile drops
    those models before any metric. A profile with a lower `min_model_downloads` fails here."""
    profiles = sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))
    assert profiles
    for name in profiles:
        assert load_profile(name).cleaning.min_model_downloads >= huggingface.MIN_DOWNLOADS_FOR_DETAIL, name


@pytest.fixture(scope="module")
def two_archive_months(reference_archive):
    from leaderboard_pipeline.core.layers import raw_layer
    from leaderboard_pipeline.sources.archive import ArchiveSource

    source = ArchiveSource(reference_archive)
    months = source.months()[-2:]
    return months, raw_layer([source.read_month(m) for m in months])


@pytest.mark.parametrize("profile_name", ["methodology", "osir-published"])
def test_counts_of_models_under_the_threshold_cannot_change_a_rank(two_archive_months, profile_name):
    """The bound, measured: the archive's latest month scored with every model under the threshold given
    absurd discussions and children (10^9), and with them unknown, gives the same metrics and ranks."""
    from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, scores_layer

    months, raw = two_archive_months
    profile = load_profile(profile_name)
    under = pl.col("downloads_last_month") < huggingface.MIN_DOWNLOADS_FOR_DETAIL
    assert raw["hf_models"].filter(under).height > 1000  # the month has many such models

    def scores(community, descendants):
        models = raw["hf_models"].with_columns(
            community=pl.when(under).then(community).otherwise(pl.col("community")),
            descendants=pl.when(under).then(descendants).otherwise(pl.col("descendants")),
        )
        tables = {**raw, "hf_models": models}
        clean = clean_layer(tables, months, profile)
        metrics = metrics_layer(
            clean["models"], clean["datasets"], tables, months, profile, clean["snapshots"]
        )
        metrics.pop("rank_bootstrap", None)  # resampled: compared through the ranks it feeds
        return metrics, scores_layer(metrics, months, profile)

    huge = scores(pl.lit(10**9, pl.Int64), pl.lit(10**9, pl.Int64))
    unknown = scores(pl.lit(None, pl.Int64), pl.lit(None, pl.Int64))
    for left, right in zip(huge, unknown, strict=True):
        assert left.keys() == right.keys()
        for name in left:
            assert left[name].equals(right[name]), name
    assert huge[1]["model_rank"].height > 0


# -- a live month: jobs, plan, probe --------------------------------------------------------------------


def _per_item_paths(eco) -> tuple[int, int, int]:
    log = [path for _, path, *_ in eco.log]
    discussions = sum(1 for p in log if p.endswith("/discussions"))
    trees = sum(1 for p in log if p.startswith("/hf/api/models/") and not p.endswith("/discussions"))
    return discussions, trees, len(log)


def test_a_live_month_plans_and_counts_the_per_item_requests(eco_env, e2e, live_source, mock, e2e_registry):
    eco = eco_env()
    events = []
    source = live_source(e2e, progress=events.append)
    tables = source.read_month(source.months()[0])
    models, datasets = tables["hf_models"], tables["hf_datasets"]
    asked = models.filter(pl.col("downloads_last_month") >= huggingface.MIN_DOWNLOADS_FOR_DETAIL)
    assert 0 < asked.height < models.height  # some models are under the threshold, some not
    discussions, trees, _ = _per_item_paths(eco)
    assert discussions == asked.height and trees == asked.height  # one each, nothing for the others
    usage = sum(1 for _, p, *_ in eco.log if p == "/hf/api/models")
    assert usage >= datasets.height > 0  # at least one listing per dataset (more pages for some)
    plan = next(e for e in events if e.platform == "HuggingFace" and e.kind == "plan")
    assert "then per-item requests, counted once the listings are in" in plan.message
    [items] = [e for e in events if e.platform == "HuggingFace" and e.kind == "items"]
    assert items.message.startswith("HuggingFace: listings done; per-item requests: ")
    assert (
        f"models: discussions count and model tree: {asked.height} ({2 * asked.height} requests)"
        in items.message
    )
    assert f"datasets: usage count: {datasets.height} ({datasets.height} requests)" in items.message
    assert items.requests == 2 * asked.height + datasets.height
    # the per-item requests are counted into the tables' manifest rows and the org's progress
    manifest = {r["table"]: r for r in tables["snapshot_manifest"].to_dicts()}
    hf_paths = sum(1 for _, p, *_ in eco.log if p.startswith("/hf/"))
    hf_tables = ("hf_models", "hf_datasets", "hf_census_models", "hf_census_datasets")  # the census too
    assert sum(manifest[t]["requests"] for t in hf_tables) == hf_paths
    done = [e for e in events if e.platform == "HuggingFace" and e.kind == "done"]
    assert done and done[-1].requests == hf_paths
    orgs = [e for e in events if e.platform == "HuggingFace" and e.kind == "org"]
    # one line per registry org, and one for the whole-Hub census (issue 19), which is no org's
    assert len(orgs) == len({o for o, _ in e2e_registry.namespaces("huggingface")}) + 1
    # an org is reported done only after its per-item jobs: the last org line comes with every request
    assert orgs[-1].requests == hf_paths


def test_the_probe_asks_every_per_item_endpoint(eco_env, small_registry):
    eco_env()
    rows = probe.run_probe(
        small_registry[1], platforms=["huggingface"], timeout=2.0, settings={"rate": 1000.0}
    )
    endpoints = {r.endpoint.split(" [")[0]: r for r in rows}
    for name in (
        "model detail (children)",
        "model discussions (count)",
        "dataset usage (models tagged dataset:<id>)",
    ):
        assert endpoints[name].ok and endpoints[name].status.startswith("200"), endpoints[name]


def test_the_probe_names_a_discussions_answer_without_count(eco_env, small_registry, monkeypatch, mock):
    eco_env()
    original = mock.serve_hub_counts

    def without_count(handler, path, q, pairs, headers):
        if path.endswith("/discussions"):
            handler._send(200, {"discussions": []}, headers)
            return True
        return original(handler, path, q, pairs, headers)

    monkeypatch.setattr(mock, "serve_hub_counts", without_count)
    rows = probe.run_probe(
        small_registry[1], platforms=["huggingface"], timeout=2.0, settings={"rate": 1000.0}
    )
    [row] = [r for r in rows if r.endpoint.startswith("model discussions")]
    assert not row.ok and "field 'count' missing" in row.shape
    assert all(r.ok for r in rows if r is not row)
