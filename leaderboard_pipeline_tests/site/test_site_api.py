"""The open data API: every file valid against its JSON Schema, its ranks equal to the exported CSVs for
every month of the archive site, and the CSV/Parquet downloads identical to ``leaderboard export``."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from jsonschema import Draft202012Validator

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.site.api import SCHEMAS
from leaderboard_pipeline.site.exports import export_month
from leaderboard_pipeline.warehouse import read_partitions, stored_months

RANKINGS = ("overall", "data", "model", "system", "benchmark")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _validate_all(site: Path) -> int:
    api = site / "api" / "v1"
    validators = {}
    for name in SCHEMAS:
        schema = _load(api / "schema" / f"{name}.json")
        Draft202012Validator.check_schema(schema)
        validators[name] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    checked = 0
    for path in sorted(api.rglob("*.json")):
        relative = path.relative_to(api)
        if relative.parts[0] == "schema":
            continue
        kind = (
            "index" if relative.name == "index.json" else "org" if relative.parts[0] == "orgs" else "ranking"
        )
        errors = sorted(validators[kind].iter_errors(_load(path)), key=lambda err: list(err.path))
        assert not errors, f"{relative}: {errors[0].message} at {list(errors[0].path)}"
        checked += 1
    return checked


def test_every_api_file_of_the_archive_site_matches_its_schema(archive_site):
    index = _load(archive_site / "api" / "v1" / "index.json")
    checked = _validate_all(archive_site)
    assert checked == 1 + len(index["months"]) * len(RANKINGS) + len(index["orgs"])
    assert index["source"] == "archive" and index["profile"]["name"] == settings.DEFAULT_PROFILE
    assert index["code_version"]["package"] == "0.1.0"
    for org in index["orgs"]:
        assert (archive_site / "api" / "v1" / org["file"]).is_file()


def test_the_api_carries_the_rank_intervals_of_the_score_tables(trust_site, demo_site):
    assert _validate_all(trust_site) > 0 and _validate_all(demo_site) > 0
    month = _load(trust_site / "api" / "v1" / "index.json")["latest"]
    rows = _load(trust_site / "api" / "v1" / month / "model.json")["variants"]["monthly"]
    assert all(r["rank_low"] == max(r["rank"] - 1, 1) and r["rank_high"] == r["rank"] + 1 for r in rows)
    # the demo's methodology profile computes them: each interval holds the rank
    computed = _load(demo_site / "api" / "v1" / month / "model.json")["variants"]["monthly"]
    assert all(r["rank_low"] <= r["rank"] <= r["rank_high"] for r in computed)
    assert all(r["rank_best_loo"] <= r["rank"] <= r["rank_worst_loo"] for r in computed)


def test_a_schema_rejects_what_the_api_must_never_write(archive_site):
    """The schemas are not vacuous: a 0-based rank, an unknown field or a string score fail."""
    api = archive_site / "api" / "v1"
    validator = Draft202012Validator(_load(api / "schema" / "ranking.json"))
    month = _load(api / "index.json")["latest"]
    document = _load(api / month / "model.json")
    row = document["variants"]["monthly"][0]
    for broken in ({**row, "rank": 0}, {**row, "score": "0.5"}, {**row, "weight": 1}):
        bad = {**document, "variants": {"monthly": [broken]}}
        assert list(validator.iter_errors(bad)), broken


def _reader(warehouse: Path, month: str):
    def read(schema: str, table: str):
        return read_partitions(warehouse, schema, table, [month], settings.DEFAULT_PROFILE, read_only=True)

    return read


def test_api_ranks_equal_the_exported_csvs_for_every_month(archive_site, tmp_path):
    warehouse = archive_site.parent / "archive.duckdb"
    profile = load_profile(settings.DEFAULT_PROFILE)
    months = stored_months(warehouse, "scores", "overall", profile.name)
    api = archive_site / "api" / "v1"
    assert _load(api / "index.json")["months"] == months
    compared = 0
    for month in months:
        exported = tmp_path / month
        written = export_month(_reader(warehouse, month), profile, exported, "csv")
        for ranking in RANKINGS:
            document = _load(api / month / f"{ranking}.json")
            for variant, rows in document["variants"].items():
                stem = f"{ranking}-{'rank' if variant == 'monthly' else 'accumulated-rank'}"
                if not (exported / f"{stem}.csv").exists():
                    continue  # system and benchmark publish no accumulated file
                csv = pl.read_csv(exported / f"{stem}.csv")
                expected = dict(zip(csv["org"], csv["rank"], strict=True))
                assert {r["org"]: r["rank"] for r in rows} == expected, (month, ranking, variant)
                if "delta_rank" in csv.columns:
                    deltas = dict(zip(csv["org"], csv["delta_rank"], strict=True))
                    assert {r["org"]: r["delta_rank"] for r in rows} == deltas, (month, ranking, variant)
                compared += 1
        # The site's downloads are the same files `leaderboard export` writes.
        for path in written:
            relative = path.relative_to(exported)
            assert (archive_site / "downloads" / month / relative).read_bytes() == path.read_bytes(), relative
        assert (archive_site / "downloads" / month / "model-rank.parquet").is_file()
    assert compared == len(months) * 8  # 5 monthly + 3 accumulated rankings


def test_org_history_is_every_stored_rank_of_the_org(archive_site):
    warehouse = archive_site.parent / "archive.duckdb"
    overall = read_partitions(warehouse, "scores", "overall", None, settings.DEFAULT_PROFILE, read_only=True)
    document = _load(archive_site / "api" / "v1" / "orgs" / "BAAI.json")
    stored = overall.filter(pl.col("org") == "BAAI")
    history = [h for h in document["history"] if h["ranking"] == "overall"]
    assert len(history) == stored.height
    by_key = {(h["month"], h["variant"]): h["rank"] for h in history}
    assert all(by_key[(r["month"], r["variant"])] == r["rank"] for r in stored.iter_rows(named=True))
    latest = document["months"][-1]
    assert document["latest"]["month"] == latest
    assert document["latest"]["overall"]["rank"] == by_key[(latest, "monthly")]


@pytest.mark.parametrize("kind", ["count", "flag"])
def test_whole_counts_are_json_integers_and_unknown_is_null(archive_site, kind):
    month = _load(archive_site / "api" / "v1" / "index.json")["latest"]
    document = _load(archive_site / "api" / "v1" / month / "system.json")
    columns = [m["column"] for m in document["metrics"] if m["kind"] == kind]
    assert columns
    for row in document["variants"]["monthly"]:
        for column in columns:
            value = row["metrics"][column]["value"]
            assert value is None or isinstance(value, int), (row["org"], column, value)
