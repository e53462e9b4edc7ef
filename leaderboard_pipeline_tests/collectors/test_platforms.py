"""Each platform's collector against recorded fixtures (fixtures/<platform>.json)."""

from __future__ import annotations

import pytest

from leaderboard_pipeline.collectors import baai, gitee, github, huggingface, modelscope, opendatalab
from leaderboard_pipeline.collectors.errors import CollectError, ShapeError
from leaderboard_pipeline.collectors.pacing import Counters


def test_hf_models_follow_link_pagination_and_filter(make_client, case):
    transport_cases = case(
        "huggingface",
        "models_page1",
        "models_page2",
        "bge_discussions",
        "bge_children",
        "tiny_discussions",
        "tiny_children",
    )
    client = make_client("huggingface", transport_cases)
    rows = huggingface.collect_models(client, "BAAI", "BAAI")
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
    # discussions and children for every model with >= 50 monthly downloads, whatever its labels (the
    # 135M LM too); Emu3 (12 downloads) is excluded by every profile: nothing asked, unknown
    assert (bge["community"], bge["descendants"]) == (17, 312)
    assert (by_name["tiny-lm-135M"]["community"], by_name["tiny-lm-135M"]["descendants"]) == (0, 0)
    assert by_name["Emu3-Gen"]["community"] is None and by_name["Emu3-Gen"]["descendants"] is None
    assert client.counters.requests == 6


def test_hf_datasets(make_client, case):
    client = make_client("huggingface", case("huggingface", "datasets", "usage_page1", "usage_page2"))
    [row] = huggingface.collect_datasets(client, "BAAI", "BAAI")
    assert row["name"] == "Infinity-Instruct" and row["downloads_last_month"] == 18211
    assert row["link"] == "https://huggingface.co/datasets/BAAI/Infinity-Instruct"
    # models tagged dataset:BAAI/Infinity-Instruct over two pages: 1, 3, 4 (the private 2 and the
    # repeated 3 are not counted); a dataset's community is used by no profile: not asked, unknown
    assert (row["dataset_usage"], row["community"]) == (3, None)


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
    with pytest.raises(CollectError, match="success=False: owner not found"):
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


def test_opendatalab_display_strings_in_the_get_form(make_client, case):
    client = make_client("opendatalab", case("opendatalab", "sdk_not_found", "page0"))
    with client.tally(notes := Counters()):
        rows = opendatalab.collect(client, "12199", "ShanghaiAILab")
    assert [(r["namespace"], r["name"], r["total_downloads"], r["likes"]) for r in rows] == [
        ("OpenDriveLab", "OpenLane", 10300, 12000),
        ("OpenDataLab", "WanJuan1_dot_0", 2048, None),
    ]
    assert rows[0]["tags"] == ["modality:image"]
    # the SDK's form was asked first and did not answer: the GET form is the one recorded
    assert dict(notes.notes) == {"list: GET /api/datasets": 1}
    assert client.counters.failures == 0


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


# -- the variants the official clients allow (docs/data-sources.md, "Official clients") ----------------


def test_hf_detail_without_children_is_unknown_not_zero(make_client, case):
    client = make_client("huggingface", case("huggingface", "bge_no_children"))
    assert huggingface.children_count(client, "BAAI/bge-m3", "BAAI") is None


def test_hf_children_from_the_list_item_needs_no_detail_request(make_client, case):
    pages = case("huggingface", "models_page1", "models_page2")
    for page in pages:
        for item in page["response"]["body"]:
            item["childrenModelCount"] = 7
    client = make_client("huggingface", [*pages, *case("huggingface", "bge_discussions", "tiny_discussions")])
    rows = huggingface.collect_models(client, "BAAI", "BAAI")
    assert {r["descendants"] for r in rows} == {7}
    assert client.counters.requests == 4  # the two list pages and two discussions counts, no detail call


def test_hf_renamed_downloads_field_names_the_field(make_client, case):
    cases = case("huggingface", "datasets")
    for item in cases[0]["response"]["body"]:
        item["downloads_30d"] = item.pop("downloads")
    client = make_client("huggingface", cases)
    with pytest.raises(ShapeError, match=r"item 'BAAI/Infinity-Instruct': field 'downloads' missing"):
        huggingface.collect_datasets(client, "BAAI", "BAAI")


