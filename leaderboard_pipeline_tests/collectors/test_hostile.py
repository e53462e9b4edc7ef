"""Hostile-but-possible platforms (issue 17): what an account, a platform or a man in the middle can serve
must not leak a token, hang a month, crash a run or reach an output. Each test serves one case from the
mock ecosystem (`hostile.py` switches) through the real collectors; the docstring of each says whether it
failed before issue 17 (the eight ways through) or held already.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import posixpath
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import polars as pl
import pytest

from leaderboard_pipeline.collectors import baai, modelscope, opendatalab
from leaderboard_pipeline.collectors.client import PlatformClient, last_page, next_link
from leaderboard_pipeline.collectors.errors import CollectError
from leaderboard_pipeline.collectors.platforms import PLATFORMS, platform_config
from leaderboard_pipeline.collectors.shape import BadShape, counter
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.sources.live import LiveSource
from leaderboard_pipeline.warehouse import stored_months

HERE = Path(__file__).parent
MIB = 1 << 20
TOKEN = "hf_s3cret_token_never_to_leave"
FAST = {
    "rate": 10_000.0,
    "burst": 100,
    "backoff_base": 0.001,
    "backoff_cap": 0.01,
    "max_wait": 0.02,
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "max_attempts": 2,
}
LISTING = r"GET http://127\.0\.0\.1:\d+/hf/api/models\?author=BAAI&limit=1000&expand=author"
PROBE_HINT = r" \(check them in seconds: leaderboard probe --platform huggingface\)"  # a live month's failure


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"hostile_tests_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


HOSTILE = _load("hostile")
Hostile, Listener = HOSTILE.Hostile, HOSTILE.Listener


@pytest.fixture
def registry(tmp_path) -> Path:
    """One org, one Hugging Face account: the hostile answers and nothing else to wait for."""
    path = tmp_path / "orgs.yaml"
    path.write_text("orgs:\n  BAAI:\n    huggingface: [BAAI]\n")
    return path


@pytest.fixture
def month(eco_env, registry, monkeypatch):
    """month(hostile=..., settings=..., **LiveSource kwargs) -> the tables of a live month from the mock."""
    monkeypatch.setenv("HF_TOKEN", TOKEN)

    def collect(hostile=None, settings=None, mock=None, **kwargs):
        eco = eco_env(hostile=hostile, **(mock or {}))
        source = LiveSource(
            registry,
            None,
            "off",
            platform_settings=dict.fromkeys(PLATFORMS, {**FAST, **(settings or {})}),
            **kwargs,
        )
        collect.eco, collect.source = eco, source
        return source.read_month(source.months()[0])

    return collect


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


# -- 1. credentials go only to their own origin ----------------------------------------------------------


def test_a_next_link_to_another_origin_is_refused_and_gets_no_token(month):
    """Failed before: the Hub's `Link: rel="next"` was followed to any host with `Bearer <HF_TOKEN>`."""
    with Listener() as listener:
        nxt = f"{listener.url}/api/models?author=BAAI&cursor=4"
        with pytest.raises(SourceError) as err:
            month(Hostile(namespace="BAAI", next_link=nxt))
        assert listener.seen == []  # nothing at all reached the other origin
    message = _one_line(err)
    assert message.startswith(
        f"HuggingFace: org 'BAAI': GET {listener.url}/api/models?author=BAAI&cursor=4: "
    )
    assert "refused" in message and "HF_ENDPOINT" in message and TOKEN not in message


def test_a_relative_next_link_resolves_against_the_response():
    """RFC 8288: relative to the page it came with, not appended to the base URL's path."""
    request = httpx.Request("GET", "https://ghe.example/api/v3/orgs/x/repos?page=1")
    resp = httpx.Response(200, headers={"Link": '</api/v3/orgs/x/repos?page=2>; rel="next"'}, request=request)
    assert next_link(resp) == "https://ghe.example/api/v3/orgs/x/repos?page=2"


