"""The pieces of taking over the published leaderboard, one by one: which months of an inputs folder are
archive months and which are collected, `inputs new` seeding from a published month (an empty published
cell, columns and orgs we do not know), the published labels by exact key, delta ranks against the last
ranked month, and a month with no platform collected refused (exit 2, naming the platforms)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import Cleaning, load_profile
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.core.cleaning import prepare_labels
from leaderboard_pipeline.core.layers import last_ranked_month
from leaderboard_pipeline.sources.combined import CombinedSource
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.sources.gaps import missing_platforms, refuse_empty_month
from leaderboard_pipeline.sources.hand_inputs import check_month, errors, start_month
from leaderboard_pipeline.sources.live import LiveSource

PROFILE = load_profile("methodology")
REGISTRY = settings.DATA_DIR / "registry" / "orgs.yaml"
EVAL = "org,num_leaderboards\nBAAI,3\nAli,1\n"


def _published_month(root: Path, date: str, infra: str, eval_: str = EVAL) -> Path:
    """A published (archive) month: raw platform files and the hand-entered summaries."""
    folder = root / "snapshots" / date
    (folder / "HuggingFace").mkdir(parents=True)
    record = {
        "repo": "BAAI",
        "model_name": "bge-m3",
        "downloads_last_month": 100,
        "likes": 1,
        "community": 0,
        "descendants": 0,
        "date_crawl": date,
        "link": "https://huggingface.co/BAAI/bge-m3",
    }
    (folder / "HuggingFace" / "raw-models-info.jsonl").write_text(json.dumps(record) + "\n")
    (folder / "infra-summary.csv").write_text(infra, encoding="utf-8-sig")  # published: with a BOM
    (folder / "eval-summary.csv").write_text(eval_, encoding="utf-8")
    return folder


def _links(root: Path) -> None:
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "org-links.json").write_text(
        json.dumps({"BAAI": {"HuggingFace": ["https://huggingface.co/BAAI"]}})
    )


class _Offline:
    """A collector that offers some months and must not be asked for an archive month."""

    name = "live"
    registry_path = REGISTRY

    def __init__(self, months: list[str]):
        self._months = months

    def months(self) -> list[str]:
        return self._months

    def read_month(self, month: str):
        raise AssertionError(f"{month} must not be collected")


def test_a_month_with_raw_files_is_an_archive_month_one_with_hand_inputs_only_is_collected(tmp_path):
    _links(tmp_path)
    _published_month(tmp_path, "2025-07-07", "org,num_operators\nBAAI,5\nAli,\n")
    live_inputs = tmp_path / "snapshots" / "2025-08-07"
    live_inputs.mkdir()
    (live_inputs / "infra-summary.csv").write_text("org,num_operators\nBAAI,5\nAli,0\n")
    (live_inputs / "eval-summary.csv").write_text(EVAL)
    source = CombinedSource(_Offline(["2025-07", "2025-08"]), tmp_path, name="live", published=True)
    assert source.archive() == ["2025-07"] and source.months() == ["2025-07", "2025-08"]
    assert source._collected() == {"2025-08"}, "a month with raw files is never collected, even if offered"
    # the published month keeps its published behaviour: its empty cell is 0, not an error
    tables = source.read_month("2025-07")
    assert tables["hf_models"].height == 1 and tables["org_registry"]["org"].to_list() == ["BAAI"]
    values = dict(tables["system_inputs"].select("org", "value").iter_rows())
    assert values == {"BAAI": 5.0, "Ali": 0.0}
    # without the published organisation links an archive month cannot be attributed: a clear error
    (tmp_path / "config" / "org-links.json").unlink()
    with pytest.raises(SourceError, match=r"org-links.json: not found; 2025-07 is an archive month"):
        source.read_month("2025-07")


def test_inputs_new_seeds_from_a_published_month_and_leaves_no_empty_cell(tmp_path, capsys):
    infra = "org,num_operators,quantum_kernels\nBAAI,5,\nAli,,2\nNotAnOrg,1,1\n"
    _published_month(tmp_path, "2025-07-07", infra, EVAL + "NotAnOrg,0\n")
    started = start_month(tmp_path, "2025-08", PROFILE, REGISTRY, date="2025-08-07")
    assert started.carried_from == {"infra-summary.csv": "2025-07", "eval-summary.csv": "2025-07"}
    folder = started.folder
    rows = (folder / "infra-summary.csv").read_text(encoding="utf-8").splitlines()
    assert rows == ["org,num_operators,quantum_kernels", "BAAI,5,0", "Ali,0,2", "NotAnOrg,1,1"]
    evidence = pl.read_csv(folder / "infra-evidence.csv", infer_schema=False)
    zeroed = evidence.filter(pl.col("note").is_not_null())
    assert sorted(zip(zeroed["org"], zeroed["metric"], strict=True)) == [
        ("Ali", "num_operators"),
        ("BAAI", "quantum_kernels"),
    ]
    assert zeroed["note"][0] == "empty in the published infra-summary.csv of 2025-07, which counted it as 0"
    assert (evidence["carried_from"] == "2025-07").all()
    notes = started.notes["infra-summary.csv"]
    assert notes[0] == "2 empty published cell(s) written as 0 (the published leaderboard's reading)"
    assert "quantum_kernels are not system columns of profile methodology" in notes[1]
    assert "NotAnOrg are not in the registry" in notes[2]
    # what `inputs check` then lists: the carried values and the two things to decide, no empty cell
    problems = check_month(tmp_path, "2025-08", PROFILE, REGISTRY)
    messages = [str(p) for p in errors(problems)]
    assert len(messages) == 3, messages  # the column, and the org in each of the two files
    assert "column 'quantum_kernels' is not a system metric of profile methodology" in messages[0]
    assert all("org 'NotAnOrg' is not in the registry" in m for m in messages[1:])
    assert not [p for p in problems if "empty cell" in p.message]


def test_inputs_new_prints_what_to_review(tmp_path, capsys):
    _published_month(tmp_path, "2025-07-07", "org,num_operators\nBAAI,5\nAli,\n")
    assert main(["inputs", "new", "--month", "2025-08", "--inputs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "infra-summary.csv: carried forward from 2025-07 (2 orgs x 1 columns)" in out
    assert "1 empty published cell(s) written as 0" in out


def test_a_month_of_our_own_is_carried_as_it_is(tmp_path):
    """Only a published month's empty cell is its 0: ours is unknown, and `inputs check` says so."""
    folder = tmp_path / "snapshots" / "2025-07-07"
    folder.mkdir(parents=True)
    (folder / "infra-summary.csv").write_text("org,num_operators\nBAAI,5\nAli,\n")
    (folder / "eval-summary.csv").write_text(EVAL)
    started = start_month(tmp_path, "2025-08", PROFILE, REGISTRY, date="2025-08-07")
    assert (started.folder / "infra-summary.csv").read_text().splitlines()[2] == "Ali,"