def test_hf_item_of_another_namespace_fails(make_client, case):
    cases = case("huggingface", "datasets")
    cases[0]["response"]["body"][0]["id"] = "mteb/Infinity-Instruct"
    client = make_client("huggingface", cases)
    with pytest.raises(ShapeError, match="listed for author=BAAI but belongs to another namespace"):
        huggingface.collect_datasets(client, "BAAI", "BAAI")


def test_modelscope_without_success_and_with_milliseconds(make_client, case):
    client = make_client("modelscope", case("modelscope", "no_success_milliseconds"))
    [model] = modelscope.collect(client, "models", "BAAI", "BAAI")
    assert (model["created_at"], model["last_modified"]) == ("2024-01-30T03:20:11Z", "2025-05-15T01:09:19Z")
    assert model["total_downloads"] == 1834567
    assert model["parameters"] is None  # no official client reads `params`: absent is unknown


def test_modelscope_datasets_fall_back_to_author_when_owner_is_ignored(make_client, case):
    client = make_client("modelscope", case("modelscope", "datasets_owner_ignored", "datasets_by_author"))
    with client.tally(notes := Counters()):
        [dataset] = modelscope.collect(client, "datasets", "BAAI", "BAAI")
    assert (dataset["namespace"], dataset["name"], dataset["total_downloads"]) == ("BAAI", "COIG-PC", 5500)
    assert dataset["created_at"] == "2024-01-30T03:20:11Z"
    assert dict(notes.notes) == {"owner filter: author=": 1}
    assert client.counters.requests == 2  # one page with owner=, then the listing with author=


def test_modelscope_models_with_owner_ignored_fail_at_once(make_client, case):
    client = make_client("modelscope", case("modelscope", "models_owner_ignored"))
    with pytest.raises(ShapeError) as err:
        modelscope.collect(client, "models", "BAAI", "BAAI")
    message = str(err.value)
    assert "models?owner=BAAI&page_number=1" in message
    assert "item 'damo/nlp_structbert': listed for BAAI but owned by 'damo'" in message
    assert "the server applies none of owner=" in message and "3000" not in message
    assert client.counters.requests == 1  # not 60 pages of the whole platform


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, "not a count >= 0"), ("12", "not a count"), (True, "not a count"), (1.5, "not a count")],
)
def test_modelscope_counters_are_integers_or_null(make_client, case, value, error):
    cases = case("modelscope", "snake_case")
    cases[0]["response"]["body"]["data"]["models"][0]["downloads"] = value
    client = make_client("modelscope", cases)
    with pytest.raises(ShapeError, match=f"field 'downloads' is {error}"):
        modelscope.collect(client, "models", "BAAI", "BAAI")


def test_modelscope_implausible_timestamp_fails(make_client, case):
    cases = case("modelscope", "no_success_milliseconds")
    cases[0]["response"]["body"]["data"]["models"][0]["created_at"] = 1706584811000000  # microseconds
    client = make_client("modelscope", cases)
    with pytest.raises(ShapeError, match="field 'created_at' is not a plausible Unix time"):
        modelscope.collect(client, "models", "BAAI", "BAAI")


def test_github_empty_repo_answers_409_on_commits(make_client, case):
    cases = case("github", "repo", "pulls_none", "contributors_204_empty_repo", "commits_409_empty_repo")
    client = make_client("github", cases)
    row = github.repo_metrics(client, "FlagOpen/FlagEmbedding", "BAAI", "2025-08")
    assert (row["contributors"], row["commits_last_month"], row["open_issues"]) == (0, 0, 612)
    assert client.counters.retries == 0 and client.counters.failures == 0


def test_github_repo_without_a_counter_fails_naming_it(make_client, case):
    cases = case("github", "repo")
    del cases[0]["response"]["body"]["open_issues_count"]
    client = make_client("github", cases)
    with pytest.raises(ShapeError, match="repo FlagOpen/FlagEmbedding: field 'open_issues_count' missing"):
        github.repo_metrics(client, "FlagOpen/FlagEmbedding", "BAAI", "2025-08")


