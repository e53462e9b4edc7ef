"""Issue 19's "done when", end to end through the `leaderboard` command: two live months recorded from the
mock ecosystem (the first a baseline, the second ranked) store OpenI items and a Hub census;
`leaderboard candidates` lists the accounts the mock plants outside the registry and none of the
registry's; the methodology export carries derivative reach and the share of the Hub, non-null where the
mock plants derivatives; `leaderboard probe` reports the OpenI and census endpoints in shape."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.warehouse import read_partitions

HERE = Path(__file__).parent
MONTHS = ("2026-10", "2026-11")
ORGS = ["BAAI", "Ali", "Baidu"]  # the scenario's hand inputs rank these three
REGISTRY = settings.DATA_DIR / "registry" / "orgs.yaml"


def _mock():
    spec = importlib.util.spec_from_file_location(
        "mock_ecosystem_beyond", HERE / "collectors" / "mock_ecosystem.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Two consecutive months recorded from the mock with every part (census, OpenI), three orgs."""
    mock = _mock()
    root = tmp_path_factory.mktemp("beyond") / "cassettes"
    for month in MONTHS:
        mock.record_month(month, root, orgs=ORGS)
    return mock, root


@pytest.fixture
def machine(recorded, tmp_path, monkeypatch):
    mock, cassettes = recorded
    for name in (settings.ENV_DB, "DAGSTER_HOME", settings.ENV_SOURCE, settings.ENV_PROFILE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.ENV_WAREHOUSE_DIR, str(tmp_path / "warehouse"))
    monkeypatch.setenv(settings.ENV_DAGSTER_DIR, str(tmp_path / "dagster"))
    monkeypatch.setenv(settings.ENV_CASSETTE_DIR, str(cassettes))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "replay")
    for month in MONTHS:
        shutil.copytree(
            HERE / "scenario" / "inputs" / "snapshots" / f"{month}-07",
            tmp_path / "inputs" / "snapshots" / f"{month}-07",
        )
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    return mock, tmp_path


def ok(capsys, *args: str) -> str:
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 0, f"leaderboard {' '.join(args)}: {captured.err}"
    return captured.out


def candidate_names(out: str) -> dict[str, list[str]]:
    """dimension -> the accounts listed as candidates (lines "  <rank>  <account>  score ...")."""
    names: dict[str, list[str]] = {}
    dimension = None
    for line in out.splitlines():
        if line.endswith("accounts outside the registry in the top 10"):
            dimension = line.split()[0]
        elif dimension and line.strip()[:1].isdigit() and "score" in line:
            names.setdefault(dimension, []).append(line.split()[1])
    return names


def test_done_when(machine, capsys):
    mock, root = machine
    ok(capsys, "run", "--source", "live", "--months", f"{MONTHS[0]}..{MONTHS[1]}")
    db = settings.warehouse_path("live")
    registry = load_registry(REGISTRY)

    # OpenI items and a census are stored, as the mock serves them
    expected = mock.expected_rows(registry.subset(ORGS), MONTHS[1])
    for table in ("openi_models", "openi_datasets", "hf_census_models", "hf_census_datasets"):
        stored = read_partitions(db, "raw", table, [MONTHS[1]], None)
        assert stored.height == expected[table] > 0, table

    # the candidates: the planted accounts, never a registry account (any platform, any letter case)
    out = ok(capsys, "candidates", "--source", "live", "--top", "10")
    names = candidate_names(out)
    assert set(names["model"]) == set(mock.hub.PLANTED_MODEL_ACCOUNTS)
    assert set(names["data"]) == set(mock.hub.PLANTED_DATA_ACCOUNTS)
    registry_accounts = {ns.casefold() for o in registry.orgs for nss in o.namespaces.values() for ns in nss}
    assert not {n.casefold() for ns in names.values() for n in ns} & registry_accounts
    assert f"not a candidate: {mock.hub.ELSEWHERE_ACCOUNT} ranks" in out  # Zhipu's ModelScope namespace
    for account in mock.hub.PLANTED_MODEL_ACCOUNTS:
        assert f"  {account}:\n    huggingface: [{account}]\n" in out  # the entry to paste

    # the methodology export: derivative reach and the share of the Hub, non-null where derivatives are planted
    ok(capsys, "export", "--source", "live", "--month", MONTHS[1], "--out", str(root / "export"))
    model = {r["org"]: r for r in csv.DictReader((root / "export" / "model-summary.csv").open())}
    data = {r["org"]: r for r in csv.DictReader((root / "export" / "data-summary.csv").open())}
    planted_bases = {"BAAI", "Ali"}  # the mock's planted fine-tunes and quantisations build on these
    for org in ORGS:
        for column in ("derivative_models", "derivative_downloads", "hub_model_share", "num_openi_models"):
            assert model[org][column] != "", (org, column)
        assert data[org]["hub_dataset_share"] != "" and data[org]["num_openi_datasets"] != ""
        assert (float(model[org]["derivative_models"]) > 0) == (org in planted_bases), org
    assert float(model["BAAI"]["num_openi_models"]) > 0  # BAAI's OpenI account is in the registry
    ranked = read_partitions(db, "scores", "model_normalised", [MONTHS[1]], "methodology")
    assert {"derivative_models", "derivative_downloads"} <= set(ranked["metric"])  # scored
    assert "hub_model_share" not in set(ranked["metric"])  # shown, not scored

    # the share of the Hub on the site's org page and in its API
    ok(capsys, "site", "--source", "live", "--out", str(root / "site"))
    page = (root / "site" / "org" / "BAAI.html").read_text()
    assert "Share of the Hub</dt><dd>" in page and "of model downloads" in page
    assert (root / "site" / f"candidates-{MONTHS[1]}.html").read_text().count(
        mock.hub.PLANTED_DATA_ACCOUNTS[0]
    ) >= 2


def test_archive_months_have_the_census_and_openi_metrics_unknown(reference_archive):
    """The published archive has no census and no OpenI: those metrics are null, never 0."""
    from leaderboard_pipeline.config.profiles import load_profile
    from leaderboard_pipeline.core.layers import clean_layer, metrics_layer, raw_layer
    from leaderboard_pipeline.sources.archive import ArchiveSource

    source = ArchiveSource(reference_archive)
    months = source.months()[-2:]
    raw = raw_layer([source.read_month(m) for m in months])
    profile = load_profile("methodology")
    clean = clean_layer(raw, months, profile)
    assert clean["census_orgs"].is_empty() and clean["census_candidates"].is_empty()
    metrics = metrics_layer(
        clean["models"], clean["datasets"], raw, months[-1:], profile, None, clean["census_orgs"]
    )
    beyond = {"derivative_models", "derivative_downloads", "hub_model_share", "num_openi_models"}
    rows = metrics["model"].filter(pl.col("metric").is_in(list(beyond)))
    assert rows.height and rows["value"].null_count() == rows.height
    rows = metrics["data"].filter(pl.col("metric").is_in(["hub_dataset_share", "num_openi_datasets"]))
    assert rows.height and rows["value"].null_count() == rows.height
