"""Each platform's collector against recorded fixtures (fixtures/<platform>.json)."""

from __future__ import annotations

import pytest

from leaderboard_pipeline.collectors import baai, gitee, github, huggingface, modelscope, opendatalab
from leaderboard_pipeline.collectors.http import CollectError


def _large_by_params(records):
    return [r["pipeline_tag"] != "text-generation" or (r["parameters"] or 0) >= 500e6 for r in records]


def test_hf_models_follow_link_pagination_and_filter(make_client, case):
    transport_cases = case("huggingface", "models_page1", "models_page2", "bge_children")
    client = make_client("huggingface", transport_cases)
    rows = huggingface.collect_models(client, "BAAI", "BAAI", _large_by_params)
    by_name = {r["name"]: r for r in rows}
    # private dropped, the repeated bge-m3 (same _id on page 2) deduplicated
    assert sorted(by_name) == ["Emu3-Gen", "bge-m3", "tiny-lm-135M"]
    bge = by_name["bge-m3"]
    assert (bge["downloads_last_month"], bge["downloads_all_time"], bge["likes"]) == (5123456, 98765432, 2100)
    assert (bge["parameters"], bge["library"], bge["pipeline_tag"]) == (
        567754752,
        "sentence-transformers",
        "sentence-similarity",
    )
    assert bge["link"] == "https://huggingface.co/BAAI/bge-m3"
    # children only for large models with >= 50 downloads: bge yes, 135M LM (not large) and Emu3 (12 dl) no
    assert bge["descendants"] == 312
    assert by_name["tiny-lm-135M"]["descendants"] is None and by_name["Emu3-Gen"]["descendants"] is None
    assert client.counters.requests == 3


def test_hf_datasets(make_client, case):
    client = make_client("huggingface", case("huggingface", "datasets"))
    [row] = huggingface.collect_datasets(client, "BAAI", "BAAI")
    assert row["name"] == "Infinity-Instruct" and row["downloads_last_month"] == 18211
    assert (
        row["dataset_usage"] is None
        and row["link"] == "https://huggingface.co/datasets/BAAI/Infinity-Instruct"
    )


def test_hf_non_array_payload_is_an_error(make_client, case):
    bad = case("huggingface", "datasets")
    bad[0]["response"]["body"] = {"error": "Invalid expand"}
    client = make_client("huggingface", bad)
    with pytest.raises(CollectError, match="expected a JSON array"):
        huggingface.collect_datasets(client, "BAAI", "BAAI")


def test_modelscope_snake_and_pascal_case(make_client, case):
    client = make_client("modelscope", case("modelscope", "snake_case", "pascal_case"))
    [model] = modelscope.collect(client, "models", "BAAI", "BAAI")
    assert (model["namespace"], model["name"], model["total_downloads"], model["likes"]) == (
        "BAAI",
        "bge-m3",
        1834567,
        120,
    )
    assert model["pipeline_tag"] == "sentence-embedding" and model["parameters"] == 567754752
    [dataset] = modelscope.collect(client, "datasets", "BAAI", "BAAI")
    assert (dataset["namespace"], dataset["name"], dataset["total_downloads"], dataset["likes"]) == (
        "BAAI",
        "COIG-PC",
        5500,
        42,
    )
    assert dataset["created_at"] == "2024-01-30T03:20:11Z"  # Unix seconds converted


def test_modelscope_page_ending_exactly_at_total(make_client, case):
    client = make_client("modelscope", case("modelscope", "exact_page_1", "exact_page_2"))
    rows = modelscope.collect(client, "models", "iic", "Ali")
    assert len(rows) == 100 and client.counters.requests == 2  # no third, empty page requested


def test_modelscope_success_false(make_client, case):
    client = make_client("modelscope", case("modelscope", "failure"))
    with pytest.raises(CollectError, match="success=false: owner not found"):
        modelscope.collect(client, "models", "nobody", "Ali")


def test_modelscope_3000_cap_is_refused_loudly(make_client, monkeypatch, case):
    monkeypatch.setattr(modelscope, "MAX_ITEMS", 50)
    client = make_client("modelscope", case("modelscope", "exact_page_1"))
    with pytest.raises(CollectError, match="more than 50 models"):
        modelscope.collect(client, "models", "iic", "Ali")