def test_published_labels_win_by_exact_key_only_for_profiles_that_use_them():
    labels = pl.DataFrame(
        {
            "month": ["2025-08"] * 4,
            "key": ["BAAI/m", "BAAI/m", "openbmb/x", "OpenBMB/x"],
            "modality": ["Language", "Vector", "Vision", "Speech"],
            "is_large_model": [False, True, True, False],
            "origin": [None, "published", None, "published"],
        }
    )
    published = prepare_labels(labels, load_profile("osir-published").cleaning).exact
    assert dict(published.select("key", "modality").iter_rows()) == {
        "BAAI/m": "Vector",  # the published label, exact key
        "openbmb/x": "Vision",  # ours: the published OpenBMB/x is another key
        "OpenBMB/x": "Speech",
    }
    ours = prepare_labels(labels, PROFILE.cleaning)
    assert dict(ours.exact.select("key", "modality").iter_rows()) == {
        "BAAI/m": "Language",
        "openbmb/x": "Vision",
    }
    assert "origin" not in ours.columns


def test_delta_ranks_compare_with_the_last_ranked_month():
    ranked = ["2025-07", "2025-08", "2026-11"]
    assert last_ranked_month(ranked, "2026-12", Cleaning()) == "2026-11"
    assert last_ranked_month(["2025-07", "2025-08"], "2026-12", Cleaning()) == "2025-08"  # bridged
    published = Cleaning(previous_snapshot="previous_month")
    assert last_ranked_month(["2025-07", "2025-08"], "2026-12", published) is None  # the published rule
    assert last_ranked_month(ranked, "2025-08", published) == "2025-07"
    assert last_ranked_month([], "2025-08", Cleaning()) is None