def test_a_redirect_off_the_origin_is_followed_without_the_token(month, mock):
    """Held before (httpx strips Authorization across origins); now also the cookie and `access_token`."""
    models = [m for m in mock.hf_models("BAAI") if not m["private"]][:2]
    with Listener(models) as listener:
        tables = month(Hostile(namespace="BAAI", redirect=f"{listener.url}/elsewhere?author=BAAI"))
        assert listener.seen and listener.credentials() == []
    assert tables["hf_models"].height == 2  # what the other origin answered, fetched anonymously


def test_an_empty_listing_is_an_empty_table(month):
    """Failed before (found here): an account listing nothing crashed the month
    (`unable to find column "namespace"`)."""
    with Listener() as listener:
        tables = month(Hostile(namespace="BAAI", redirect=f"{listener.url}/empty?author=BAAI"))
    assert tables["hf_models"].is_empty() and tables["model_labels"].height == 0


def test_a_redirect_on_the_origin_keeps_working(month, mock):
    """A renamed repository or account answers a redirect on the same host: followed, data complete."""
    tables = month(Hostile(namespace="BAAI", times=1, redirect="/hf/api/models?author=BAAI&limit=1000"))
    want = {m["id"].split("/")[1] for m in mock.hf_models("BAAI") if not m["private"]}
    assert set(tables["hf_models"]["name"]) == want


def test_the_cookie_does_not_travel_across_a_redirect(eco_env, monkeypatch, tmp_path):
    """Held before: BAAI's session cookie (sent once anonymous access is refused) stays on BAAI's origin."""
    monkeypatch.setenv("BAAI_COOKIE", "session=s3cret")
    registry = tmp_path / "orgs.yaml"
    registry.write_text("orgs:\n  BAAI:\n    baai: [BAAI]\n")
    answer = {"code": 0, "data": {"total": 1, "list": [{"uriName": "x", "downloadNumb": 1}]}}
    with Listener(answer) as listener:
        hostile = Hostile(
            platform="baai", path="/api/datahub", redirect=f"{listener.url}/x", with_credentials=True
        )
        eco_env(baai_login="http", hostile=hostile)
        source = LiveSource(registry, None, "off", platform_settings=dict.fromkeys(PLATFORMS, FAST))
        source.read_month(source.months()[0])
        assert hostile.served >= 1 and listener.seen and listener.credentials() == []


def test_a_pagination_loop_is_an_error_not_a_month_of_requests(month):
    """Failed before (found here): a next link back to the listing was followed for as long as it was
    served (here 50 pages, then the mock gives up)."""
    loop = Hostile(
        namespace="BAAI", next_link="{url}/hf/api/models?author=BAAI&again=1", next_always=True, times=50
    )
    with pytest.raises(
        SourceError, match=r"^HuggingFace: org 'BAAI': GET .*: the page repeats earlier items"
    ):
        month(loop)
    assert loop.served == 2


def test_rate_limit_headers_that_are_not_numbers_are_ignored(month):
    """Failed before (found here): `x-ratelimit-reset: soon` raised a ValueError naming no request."""
    garbage = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "soon", "Retry-After": "1e999"}
    with pytest.raises(SourceError) as err:
        month(Hostile(namespace="BAAI", status=(429, "slow down"), headers=garbage))
    assert err.match(
        rf"^HuggingFace: org 'BAAI': {LISTING}.*: gave up after 2 attempts \(last: HTTP 429\){PROBE_HINT}$"
    )


# -- 2. everything is bounded ------------------------------------------------------------------------------


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_response_that_never_ends_fails_at_the_request_deadline(month, in_headers):
    """Failed before: only each read was timed, so a byte every 0.1 s kept the request alive for ever."""
    started = time.monotonic()
    with pytest.raises(SourceError) as err:
        month(
            Hostile(namespace="BAAI", dribble=0.1, dribble_for=8.0, dribble_headers=in_headers),
            settings={"request_deadline": 0.6},
        )
    took = time.monotonic() - started
    assert took < 6.0, took  # two attempts of 0.6 s, not the server's 8 s each
    assert _one_line(err) and err.match(rf"^HuggingFace: org 'BAAI': {LISTING}.*: gave up after 2 attempts")
    assert "request deadline of 0.6 s" in str(err.value)


