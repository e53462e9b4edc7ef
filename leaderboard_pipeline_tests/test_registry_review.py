"""The registry's code repositories, reviewed against the published evidence lists (read at run time from
the reference archive): every repository they name maps to an org and a category, and coverage per org
and category can be computed for the method page."""

from __future__ import annotations

import polars as pl
import pytest

from leaderboard_pipeline.config.registry import (
    REPO_CATEGORIES,
    RegistryError,
    code_location,
    evidence_urls,
    load_evidence,
    load_registry,
    repo_coverage,
    review_evidence,
)
from leaderboard_pipeline.config.settings import DATA_DIR

REGISTRY = load_registry(DATA_DIR / "registry" / "orgs.yaml")
LISTS = ("resources/202504/infra.txt", "resources/202504/eval.txt", "resources/202412/urls.txt")


@pytest.fixture(scope="module")
def review(reference_archive) -> pl.DataFrame:
    urls = [
        u for name in LISTS for u in evidence_urls((reference_archive / name).read_text(encoding="utf-8"))
    ]
    return review_evidence(REGISTRY, load_evidence(), urls)


def test_every_repository_of_the_evidence_lists_maps_to_an_org(review):
    assert review.filter(pl.col("status") == "unmapped").is_empty(), review.filter(
        pl.col("status") == "unmapped"
    )
    counts = dict(review.group_by("status").len().iter_rows())
    assert counts["repo"] >= 55 and counts["copy"] >= 35 and counts["account"] >= 10
    # what the hand inputs of the system dimension cite for Zhipu, Meta and Huawei is now collected
    collected = set(review.filter(pl.col("status").is_in(["repo", "copy"]))["org"])
    assert {"Zhipu", "Meta", "Huawei", "ShanghaiAILab", "Baidu", "Ali", "LMSYS", "OpenBMB"} <= collected


def test_cited_repositories_name_a_known_org_and_a_reason():
    names = {o.name for o in REGISTRY.orgs}
    for key, entry in load_evidence().cited.items():
        assert entry["org"] in names and entry.get("note"), key
        if entry.get("dimension") in REPO_CATEGORIES:
            assert entry["category"] in REPO_CATEGORIES[entry["dimension"]], key


def test_every_registry_repository_has_a_category_and_one_org():
    repos = REGISTRY.code_repos()
    assert repos and all(r.categories for r in repos)
    assert len({(r.key, r.dimension) for r in repos}) == len(
        repos
    )  # two categories: one repository, one fetch
    pytorch = next(r for r in repos if r.key == "github:pytorch/pytorch")
    assert set(pytorch.categories) == {"Deep Learning Framework", "Operator Library"}


def test_coverage_per_org_and_category():
    coverage = repo_coverage(REGISTRY)
    meta = coverage.filter((pl.col("org") == "Meta") & (pl.col("dimension") == "system"))
    by_category = dict(meta.select("category", "repos").iter_rows())
    assert by_category == {
        "Deep Learning Framework": 1,
        "Operator Library": 2,
        "Parallel Training and Inference Framework": 4,
    }
    assert coverage["repos"].sum() == sum(len(r.categories) for r in REGISTRY.code_repos())
    assert (coverage["github"] + coverage["gitee"] + coverage["gitcode"] == coverage["repos"]).all()


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("https://github.com/PaddlePaddle/Paddle/tree/develop/paddle/phi", ("github", "PaddlePaddle/Paddle")),
        ("https://github.com/mindspore-lab/mindpet.git", ("github", "mindspore-lab/mindpet")),
        ("https://gitcode.com/gh_mirrors/fa/FastChat/overview", ("gitcode", "gh_mirrors/fa/FastChat")),
        ("https://github.com/orgs/facebookresearch/repositories?q=bench", ("github", "facebookresearch")),
        ("https://gitee.com/baidu", ("gitee", "baidu")),
        ("https://www.paddlepaddle.org.cn/", None),
    ],
)
def test_code_locations(url, location):
    assert code_location(url) == location


def test_urls_run_together_or_split_by_a_full_width_comma():
    text = "https://a.org/x https://github.com/o/r\nhttps://b.cn/，https://github.com/o/s\nhttps://gitee.com/a/Bhttps://gitee.com/c/D\n"
    assert evidence_urls(text) == [
        "https://a.org/x",
        "https://github.com/o/r",
        "https://b.cn/",
        "https://github.com/o/s",
        "https://gitee.com/a/B",
        "https://gitee.com/c/D",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("orgs:\n  A: {repos: {system: {Kernels: [github:a/b]}}}\n", r"unknown category 'Kernels'"),
        (
            "orgs:\n  A: {repos: {system: [github:a/b]}}\n  B: {repos: {benchmark: [github:A/B]}}\n",
            r"github:A/B is already listed under org 'A'",
        ),
        (
            "orgs:\n  A: {repos: {system: [github:a/b], benchmark: [github:a/b]}}\n",
            r"repos.benchmark: github:a/b is already listed under system of org 'A'",
        ),
    ],
)
def test_category_and_ownership_errors_name_the_entry(tmp_path, text, message):
    path = tmp_path / "orgs.yaml"
    path.write_text(text)
    with pytest.raises(RegistryError, match=message):
        load_registry(path)
