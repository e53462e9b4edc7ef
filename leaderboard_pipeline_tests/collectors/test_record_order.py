"""The order of a live month's records: the registry's namespace order, then each listing's own order —
never completion order, never alphabetical (docs/data-sources.md, "Record order").

Order matters because the published merge keeps the first row of an item listed under two namespaces of
one org (its labels). On ModelScope the published crawl visited an org's namespaces in the order of its
organisation links (which our registry keeps): in 2025-08-07, ByteDance's `bytedance-research` and
`ByteDance-Seed` hold six models of the same name, listed first under `bytedance-research` as in the
registry, while alphabetical order puts `ByteDance-Seed` first. The archive is read at run time.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.sources.live import LiveSource

REGISTRY = Path(__file__).resolve().parents[2] / "data" / "registry" / "orgs.yaml"
FAST = {"rate": 10_000.0, "burst": 100, "backoff_base": 0.001, "backoff_cap": 0.01, "max_wait": 0.02}
DATE, ORG = "2025-08-07", "ByteDance"
TABLES = {"hf_models": "huggingface", "hf_datasets": "huggingface", "ms_models": "modelscope"}
TABLES["ms_datasets"] = "modelscope"


def _mock():
    spec = importlib.util.spec_from_file_location(
        "mock_ecosystem_order", Path(__file__).with_name("mock_ecosystem.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def collected(reference_archive):
    mock = _mock()
    # latency and many workers: listings complete in an order unrelated to the registry's
    with (
        mock.PublishedMonthEcosystem(DATE, latency_ms=3) as eco,
        mock.env_vars(eco.env()),
    ):
        settings = {**FAST, "read_timeout": 5.0, "concurrency": 4}
        source = LiveSource(
            REGISTRY, None, "off", orgs=[ORG], platform_settings=dict.fromkeys(PLATFORMS, settings)
        )
        return source.read_month(source.months()[0]), eco.published


def test_records_follow_the_registry_then_each_listing(collected):
    tables, published = collected
    registry = load_registry(REGISTRY)
    for table, platform in TABLES.items():
        rows = tables[table].select("namespace", "name").rows()
        assert rows, table
        order = [ns for org, ns in registry.namespaces(platform) if org == ORG]
        seen = list(dict.fromkeys(ns for ns, _ in rows))
        # each namespace's records together, the namespaces in the registry's order
        assert seen == [ns for ns in order if ns in seen], table
        assert len(seen) == len([i for i, (ns, _) in enumerate(rows) if i == 0 or rows[i - 1][0] != ns])
        # within a namespace, the platform's listing order (the mock lists the folder's rows in file order)
        name = "model_name" if table.endswith("models") else "dataset_name"
        for ns in seen:
            listed = [r[name] for r in published.by_ns[table][ns.casefold()]]
            assert [n for s, n in rows if s == ns] == list(dict.fromkeys(listed)), (table, ns)


def test_the_first_row_of_a_same_named_item_is_the_published_crawls(collected):
    """Same-named ModelScope models of one org: the first namespace is the published raw file's."""
    tables, published = collected
    ours: dict[str, list[str]] = defaultdict(list)
    for ns, name in tables["ms_models"].select("namespace", "name").rows():
        ours[name].append(ns)
    theirs: dict[str, list[str]] = defaultdict(list)
    namespaces = set(tables["ms_models"]["namespace"])
    for row in published.rows["ms_models"]:
        if row["repo"] in namespaces and row["repo"] not in theirs[row["model_name"]]:
            theirs[row["model_name"]].append(row["repo"])
    shared = {name for name, nss in ours.items() if len(nss) > 1}
    assert len(shared) >= 6  # bytedance-research and ByteDance-Seed
    assert {ns for name in shared for ns in ours[name]} == {"bytedance-research", "ByteDance-Seed"}
    assert {name: ours[name][0] for name in shared} == {name: theirs[name][0] for name in shared}
    assert {ours[name][0] for name in shared} == {
        "bytedance-research"
    }  # alphabetical would say ByteDance-Seed