def test_the_platform_deadline_ends_the_platform(month):
    """Failed before (no such bound): a platform's month is bounded as a whole, not only each request."""
    with pytest.raises(SourceError) as err:
        month(mock={"latency_ms": 150}, settings={"platform_deadline": 0.4, "max_attempts": 5})
    assert err.match(
        # whichever of the platform's jobs meets the deadline first: an org's listing or the Hub census
        rf"^HuggingFace: org '[^']+': GET .*: stopped: the HuggingFace deadline of 0\.4 s passed{PROBE_HINT}$"
    )


def test_the_month_deadline_ends_every_platform_and_a_gap_is_recorded_when_allowed(month):
    """Failed before (no such bound). Under --allow-missing a bound hit is a recorded gap, as any error."""
    tables = month(Hostile(namespace="BAAI", dribble=0.1), month_deadline=0.8, allow_missing={"huggingface"})
    row = tables["snapshot_manifest"].filter(pl.col("table") == "hf_models").row(0, named=True)
    assert row["status"] == "missing" and "month's deadline" in row["detail"]
    with pytest.raises(SourceError, match=r"^HuggingFace: org 'BAAI': GET .*month's deadline"):
        month(Hostile(namespace="BAAI", dribble=0.1), month_deadline=0.8)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_decompression_bomb_stops_at_the_body_cap(month, encoding):
    """Failed before: the body was inflated whole in memory (1 MB on the wire -> 1 GiB, 3.3 GB peak)."""
    bomb = Hostile(namespace="BAAI", bomb=(encoding, 16 * MIB))
    with pytest.raises(SourceError) as err:
        month(bomb, settings={"max_body": MIB, "read_timeout": 10.0})
    assert err.match(rf"^HuggingFace: org 'BAAI': {LISTING}.*gave up after 2 attempts")
    assert "body larger than 1 MiB after decompression" in _one_line(err)
    assert len(HOSTILE.compressed(encoding, 16 * MIB)) < 64 * 1024  # small on the wire


def test_a_bomb_is_capped_while_recording_cassettes_too(eco_env, registry, tmp_path):
    """Failed before: record mode read the body whole (`response.read()`) before the client saw it."""
    eco_env(hostile=Hostile(namespace="BAAI", bomb=("gzip", 16 * MIB)))
    settings = {**FAST, "max_body": MIB, "read_timeout": 10.0}
    source = LiveSource(registry, tmp_path, "record", platform_settings=dict.fromkeys(PLATFORMS, settings))
    with pytest.raises(SourceError, match=r"body larger than 1 MiB after decompression"):
        source.read_month("2026-12")
    assert not (tmp_path / "2026-12" / "_snapshot.json").exists()  # a failed recording is no month


def test_a_50_mb_body_is_fine(month, mock):
    """Held before: a large honest answer (50 MB of padding around the listing) is read and used."""
    tables = month(Hostile(namespace="BAAI", pad=50 * MIB), settings={"read_timeout": 10.0})
    assert tables["hf_models"].height == len(mock.hf_models("BAAI")) - 1


def test_deep_json_nesting_is_a_named_error(month):
    """Failed before: `RecursionError: maximum recursion depth exceeded while decoding a JSON array`."""
    with pytest.raises(SourceError) as err:
        month(Hostile(namespace="BAAI", nesting=100_000))
    assert err.match(rf"^HuggingFace: org 'BAAI': {LISTING}.*JSON nested deeper than 64 levels")


def test_nesting_prescan():
    from leaderboard_pipeline.collectors.limits import nesting_exceeds

    assert not nesting_exceeds(b'{"a": [1, {"b": "[[[[[[[[[["}], "c": "\\"[[[["}', 3)
    assert nesting_exceeds(b"[[[[]]]]", 3) and not nesting_exceeds(b"[[[]]][[[]]]", 3)
    assert nesting_exceeds(b"[" * 10, 3)  # unclosed brackets nest too: the decoder would recurse
    assert not nesting_exceeds(b'{"a": {"b": {"c": 1}}}', 3) and nesting_exceeds(
        b'{"a": {"b": {"c": []}}}', 3
    )


