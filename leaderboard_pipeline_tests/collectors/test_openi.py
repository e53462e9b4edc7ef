"""The OpenI collector against responses shaped as the official client and Gitea's API define them:
the envelope (code 0, 9004 with HTTP 200, other codes), Gitea's listings (organisation or user, pages,
X-Total-Count, a server cap), private repositories, foreign owners, the bearer token."""

from __future__ import annotations

import httpx
import pytest

from leaderboard_pipeline.collectors import openi
from leaderboard_pipeline.collectors.errors import CollectError


def repo(owner: str, name: str, **extra) -> dict:
    return {
        "id": hash(name) % 1000,
        "owner": {"login": owner},
        "name": name,
        "full_name": f"{owner}/{name}",
        "private": False,
        "stars_count": 5,
        "forks_count": 2,
        "created_at": "2023-04-01T08:00:00+08:00",
        "updated_at": "2025-02-20T08:00:00+08:00",
        **extra,
    }


class Server:
    """A Gitea-like OpenI: ``repos`` per account, ``users`` answer only /users/, ``cap`` per page."""

    def __init__(self, repos: dict[str, list[dict]], users=(), cap=50, lookups=None, total=True):
        self.repos, self.users, self.cap, self.total = repos, set(users), cap, total
        self.lookups = lookups or {}
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        parts = request.url.path.strip("/").split("/")
        assert parts[:2] == ["api", "v1"], request.url
        q = dict(request.url.params)
        if parts[2] in ("orgs", "users"):
            owner = parts[3]
            if (parts[2] == "users") != (owner in self.users) or owner not in self.repos:
                return httpx.Response(404, json={"message": "Not Found"})
            page, limit = int(q["page"]), min(int(q["limit"]), self.cap)
            rows = self.repos[owner][(page - 1) * limit : page * limit]
            headers = {"X-Total-Count": str(len(self.repos[owner]))} if self.total else {}
            return httpx.Response(200, json=rows, headers=headers)
        name = q.get("dataset_name") or q.get("aimodel_name")
        answer = self.lookups.get((parts[2], name), {"code": 9004, "msg": "not found", "data": None})
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)


def client(make_client, server, **overrides):
    return make_client("openi", httpx.MockTransport(server), **overrides)


FOUND = {"code": 0, "msg": "ok", "data": {"id": "a1b2", "can_download": True}}


def test_an_organisations_repositories_with_a_dataset_or_a_model(make_client):
    repos = {"BAAI": [repo("BAAI", f"r{i}") for i in range(5)] + [repo("BAAI", "secret", private=True)]}
    lookups = {
        ("dataset", "BAAI/r0"): FOUND,
        ("dataset", "BAAI/r3"): {"code": "0", "msg": "ok", "data": {"id": "x", "download_count": 42}},
        ("aimodel", "BAAI/r1"): FOUND,
    }
    server = Server(repos, cap=2, lookups=lookups)  # Gitea caps the page below the 50 asked
    c = client(make_client, server)
    datasets = openi.collect(c, "datasets", "BAAI", "BAAI")
    assert [(r["name"], r["downloads"]) for r in datasets] == [("r0", None), ("r3", 42)]
    assert datasets[0]["stars"] == 5 and datasets[0]["forks"] == 2 and datasets[0]["org"] == "BAAI"
    assert datasets[0]["link"] == "https://api.test/BAAI/r0/datasets"
    models = openi.collect(c, "models", "BAAI", "BAAI")
    assert [r["name"] for r in models] == ["r1"]
    lookups_asked = {r.url.params.get("dataset_name") for r in server.seen if r.url.path.endswith("/dataset")}
    assert "BAAI/secret" not in lookups_asked  # a private repository is no public item


def test_a_user_account_is_listed_by_the_user_listing(make_client):
    server = Server({"MindSpore": [repo("MindSpore", "docs")]}, users=("MindSpore",))
    c = client(make_client, server)
    assert [r["full_name"] for r in openi.list_repos(c, "MindSpore", "Huawei")] == ["MindSpore/docs"]
    assert [r.url.path for r in server.seen] == [
        "/api/v1/orgs/MindSpore/repos",
        "/api/v1/users/MindSpore/repos",
    ]
    assert "listing: /users/{user}/repos" in c.counters.notes


def test_without_a_total_paging_runs_to_an_empty_page(make_client):
    server = Server({"o": [repo("o", f"r{i}") for i in range(3)]}, cap=2, total=False)
    assert len(openi.list_repos(make_client("openi", httpx.MockTransport(server)), "o", "O")) == 3


def test_an_unknown_account_fails_naming_the_request(make_client):
    c = client(make_client, Server({}))
    with pytest.raises(CollectError, match=r"OpenI: org 'X': GET https://api.test/api/v1/users/ghost/repos"):
        openi.list_repos(c, "ghost", "X")


def test_a_repository_of_another_owner_is_refused(make_client):
    c = client(make_client, Server({"BAAI": [repo("Other", "r0")]}))
    with pytest.raises(CollectError, match="listed for 'BAAI' but belongs to 'Other/r0'"):
        openi.list_repos(c, "BAAI", "BAAI")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"code": 1001, "msg": "无权限", "data": None}, "code=1001: 无权限"),
        ({"code": 0, "msg": "ok", "data": None}, "no `data` object"),
        ([1, 2], "expected an envelope object"),
        (httpx.Response(404, json={"message": "Not Found"}), "HTTP 404"),  # the endpoint is gone: not "none"
        ({"code": 0, "data": {"id": "x", "download_count": -3}}, "not a count >= 0"),
    ],
)
def test_an_envelope_that_is_not_found_or_ok_is_an_error(make_client, answer, message):
    server = Server({"o": [repo("o", "r")]}, lookups={("dataset", "o/r"): answer})
    c = client(make_client, server)
    with pytest.raises(CollectError, match=message):
        openi.collect(c, "datasets", "o", "O")


def test_not_found_is_code_9004_with_http_200_and_a_missing_code_with_data_is_found(make_client):
    server = Server(
        {"o": [repo("o", "a"), repo("o", "b")]},
        lookups={("dataset", "o/a"): {"code": "9004", "msg": "x"}, ("dataset", "o/b"): {"data": {"id": 1}}},
    )
    assert [r["name"] for r in openi.collect(client(make_client, server), "datasets", "o", "O")] == ["b"]


def test_the_token_goes_as_a_bearer_header_to_openi_only(make_client, monkeypatch):
    monkeypatch.setenv("OPENI_TOKEN", "secret-openi-token")
    server = Server({"o": [repo("o", "a")]}, lookups={("aimodel", "o/a"): FOUND})
    openi.collect(client(make_client, server), "models", "o", "O")
    assert {r.headers.get("authorization") for r in server.seen} == {"Bearer secret-openi-token"}
