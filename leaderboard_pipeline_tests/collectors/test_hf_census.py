"""The whole-Hub census collector: base models from tags, pages by cursor, and a pagination or an item the
collector must not trust (a link to another host, a loop, an id without a namespace, a missing counter)."""

from __future__ import annotations

import httpx
import pytest

from leaderboard_pipeline.collectors import hf_census
from leaderboard_pipeline.collectors.errors import CollectError
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS


@pytest.mark.parametrize(
    ("tags", "bases", "relation"),
    [
        (
            ["base_model:meta-llama/Llama-3.1-8B", "base_model:finetune:meta-llama/Llama-3.1-8B"],
            ["meta-llama/Llama-3.1-8B"],
            "finetune",
        ),
        (["base_model:merge:a/x", "base_model:merge:b/y", "base_model:a/x"], ["a/x", "b/y"], "merge"),
        (
            ["base_model:quantized:q/m", "base_model:adapter:r/n"],
            ["q/m", "r/n"],
            "adapter",
        ),  # first of RELATIONS
        (["base_model:gpt2"], ["gpt2"], None),  # a legacy id without a namespace, as written
        (["base_model:", "base_model:finetune:", "base_model:a b/c", "base_model:x:y/z", 7, None], [], None),
        (["license:mit", "region:us"], [], None),
        (None, [], None),
        (
            [f"base_model:merge:o/m{i}" for i in range(50)],
            [f"o/m{i}" for i in range(hf_census.MAX_BASES)],
            "merge",
        ),
    ],
)
def test_base_models_come_from_the_tags(tags, bases, relation):
    assert hf_census.base_models(tags) == (bases, relation)


def item(rid: str, downloads=1, likes=0, tags=None, **extra) -> dict:
    return {
        "_id": rid,
        "id": rid,
        "downloads": downloads,
        "likes": likes,
        "createdAt": "2025-01-01T00:00:00.000Z",
        "private": False,
        "tags": tags or [],
        **extra,
    }


class Pages:
    """Serves ``pages`` in order through cursors; ``next_of(i)`` may replace the next link."""

    def __init__(self, pages: list[list[dict]], next_of=None):
        self.pages, self.next_of, self.seen = pages, next_of, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        i = int(request.url.params.get("cursor", 0))
        headers = {}
        if i + 1 < len(self.pages):
            link = self.next_of(i) if self.next_of else None
            link = link or f"https://api.test{request.url.path}?cursor={i + 1}"
            headers["Link"] = f'<{link}>; rel="next"'
        return httpx.Response(200, json=self.pages[i], headers=headers)


def test_every_page_is_read_into_compact_rows(make_client):
    server = Pages(
        [
            [item("a/one", 5, 1, ["base_model:finetune:b/base"]), item("a/secret", private=True)],
            [item("b/base", 100, 9), item("a/one", 5, 1)],  # a repeat across pages counts once
        ]
    )
    frame = hf_census.census(make_client("huggingface", httpx.MockTransport(server)), "models")
    assert frame.columns == [
        c for c in RAW_SCHEMAS["hf_census_models"] if c not in ("month", "registry_org", "registry_platform")
    ]
    assert frame.select(
        "namespace", "name", "downloads_last_month", "base_models", "base_relation"
    ).rows() == [
        ("a", "one", 5, ["b/base"], "finetune"),
        ("b", "base", 100, [], None),
    ]
    first = server.seen[0].url
    assert first.path == "/api/models" and "author" not in first.params
    assert first.params.get_list("expand") == hf_census.EXPAND["models"] and first.params["limit"] == "1000"
    assert "expand" not in server.seen[1].url.params  # the next link carries every parameter itself


def test_datasets_are_asked_without_tags(make_client):
    server = Pages([[{k: v for k, v in item("d/x", 3).items() if k != "tags"}]])
    frame = hf_census.census(make_client("huggingface", httpx.MockTransport(server)), "datasets")
    assert frame.rows() == [("d", "x", 3, 0, "2025-01-01T00:00:00.000Z")]
    assert "tags" not in server.seen[0].url.params.get_list("expand")


@pytest.mark.parametrize(
    ("pages", "next_of", "message"),
    [
        (
            [[item("a/x")], [item("a/y")]],
            lambda i: "https://evil.test/api/models?cursor=1",
            "is not HuggingFace.s base URL https://api.test",
        ),
        (
            [[item("a/x")], [item("a/y")], [item("a/z")]],
            lambda i: "https://api.test/api/models?cursor=1",
            "the listing does not end: its next page link repeats a page",
        ),
        ([[item("no-namespace")]], None, "field 'id' is not 'namespace/name'"),
        ([[{"id": "a/x", "likes": 1}]], None, "field 'downloads' missing"),
        ([[item("a/x", downloads=-1)]], None, "not a count >= 0"),
        ([{"error": "rate limited"}], None, "expected a JSON array"),
    ],
)
def test_what_the_census_must_not_trust_fails_naming_the_request(make_client, pages, next_of, message):
    server = Pages(pages, next_of)
    client = make_client("huggingface", httpx.MockTransport(server))
    with pytest.raises(CollectError, match=message) as err:
        hf_census.census(client, "models")
    # the request named: the one answered, or the link refused before anything was sent to it
    assert "HuggingFace: org '(Hub census)': GET https://" in str(err.value)
    assert {r.url.host for r in server.seen} == {"api.test"}


def test_max_pages_stops_early(make_client):
    server = Pages([[item("a/x")], [item("a/y")]])
    frame = hf_census.census(
        make_client("huggingface", httpx.MockTransport(server)), "models", limit=1, max_pages=1
    )
    assert frame.height == 1 and len(server.seen) == 1