def test_cancel_stops_a_read_in_flight(eco_env):
    """Failed before: `cancel` only stopped waits, so an interrupted run waited for every read (SIGTERM
    ignored while a collector thread sat in a socket read)."""
    eco = eco_env(hostile=Hostile(namespace="BAAI", dribble=0.1, dribble_for=10.0))
    config = platform_config("huggingface", **{**FAST, "read_timeout": 5.0})
    client = PlatformClient(config)
    threading.Timer(0.5, client.cancel).start()
    started = time.monotonic()
    with pytest.raises(CollectError, match="cancelled"):
        client.get_json("/api/models", org="BAAI", params={"author": "BAAI"})
    assert time.monotonic() - started < 3.0  # 0.5 s, then a quarter second at most (10 s before)
    assert eco.hostile.served == 1
    client.close()


def test_sigterm_stops_a_live_run_within_seconds_and_writes_nothing(eco_env, tmp_path, monkeypatch):
    """Failed before: with a collector thread in a never-ending read, SIGTERM was not acted on (the step
    waited for that read to end: for ever here, 60 s of read timeout at best)."""
    today = datetime.now(UTC).date()
    folder = tmp_path / "inputs" / "snapshots" / today.strftime("%Y-%m-07")
    folder.mkdir(parents=True)
    (folder / "infra-summary.csv").write_text("org,num_operators\nBAAI,10\nAli,3\n")
    (folder / "eval-summary.csv").write_text("org,num_leaderboards\nBAAI,4\nAli,0\n")
    hostile = Hostile(namespace="BAAI", dribble=0.2, dribble_for=90.0)
    eco = eco_env(hostile=hostile)
    fast = {**FAST, "read_timeout": 5.0, "max_attempts": 5}  # the request deadline stays 120 s
    env = {
        **os.environ,
        **eco.env(),
        "LEADERBOARD_INPUTS": str(tmp_path / "inputs"),
        "LEADERBOARD_CASSETTES": "off",
        "LEADERBOARD_HTTP_OVERRIDES": json.dumps(fast),
    }
    root = HERE.parents[1]
    command = [sys.executable, "-m", "leaderboard_pipeline.cli.main", "run", "--source", "live"]
    proc = subprocess.Popen(
        command, env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        started = time.monotonic()
        while hostile.served == 0 and proc.poll() is None and time.monotonic() - started < 120:
            time.sleep(0.1)
        assert hostile.served == 1, proc.communicate()
        time.sleep(0.5)  # the collector thread is inside the never-ending read
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143 and took < 15, (proc.returncode, took, err[-2000:])  # ~1-4 s unloaded
    assert err.strip().splitlines()[-1].startswith("leaderboard: error: interrupted by SIGTERM")
    warehouse = Path(os.environ["LEADERBOARD_DB"])
    assert not warehouse.exists() or stored_months(warehouse, "raw", "snapshot_manifest") == []


# -- 3. numbers are checked where they enter ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "says"),
    [
        ("NaN", "not a count (a float): nan"),
        ("Infinity", "not a count (a float): inf"),
        ("-Infinity", "not a count (a float): -inf"),
        ("1e30", "not a count (a float): 1e+30"),
        ("12.0", "not a count (a float): 12.0"),
        (str(2**63), "larger than any count"),
        (str(2**53), "larger than any count"),
        ("1" + "0" * 5000, "larger than any count (max 2**53-1): <integer of 5001 digits>"),
        ("true", "not a count"),  # held before
        ('"12"', "not a count"),  # held before
        ("-1", "not a count >= 0: -1"),  # held before
    ],
)
def test_a_counter_that_is_not_a_count_is_a_one_line_error_naming_the_field(month, literal, says):
    """Failed before for floats, NaN, Infinity and huge integers (a polars or int() error naming nothing)."""
    with pytest.raises(SourceError) as err:
        month(Hostile(namespace="BAAI", counter=("downloads", literal)))
    assert err.match(rf"^HuggingFace: org 'BAAI': {LISTING}.*: item 'BAAI/[^']+': field 'downloads' is ")
    assert says in _one_line(err)


def test_an_optional_counter_left_out_is_unknown(month):
    """`downloadsAllTime` is optional for the official client: absent or null is null, never 0."""
    tables = month(Hostile(namespace="BAAI", counter=("downloadsAllTime", "null")))
    assert tables["hf_models"]["downloads_all_time"].null_count() == 1