# -- a month with no platform collected ---------------------------------------------------------------


def _manifest(missing: dict[str, str]) -> pl.DataFrame:
    from leaderboard_pipeline.sources.live import TABLE_PLATFORMS

    rows = []
    for table, platforms in TABLE_PLATFORMS.items():
        gone = [p for p in platforms if p in missing]
        detail = "; ".join(f"{PLATFORMS[p].name} missing: {missing[p]}" for p in gone) or None
        rows.append(
            {
                "month": "2026-12",
                "table": table,
                "status": "missing" if gone else "ok",
                "detail": detail,
                "requests": 1,
            }
        )
    return pl.DataFrame(rows)


def test_missing_platforms_from_the_manifest_name_each_forge():
    manifest = _manifest({"github": "HTTP 503", "huggingface": "HTTP 503"})
    assert sorted(missing_platforms(manifest)) == ["github", "huggingface"]
    everything = _manifest(dict.fromkeys(PLATFORMS, "HTTP 503"))
    with pytest.raises(SourceError) as err:
        refuse_empty_month("2026-12", everything)
    message = str(err.value)
    assert message.startswith("2026-12: no platform's data was collected (")
    assert all(PLATFORMS[p].name in message for p in PLATFORMS) and "\n" not in message
    # one platform answered (GitCode was asked and is not missing): a month with gaps, not refused
    answered = _manifest({p: "HTTP 503" for p in PLATFORMS if p != "gitcode"})
    refuse_empty_month("2026-12", answered.with_columns(requests=pl.lit(3)))
    # nothing asked of a platform is not an answer
    with pytest.raises(SourceError, match="no platform's data was collected"):
        refuse_empty_month("2026-12", answered.with_columns(requests=pl.lit(0)))


def _current_month_inputs(root: Path) -> str:
    today = dt.datetime.now(dt.UTC).date()
    folder = root / "snapshots" / today.strftime("%Y-%m-07")
    folder.mkdir(parents=True)
    (folder / "infra-summary.csv").write_text("org,num_operators\nBAAI,5\n")
    (folder / "eval-summary.csv").write_text("org,num_leaderboards\nBAAI,3\n")
    return today.strftime("%Y-%m")


def test_a_month_where_every_platform_is_missing_is_refused(tmp_path):
    month = _current_month_inputs(tmp_path)
    down = {key: httpx.MockTransport(lambda r: httpx.Response(503)) for key in PLATFORMS}
    fast = dict.fromkeys(PLATFORMS, {"max_attempts": 1, "backoff_base": 0.001, "rate": 1000.0, "burst": 100})
    live = LiveSource(
        REGISTRY,
        None,
        "off",
        orgs=["BAAI"],
        transports=down,
        platform_settings=fast,
        allow_missing=frozenset(PLATFORMS),
    )
    source = CombinedSource(live, tmp_path, name="live", published=True)
    with pytest.raises(
        SourceError,
        match=rf"^{month}: no platform's data was collected \(HuggingFace, ModelScope, GitHub, BAAIData, OpenI missing; first: HuggingFace: org '",
    ):
        source.read_month(month)
    # every platform BAAI has anything on (no OpenDataLab, Gitee or GitCode namespace) failed
    assert set(live.last_run["missing"]) == {"huggingface", "modelscope", "github", "baai", "openi"}