def test_github_repo_metrics(make_client, case):
    cases = case("github", "repo", "pulls", "contributors", "commits_202", "commits_one")
    client = make_client("github", cases)
    row = github.repo_metrics(client, "FlagOpen/FlagEmbedding", "BAAI", "2025-08")
    assert row == {
        "repo": "FlagOpen/FlagEmbedding",
        "stars": 10432,
        "forks": 765,
        "open_issues": 612 - 72,  # open_issues_count includes the 72 open PRs
        "contributors": 187,  # from Link rel="last"
        "commits_last_month": 1,  # no Link: the body length
    }


def test_github_too_large_contributors_and_empty_repo(make_client, case):
    cases = case("github", "repo", "pulls", "contributors_too_large", "commits_empty_repo")
    client = make_client("github", cases)
    row = github.repo_metrics(client, "FlagOpen/FlagEmbedding", "BAAI", "2025-08")
    assert row["contributors"] is None and row["commits_last_month"] == 0
    assert client.counters.retries == 0  # the "too large" 403 is a permanent answer


def test_github_org_repos_follow_link(make_client, case):
    client = make_client("github", case("github", "org_repos_page1", "org_repos_page2"))
    repos = github.list_org_repos(client, "FlagOpen", "BAAI")
    assert len(repos) == 101 and repos[-1]["full_name"] == "FlagOpen/FlagGems"


def test_github_month_window():
    assert github.month_window("2025-01") == ("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z")
    assert github.month_window("2025-08") == ("2025-07-01T00:00:00Z", "2025-08-01T00:00:00Z")


def test_gitee_repo_with_query_token(make_client, monkeypatch, case):
    monkeypatch.setenv("GITEE_TOKEN", "tok")
    client = make_client("gitee", case("gitee", "repo"))
    row = gitee.repo_metrics(client, "mindspore/mindspore", "Huawei")
    assert (row["stars"], row["forks"], row["open_issues"]) == (4500, 3000, 1500)
    assert client._client._transport.seen[0].url.params["access_token"] == "tok"


def test_gitee_org_repos_until_short_page(make_client, case):
    client = make_client("gitee", case("gitee", "org_page1", "org_page2"))
    assert len(gitee.list_org_repos(client, "mindspore", "Huawei")) == 101


def test_gitcode_repo_and_unauthorized(make_client, monkeypatch, case):
    monkeypatch.setenv("GITCODE_TOKEN", "gc")
    client = make_client("gitcode", case("gitee", "gitcode_repo"))
    assert gitee.repo_metrics(client, "Ascend/MindSpeed", "Huawei")["stars"] == 1200
    assert client._client._transport.seen[0].headers["Authorization"] == "Bearer gc"
    client = make_client("gitcode", case("gitee", "gitcode_unauthorized"))
    with pytest.raises(CollectError, match=r"GitCode: org 'Huawei': GET .*/repos/Ascend/MindSpeed: HTTP 401"):
        gitee.repo_metrics(client, "Ascend/MindSpeed", "Huawei")


def test_baai_offset_paging(make_client, case):
    client = make_client("baai", case("baai", "page1", "page2"))
    rows = baai.collect(client, "BAAI", "BAAI")
    assert [r["name"] for r in rows] == ["BAAI-CCI3-HQ", "Infinity-Instruct", "OpenSeek-Eval"]
    assert rows[0]["total_downloads"] == 249 and rows[0]["likes"] == 6 and rows[0]["org"] == "BAAI"
    assert rows[0]["link"] == "https://data.baai.ac.cn/datadetail/BAAI-CCI3-HQ"


def test_baai_error_envelope(make_client, case):
    client = make_client("baai", case("baai", "error"))
    with pytest.raises(CollectError, match="BAAIData: org 'BAAI'.*unexpected envelope"):
        baai.collect(client, "BAAI", "BAAI")


def test_opendatalab_display_strings(make_client, case):
    client = make_client("opendatalab", case("opendatalab", "page0"))
    rows = opendatalab.collect(client, "12199", "ShanghaiAILab")
    assert [(r["namespace"], r["name"], r["total_downloads"], r["likes"]) for r in rows] == [
        ("OpenDriveLab", "OpenLane", 10300, 12000),
        ("OpenDataLab", "WanJuan1_dot_0", 2048, None),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", 1234),
        ("10.3k", 10300),
        ("1.2w", 12000),
        ("3万", 30000),
        ("2M", 2000000),
        ("-", None),
        (None, None),
        (7, 7),
    ],
)
def test_parse_count(text, value):
    assert opendatalab.parse_count(text) == value