def test_counts_from_headers_and_display_strings_are_bounded():
    """Numbers that do not come as JSON numbers are checked as well (GitHub's last page, OpenDataLab)."""
    resp = httpx.Response(200, headers={"Link": f'<https://x/r?page={"9" * 30}>; rel="last"'})
    with pytest.raises(BadShape, match="is not a count"):
        last_page(resp)
    with pytest.raises(BadShape, match="larger than any count"):
        counter("9" * 40 + "k", "downloadCount", "item 'x'", parse=opendatalab.parse_count)
    assert counter("1.2w", "downloadCount", "item 'x'", parse=opendatalab.parse_count) == 12_000


# -- 4. duplicates are a rule, not a crash -------------------------------------------------------------------


def test_one_id_listed_twice_keeps_the_first_and_says_so(month, mock, caplog):
    """Failed before: `ValueError: zip() argument 3 is shorter than arguments 1-2`."""
    caplog.set_level(logging.WARNING)
    tables = month(Hostile(namespace="BAAI", duplicate=True))
    first = next(m for m in mock.hf_models("BAAI") if not m["private"])
    name = first["id"].split("/")[1]
    rows = tables["hf_models"].filter(pl.col("name") == name)
    assert rows.height == 1 and rows["downloads_last_month"][0] == first["downloads"]
    detail = tables["snapshot_manifest"].filter(pl.col("table") == "hf_models")["detail"][0]
    assert "1 duplicate items dropped, the first listing kept" in detail
    warning = next(r.getMessage() for r in caplog.records if "listed twice" in r.getMessage())
    assert str(first["downloads"]) in warning and str(first["downloads"] + 999_999) in warning


# -- 5. links and names ----------------------------------------------------------------------------------


def _inside(link: str | None, prefix: str) -> bool:
    """Whether a browser resolving `link` (dot segments; %2F is not a separator) stays under `prefix`."""
    if link is None:
        return True
    parts = urlsplit(link)
    path = posixpath.normpath(parts.path) + ("/" if parts.path.endswith("/") else "")
    return f"{parts.scheme}://{parts.netloc}{path}".startswith(prefix)


def test_names_are_stored_as_served_and_links_stay_in_the_namespace(month):
    """Failed before: a model named `../../../../x` linked to another account's page."""
    tables = month(Hostile(namespace="BAAI", names=HOSTILE.HOSTILE_NAMES))
    models = tables["hf_models"]
    assert set(HOSTILE.HOSTILE_NAMES) <= set(models["name"])  # as served, control characters and all
    for name, link in models.select("name", "link").iter_rows():
        assert _inside(link, "https://huggingface.co/BAAI/"), (name, link)
    assert models.filter(pl.col("name") == "..")["link"][0] is None  # a dot segment gets no link at all


@pytest.mark.parametrize("name", ["../../../../other/x", "..", "a/../../b", "x?y#z", "\\..\\..\\evil"])
def test_every_platform_builds_links_inside_the_item_namespace(name):
    """Failed before on ModelScope, BAAI and OpenDataLab too (names pasted into the URL unquoted)."""
    ms = modelscope._record({"id": f"BAAI/{name}", "downloads": 1}, "models", "BAAI")
    assert _inside(ms["link"], "https://modelscope.cn/models/BAAI/"), ms["link"]
    odl = opendatalab._record({"name": f"OpenDataLab/{name}", "downloadCount": 1}, "ShanghaiAILab")
    assert _inside(odl["link"], f"https://opendatalab.com/{odl['namespace']}/"), odl["link"]
    client = PlatformClient(platform_config("baai", **FAST), transport=_baai_answer(name))
    (row,) = baai.collect(client, "BAAI", "BAAI")
    assert row["name"] == name and _inside(row["link"], "https://data.baai.ac.cn/datadetail/"), row["link"]


def _baai_answer(name: str) -> httpx.MockTransport:
    item = {"uriName": name, "downloadNumb": 3, "subscribedNumb": 1}
    return httpx.MockTransport(lambda r: httpx.Response(200, json={"data": {"list": [item], "total": 1}}))