def test_cli_run_of_a_month_with_every_platform_missing_exits_2(tmp_path, monkeypatch, capsys):
    """Recorded with every platform down and allowed missing, replayed: the run fails, nothing stored."""
    from leaderboard_pipeline_tests.scenario.test_takeover import _mock

    mock = _mock()
    month = "2026-11"
    everything = tuple(mock.PREFIXES_TO_KEYS)
    mock.record_month(month, tmp_path / "cassettes", orgs=["BAAI"], down=everything, allow_missing=everything)
    inputs = tmp_path / "inputs" / "snapshots" / f"{month}-07"
    inputs.mkdir(parents=True)
    (inputs / "infra-summary.csv").write_text("org,num_operators\nBAAI,5\n")
    (inputs / "eval-summary.csv").write_text("org,num_leaderboards\nBAAI,3\n")
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    monkeypatch.setenv(settings.ENV_CASSETTE_DIR, str(tmp_path / "cassettes"))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    code = main(["run", "--source", "live", "--months", month, "--allow-missing", ",".join(everything)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert (
        f"{month}: no platform's data was collected (HuggingFace, ModelScope, GitHub, BAAIData, OpenI missing"
        in err
    )
    from leaderboard_pipeline.warehouse import stored_months

    assert stored_months(settings.warehouse_path("live"), "raw", "snapshot_manifest") == []


def test_a_live_source_without_published_months_is_as_before(tmp_path, monkeypatch):
    """A folder of hand inputs only (the usual data/inputs): live serves its collected months only."""
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path))
    _current_month_inputs(tmp_path)
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "off")
    source = make_source("live")
    assert source.archive() == [] and source.months() == [dt.datetime.now(dt.UTC).strftime("%Y-%m")]


def test_the_demo_is_unchanged(tmp_path):
    source = make_source("demo")
    assert source.months() == ["2024-12", "2025-01", "2025-02", "2025-03"]
    assert source.archive() == ["2024-12", "2025-01", "2025-02"]
    assert source.published is False  # the demo's archive-layout months are ours: still checked


def test_errors_that_suggest_a_command_name_the_source(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(settings.ENV_DB, raising=False)
    monkeypatch.setenv(settings.ENV_WAREHOUSE_DIR, str(tmp_path / "warehouse"))
    # a warehouse with the other profile's scores only
    from leaderboard_pipeline_tests.site.conftest import build_warehouse

    build_warehouse(settings.warehouse_path("demo"), "demo", profile=load_profile("osir-published"))
    assert main(["site", "--source", "demo", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "(run `leaderboard run --source demo --profile methodology`)" in err
    assert main(["show", "--source", "archive"]) == 2
    assert "run `leaderboard run --source archive` first" in capsys.readouterr().err


def test_cli_a_month_without_any_model_platform_ranks_the_others_and_says_so(tmp_path, monkeypatch, capsys):
    """Through Dagster (the assets and their blocking checks): a month collected with Hugging Face and
    ModelScope down is ranked in data (BAAI's own datasets), system and benchmark, not in model."""
    from leaderboard_pipeline.warehouse import read_partitions
    from leaderboard_pipeline_tests.scenario.test_takeover import _mock

    mock = _mock()
    down = ("huggingface", "modelscope")
    mock.record_month("2026-09", tmp_path / "cassettes", orgs=["BAAI", "Ali"])
    mock.record_month("2026-10", tmp_path / "cassettes", orgs=["BAAI", "Ali"], down=down, allow_missing=down)
    for month in ("2026-09", "2026-10"):
        folder = tmp_path / "inputs" / "snapshots" / f"{month}-07"
        folder.mkdir(parents=True)
        (folder / "infra-summary.csv").write_text("org,num_operators\nBAAI,5\nAli,3\n")
        (folder / "eval-summary.csv").write_text("org,num_leaderboards\nBAAI,3\nAli,1\n")
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    monkeypatch.setenv(settings.ENV_CASSETTE_DIR, str(tmp_path / "cassettes"))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    assert main(["run", "--source", "live", "--allow-missing", ",".join(down)]) == 0
    out = capsys.readouterr().out
    assert (
        "2026-10 is ranked with gaps: Hugging Face datasets, Hugging Face models, ModelScope datasets, "
        "ModelScope models not collected" in out
    )
    assert "not ranked this month: model (every platform it comes from is missing)" in out
    db = settings.warehouse_path("live")
    assert read_partitions(db, "scores", "model_rank", ["2026-10"], "methodology").is_empty()
    ranked = read_partitions(db, "scores", "overall", ["2026-10"], "methodology")
    assert sorted(ranked.filter(pl.col("variant") == "monthly")["org"]) == ["Ali", "BAAI"]
    assert read_partitions(db, "scores", "data_rank", ["2026-10"], "methodology").height > 0
    assert main(["show", "--source", "live", "--month", "2026-10"]) == 0
    assert "gap: model is not ranked in 2026-10" in capsys.readouterr().out
