"""A month ranked with platforms missing carries that wherever its ranks appear: the overall, dimension and
org pages, ``api/v1/<month>/*.json`` (a ``gaps`` field, in the schema), the export folder (``gaps``) and
``leaderboard show``; the dimension whose every platform is missing is not ranked, and says so. Ranks
with nothing to resample say "not resampled", never "±0"."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from jsonschema import Draft202012Validator

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.site.api import SCHEMAS
from leaderboard_pipeline.site.exports import export_month
from leaderboard_pipeline.warehouse import read_partitions
from leaderboard_pipeline_tests.site.conftest import GAP_MONTH
from leaderboard_pipeline_tests.site.test_site_pages import tables_of

PROFILE = load_profile(settings.DEFAULT_PROFILE)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_dimension_whose_every_platform_is_missing_is_not_ranked(gap_warehouse):
    model = read_partitions(gap_warehouse, "scores", "model_rank", [GAP_MONTH], PROFILE.name)
    assert model.is_empty(), "nothing but curated constants: not ranked"
    overall = read_partitions(gap_warehouse, "scores", "overall", [GAP_MONTH], PROFILE.name)
    monthly = overall.filter(pl.col("variant") == "monthly")
    assert monthly.height == 6 and monthly["model"].null_count() == 6
    # the overall is the weighted mean of the three dimensions ranked, not of four with model as 0
    expected = (monthly["data"] + monthly["system"] + monthly["benchmark"]) / 3
    assert (monthly["score"] - expected).abs().max() < 1e-12
    data = read_partitions(gap_warehouse, "scores", "data_rank", [GAP_MONTH], PROFILE.name)
    assert data.filter(pl.col("variant") == "monthly").height == 6  # BAAI's datasets are still there
    # the month before is untouched: every dimension ranked
    before = read_partitions(gap_warehouse, "scores", "model_rank", ["2025-02"], PROFILE.name)
    assert before.height > 0


def test_the_overall_page_says_what_the_month_is_missing(gap_site):
    page = _text((gap_site / f"overall-{GAP_MONTH}.html").read_text(encoding="utf-8"))
    assert f"{GAP_MONTH} is ranked with gaps" in page
    assert "Hugging Face was not collected" in page and "OpenDataLab was not collected" in page
    assert f"The model dimension is not ranked in {GAP_MONTH}" in page
    assert "combines data, system, benchmark only" in page
    [ranking, *_] = [t for t in tables_of(gap_site / f"overall-{GAP_MONTH}.html") if "ranking" in t["class"]]
    model_rank = [i for i, (_, a) in enumerate(ranking["head"]) if a.get("data-key") == "rank:model"][0]
    offset = len(ranking["rows"][0]) - (len(ranking["head"]) - 0)
    assert {row[model_rank + offset] for row in ranking["rows"]} == {"–"}
    earlier = _text((gap_site / "overall-2025-02.html").read_text(encoding="utf-8"))
    assert "ranked with gaps" not in earlier, "a gap belongs to its month only"


def test_each_dimension_and_org_page_carries_the_gaps(gap_site):
    model = _text((gap_site / f"model-{GAP_MONTH}.html").read_text(encoding="utf-8"))
    assert (
        f"The model dimension is not ranked in {GAP_MONTH}" in model and "(Hugging Face, ModelScope)" in model
    )
    assert not [t for t in tables_of(gap_site / f"model-{GAP_MONTH}.html") if "ranking" in t["class"]]
    data = _text((gap_site / f"data-{GAP_MONTH}.html").read_text(encoding="utf-8"))
    assert "OpenDataLab was not collected in 2025-03" in data and "Hugging Face was not collected" in data
    system = _text((gap_site / f"system-{GAP_MONTH}.html").read_text(encoding="utf-8"))
    assert "has gaps in other dimensions" in system and "the system numbers have all their sources" in system
    org = _text((gap_site / "org" / f"BAAI-{GAP_MONTH}.html").read_text(encoding="utf-8"))
    assert (
        f"{GAP_MONTH} is ranked with gaps" in org
        and f"The model dimension is not ranked in {GAP_MONTH}" in org
    )


def test_the_api_carries_the_gaps_of_every_ranking_of_the_month(gap_site):
    api = gap_site / "api" / "v1"
    validator = Draft202012Validator(
        json.loads((api / "schema" / "ranking.json").read_text()),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    for ranking in ("overall", "data", "model", "system", "benchmark"):
        document = json.loads((api / GAP_MONTH / f"{ranking}.json").read_text())
        assert not list(validator.iter_errors(document)), ranking
        gaps = document["gaps"]
        assert gaps["unranked"] == ["model"]
        assert [g["platform"] for g in gaps["missing"]] == ["huggingface", "modelscope", "opendatalab"]
        hf = gaps["missing"][0]
        assert sorted(hf["tables"]) == ["hf_datasets", "hf_models"] and sorted(hf["dimensions"]) == [
            "data",
            "model",
        ]
        assert "HTTP 503" in hf["detail"]
    assert json.loads((api / GAP_MONTH / "model.json").read_text())["variants"] == {}
    complete = json.loads((api / "2025-02" / "overall.json").read_text())
    assert complete["gaps"] == {"missing": [], "unranked": []}


def test_the_ranking_schema_requires_the_gaps_and_refuses_unknown_dimensions(gap_site):
    document = json.loads((gap_site / "api" / "v1" / GAP_MONTH / "overall.json").read_text())
    validator = Draft202012Validator(SCHEMAS["ranking"])
    without = {k: v for k, v in document.items() if k != "gaps"}
    assert any("'gaps' is a required property" in e.message for e in validator.iter_errors(without))
    wrong = {**document, "gaps": {**document["gaps"], "unranked": ["models"]}}
    assert list(validator.iter_errors(wrong))


def test_the_export_folder_has_the_gaps(gap_warehouse, tmp_path):
    def read(schema, table):
        return read_partitions(gap_warehouse, schema, table, [GAP_MONTH], PROFILE.name)

    export_month(read, PROFILE, tmp_path)
    gaps = pl.read_csv(tmp_path / "gaps.csv")
    assert gaps.filter(pl.col("kind") == "not ranked")["subject"].to_list() == ["model"]
    assert sorted(gaps.filter(pl.col("kind") == "not collected")["table"].to_list()) == [
        "hf_datasets",
        "hf_models",
        "ms_datasets",
        "ms_models",
        "odl_datasets",
    ]
    assert not (tmp_path / "model-rank.csv").exists()  # no ranking of a dimension not ranked


@pytest.fixture
def on_gap_warehouse(gap_warehouse, tmp_path, monkeypatch):
    import shutil

    path = tmp_path / "demo.duckdb"
    shutil.copy(gap_warehouse, path)
    monkeypatch.setenv(settings.ENV_DB, str(path))


def test_show_prints_the_gaps_and_refuses_the_dimension_not_ranked(on_gap_warehouse, capsys):
    assert main(["show", "--source", "demo", "--month", GAP_MONTH]) == 0
    out = capsys.readouterr().out
    assert "gap: Hugging Face models not collected in 2025-03 (HuggingFace missing:" in out
    assert "gap: model is not ranked in 2025-03: every platform it comes from is missing" in out
    assert main(["show", "--source", "demo", "--month", GAP_MONTH, "--dimension", "model"]) == 2
    err = capsys.readouterr().err
    assert "no monthly ranking for model in 2025-03: every platform it comes from was missing" in err
    assert main(["show", "--source", "demo", "--month", "2025-02", "--dimension", "system"]) == 0
    out = capsys.readouterr().out
    assert "gap:" not in out


def test_ranks_with_nothing_to_resample_say_so_instead_of_a_range_of_one(demo_site, gap_site):
    # the demo's archive-layout months have no code repositories: system is hand inputs only
    page = (demo_site / "system-2025-02.html").read_text(encoding="utf-8")
    assert ">not re&shy;sampled<" in page and "±0" not in page
    data = (demo_site / "data-2025-02.html").read_text(encoding="utf-8")  # resampled: its datasets
    assert re.search(r'class="ci"[^>]*>\d+–\d+<', data) and "sampled</span>" not in data
    # a month with a dimension unranked has no intervals at all: said once, with why
    overall = (gap_site / f"overall-{GAP_MONTH}.html").read_text(encoding="utf-8")
    assert "±0" not in overall and "sampled</span>" not in overall
    assert "Ranks are not resampled this month: a dimension is not ranked" in overall


def test_the_archive_site_says_its_ranks_are_not_the_published_ones_and_how_far(archive_site):
    """The default site of the archive (profile methodology) says it is another method, and the method
    page shows who its ranks move against the published ones (computed from the stored raw tables when
    the warehouse holds no osir-published scores)."""
    index = _text((archive_site / "index.html").read_text(encoding="utf-8"))
    assert "Ranked with profile methodology" in index
    assert "This is not the published leaderboard's method" in index
    method = (archive_site / "method.html").read_text(encoding="utf-8")
    assert 'id="published"' in method and "Overall ranks of 2025-08: published and here" in method
    [table] = [
        t for t in tables_of(archive_site / "method.html") if t["head"][:3] and t["head"][1][0] == "Published"
    ]
    moved = {row[0]: (int(row[1]), int(row[2])) for row in table["rows"]}
    # the published 2025-08 ranking has Meta first; methodology ranks BAAI first (docs/method.md)
    assert moved["Meta"] == (1, 3) and moved["BAAI"] == (5, 1)
    assert "Only 2025-08 here" in _text(method)