def test_opendatalab_sdk_form_with_type_objects_and_no_code(make_client, case):
    client = make_client("opendatalab", case("opendatalab", "sdk_page0", "sdk_page1"))
    with client.tally(notes := Counters()):
        rows = opendatalab.collect(client, "12199", "ShanghaiAILab")
    assert [(r["namespace"], r["name"], r["total_downloads"], r["likes"]) for r in rows] == [
        ("OpenDriveLab", "OpenLane", 10300, 512),
        ("OpenDriveLab", "OpenScene", 2048, 0),  # 0 likes stays 0, not unknown
    ]
    assert rows[0]["tags"] == ["modality:image", "task_categories:lane-detection"]
    assert rows[1]["tags"] == ["modality:point-cloud", "modality:image"]
    assert rows[0]["link"] == "https://opendatalab.com/OpenDriveLab/OpenLane"
    assert dict(notes.notes) == {"list: POST /api/datasets/list": 1}
    assert client.counters.requests == 2  # no total in the SDK's answer: paged until an empty page


def test_opendatalab_no_form_answering_names_both(make_client, case):
    get_missing = {
        "request": {
            "method": "GET",
            "url": "/api/datasets?createdBy=12199&pageNo=0&pageSize=25&sort=downloadCount",
        },
        "response": {"status": 404, "headers": {}, "body": "<html>not found</html>"},
    }
    client = make_client("opendatalab", [*case("opendatalab", "sdk_not_found"), get_missing])
    with pytest.raises(ShapeError) as err:
        opendatalab.collect(client, "12199", "ShanghaiAILab")
    assert "no list form answered: POST /api/datasets/list: HTTP 404; GET /api/datasets: HTTP 404" in str(
        err.value
    )


def test_opendatalab_item_without_publisher_fails(make_client, case):
    cases = case("opendatalab", "sdk_page0")
    del cases[0]["response"]["body"]["data"]["list"][0]["attrs"]["publisher"]
    cases[0]["response"]["status"] = 200
    client = make_client("opendatalab", [*cases, *case("opendatalab", "sdk_page1")])
    get_missing = {
        "request": {
            "method": "GET",
            "url": "/api/datasets?createdBy=12199&pageNo=0&pageSize=25&sort=downloadCount",
        },
        "response": {"status": 404, "headers": {}, "body": None},
    }
    client._client._transport.cases.append(get_missing)
    with pytest.raises(ShapeError, match="item 'OpenLane': no publisher"):
        opendatalab.collect(client, "12199", "ShanghaiAILab")


def test_baai_without_code(make_client, case):
    client = make_client("baai", case("baai", "no_code"))
    [row] = baai.collect(client, "BAAI", "BAAI")
    assert (row["name"], row["total_downloads"], row["likes"]) == ("BAAI-CCI3-HQ", 249, 6)


@pytest.mark.parametrize("refusal", ["refused_http", "error"])  # HTTP 401, or code 401 inside a 200
def test_baai_refused_anonymous_access_says_what_to_set(make_client, case, monkeypatch, refusal):
    monkeypatch.delenv("BAAI_TOKEN", raising=False)
    monkeypatch.delenv("BAAI_COOKIE", raising=False)
    client = make_client("baai", case("baai", refusal))
    with pytest.raises(CollectError, match="anonymous access refused; set BAAI_TOKEN or BAAI_COOKIE"):
        baai.collect(client, "BAAI", "BAAI")


@pytest.mark.parametrize("refusal", ["refused_http", "error"])
def test_baai_uses_the_session_from_the_environment_once_refused(make_client, case, monkeypatch, refusal):
    monkeypatch.delenv("BAAI_TOKEN", raising=False)
    monkeypatch.setenv("BAAI_COOKIE", "session=s3cret")
    client = make_client("baai", case("baai", refusal, "no_code"))
    [row] = baai.collect(client, "BAAI", "BAAI")
    assert row["total_downloads"] == 249
    first, second = client._client._transport.seen
    assert "cookie" not in first.headers  # anonymous first
    assert second.headers["cookie"] == "session=s3cret"
