"""One channel for run settings: the CLI and a launch from the UI run the same job with the same typed
configuration (`defs.run_settings`), and a run's profile is the one that scores, scopes and checks."""

from __future__ import annotations

import os

import dagster as dg
import polars as pl
import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.definitions import build_definitions
from leaderboard_pipeline.defs.resources import LeaderboardSettings
from leaderboard_pipeline.defs.run_settings import RunSettings, from_environment, run_config
from leaderboard_pipeline.warehouse import connect

DEMO_RANGE = {
    "dagster/asset_partition_range_start": "2024-12",
    "dagster/asset_partition_range_end": "2025-03",
}


def stored_profiles(db, table: str) -> dict[str, list[str]]:
    """profile -> months stored in ``table``."""
    with connect(db, read_only=True) as con:
        rows = con.execute(f"select profile, month from {table} group by all order by all").fetchall()
    out: dict[str, list[str]] = {}
    for profile, month in rows:
        out.setdefault(profile, []).append(month)
    return out


@pytest.fixture(scope="module")
def launchpad_run(tmp_path_factory):
    """The code location as deployed (methodology, from its environment), and a run launched the way the
    launchpad does it: the same job, the profile overridden in the resources' run config."""
    base = tmp_path_factory.mktemp("launchpad")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.ENV_DB, str(base / "w.duckdb"))
        mp.setenv("LEADERBOARD_CASSETTES", "replay")
        mp.delenv(settings.ENV_PROFILE, raising=False)
        mp.delenv(settings.ENV_SOURCE, raising=False)
        defs = build_definitions()
        assert defs.resources["leaderboard"].profile == "methodology"
        result = defs.resolve_job_def("monthly_leaderboard").execute_in_process(
            run_config={"resources": {"leaderboard": {"config": {"profile": "osir-published"}}}},
            tags=DEMO_RANGE,
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    return base / "w.duckdb", result


def test_an_override_from_the_launchpad_scores_and_stores_that_profiles_tables(launchpad_run):
    db, result = launchpad_run
    assert result.success
    # scored with the override and scoped with its name, in every layer; nothing under the location's
    # (2024-12 has no hand inputs: stored, not ranked)
    assert stored_profiles(db, "scores.overall") == {"osir-published": ["2025-01", "2025-02", "2025-03"]}
    for table in ("clean.models", "metrics.model"):
        assert set(stored_profiles(db, table)) == {"osir-published"}
    profiles = {
        e.materialization.metadata["profile"].value
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[0] != "raw"
    }
    assert profiles == {"osir-published"}


def test_an_override_from_the_launchpad_checks_with_that_profiles_rules(launchpad_run):
    _, result = launchpad_run
    # osir-published ranks a month with no earlier snapshot (the published behaviour), methodology stores it
    # as a baseline: only the override's rules make the demo's first month warn.
    evaluations = {
        e.partition: e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(["clean", "snapshots"])
    }
    assert sorted(evaluations) == ["2024-12", "2025-01", "2025-02", "2025-03"]
    first = evaluations["2024-12"]
    assert not first.passed and first.metadata["rules_failed"].value == "earlier_snapshots"
    assert first.metadata["earlier_snapshots.platform_months_without_earlier_snapshot"].value == 4
    assert first.severity == dg.AssetCheckSeverity.WARN  # a warning rule: it does not block
    assert all(evaluations[m].passed for m in ("2025-01", "2025-02", "2025-03"))


def test_the_cli_launches_the_job_with_the_same_run_config(tmp_path, monkeypatch, capsys):
    """`leaderboard run` passes its options as the resources' run config (what the launchpad shows), and
    leaves the process environment as it found it."""
    monkeypatch.setenv(settings.ENV_DB, str(tmp_path / "w.duckdb"))
    home = tmp_path / "dagster"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    before = dict(os.environ)
    assert main(["run", "--source", "demo", "--profile", "osir-published", "--months", "2025-03"]) == 0
    assert dict(os.environ) == before
    instance = dg.DagsterInstance.from_config(str(home))
    [record] = instance.get_run_records()
    expected = run_config(from_environment(source="demo", profile="osir-published", replace_raw=False))
    config = record.dagster_run.run_config
    assert config["resources"] == expected["resources"]
    assert config["resources"]["leaderboard"]["config"]["profile"] == "osir-published"
    assert config["resources"]["warehouse"]["config"]["database"] == str(tmp_path / "w.duckdb")
    assert set(stored_profiles(tmp_path / "w.duckdb", "scores.overall")) == {"osir-published"}
    capsys.readouterr()


def test_the_resource_and_the_settings_have_the_same_fields():
    """The launchpad's fields are exactly `RunSettings`' (the warehouse file is the warehouse's)."""
    config = RunSettings().leaderboard_config()
    assert set(config) == set(LeaderboardSettings.model_fields)
    assert LeaderboardSettings(**config).profile == settings.DEFAULT_PROFILE


def test_environment_defaults_and_options(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.ENV_PROFILE, "osir-published")
    monkeypatch.setenv(settings.ENV_SOURCE, "archive")
    monkeypatch.setenv(settings.ENV_ARCHIVE, str(tmp_path))
    monkeypatch.setenv("LEADERBOARD_ALLOW_MISSING", "baai")
    run = from_environment()
    assert (run.source, run.profile, run.archive, run.allow_missing) == (
        "archive",
        "osir-published",
        str(tmp_path),
        "baai",
    )
    assert run.database == str(settings.warehouse_path("archive"))
    chosen = from_environment(source="demo", profile="methodology", replace_raw=True)
    assert (chosen.source, chosen.profile, chosen.replace_raw) == ("demo", "methodology", True)
    assert chosen.database == str(settings.warehouse_path("demo"))


def test_the_hand_inputs_are_checked_with_the_runs_profile(monkeypatch):
    """The combined source checks hand inputs against the profile it was given, not the environment's."""
    from leaderboard_pipeline.config.profiles import load_profile
    from leaderboard_pipeline.sources.factory import make_source

    monkeypatch.setenv(settings.ENV_PROFILE, "no-such-profile")  # would fail if anything read it
    source = make_source("demo", profile=load_profile("osir-published"))
    assert source.profile.name == "osir-published"
    assert isinstance(source.read_month("2025-02")["system_inputs"], pl.DataFrame)
