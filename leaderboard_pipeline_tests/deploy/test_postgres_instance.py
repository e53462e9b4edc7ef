"""The production instance (deploy/dagster.yaml) on a real PostgreSQL: two demo months through the CLI, the
last one rerun, then the runs, materialisations and check evaluations read back from PostgreSQL's tables and from
the webserver's GraphQL started against the same instance.

The server is a throw-away one (``throwaway_postgres``; Debian's package, installed by ensure_postgres.sh,
which `make test` runs first)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from throwaway_postgres import PostgresUnavailable, alive, free_port, throwaway_server  # beside this file

from leaderboard_pipeline import settings
from leaderboard_pipeline.sources.factory import make_source

DEPLOY_CONFIG = settings.PROJECT_ROOT / "deploy" / "dagster.yaml"
DATABASE = "dagster"
MONTHS = ("2025-02", "2025-03")
CHECKED = (("scores", "overall"), "dense_ranks")  # a blocking check of the last layer
# On 02b4cea a rerun of a demo month fails raw immutability (the demo's manifest differs between two
# runs; issue 9 makes raw content canonical). Until that lands the rerun replaces raw; then drop this.
RERUN_FLAGS = ("--replace-raw",)


@pytest.fixture(scope="module")
def postgres():
    try:
        with throwaway_server() as server:
            with closing(server.connect()) as connection:
                query(connection, f"CREATE DATABASE {DATABASE}", fetch=False)
            yield server
    except PostgresUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture
def instance_env(postgres, isolated_environment, monkeypatch) -> dict[str, str]:
    """DAGSTER_HOME holding the production dagster.yaml, pointed at the throw-away server."""
    home = isolated_environment / "dagster-postgres"
    home.mkdir()
    shutil.copy(DEPLOY_CONFIG, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name, value in postgres.environment(DATABASE).items():
        monkeypatch.setenv(name, value)
    return dict(os.environ)


def leaderboard(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "leaderboard_pipeline.cli", *args],
        env=env,
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"leaderboard {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def ran_ranges(output: str) -> list[tuple[str, str]]:
    """The month ranges the CLI says it ran ("running demo 2024-12..2025-03 with profile ...")."""
    return re.findall(r"^running demo (\d{4}-\d{2})\.\.(\d{4}-\d{2}) ", output, flags=re.M)


def months_between(first: str, last: str, months: list[str]) -> set[str]:
    return {m for m in months if first <= m <= last}


def query(connection, sql: str, *params, fetch: bool = True) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


def process_group(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(") ", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue
        if int(group) == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


class Webserver:
    """`dagster-webserver` in its own process group (what `set -m` gives a shell job), so that one signal to
    the group stops it and the code server it spawns."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self._start()

    def _start(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        executable = Path(sys.executable).with_name("dagster-webserver")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(executable), "-h", "127.0.0.1", "-p", str(self.port), "-w", "workspace.yaml"],
                cwd=settings.PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_up(self, timeout: float = 240.0, attempts: int = 3) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log.read_text()
                if "address already in use" in output.lower() and attempts > 1:  # the port was taken
                    attempts -= 1
                    self._start()
                    continue
                pytest.fail(f"dagster-webserver exited with {self.process.returncode}:\n{output}")
            try:
                answer = httpx.get(f"{self.url}/server_info", timeout=5)
                if answer.status_code == 200:
                    return answer.json()
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        pytest.fail(f"dagster-webserver not up after {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def graphql(self, text: str, **variables) -> dict:
        answer = httpx.post(
            f"{self.url}/graphql", json={"query": text, "variables": variables}, timeout=60
        ).json()
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def stop(self, timeout: float = 30.0) -> list[int]:
        """SIGTERM to the group; the processes still alive after `timeout` (then killed)."""
        group = self.process.pid
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            return []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (self.process.poll() is None or process_group(group)):
            time.sleep(0.2)
        survivors = process_group(group)
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return survivors


RUNS = """{ runsOrError { __typename ... on Runs { results { runId status tags { key value } } } } }"""
MATERIALISATIONS = """query ($key: AssetKeyInput!) { assetOrError(assetKey: $key) {
  __typename ... on Asset { assetMaterializations { partition runId } } } }"""
CHECK_EXECUTIONS = """query ($key: AssetKeyInput!, $name: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $name, limit: 100) { runId status evaluation { success } } }"""


def test_demo_months_on_postgres(postgres, instance_env, tmp_path):
    demo_months = make_source("demo").months()
    # First run: nothing is stored yet, so the CLI adds the demo's earlier months. Then the last month
    # again on the same instance, as after a correction: the CLI reruns it with the month before it.
    first = leaderboard(instance_env, "run", "--source", "demo", "--months", f"{MONTHS[0]}..{MONTHS[-1]}")
    second = leaderboard(instance_env, "run", "--source", "demo", "--months", MONTHS[-1], *RERUN_FLAGS)
    assert ran_ranges(first) == [(demo_months[0], MONTHS[-1])]
    assert ran_ranges(second) == [MONTHS]
    expected = [months_between(*ran_ranges(first)[0], demo_months), set(MONTHS)]

    asset_key = json.dumps(list(CHECKED[0]))  # how Dagster stores an asset key
    with closing(postgres.connect(DATABASE)) as pg:
        runs = query(pg, "SELECT run_id, status FROM runs ORDER BY create_timestamp")
        assert [status for _, status in runs] == ["SUCCESS", "SUCCESS"]
        run_ids = [run_id for run_id, _ in runs]
        tags = dict(query(pg, "SELECT key, value FROM run_tags WHERE run_id = %s", run_ids[1]))
        assert tags["leaderboard/source"] == "demo"
        assert (
            tags["dagster/asset_partition_range_start"],
            tags["dagster/asset_partition_range_end"],
        ) == MONTHS
        materialised = query(
            pg,
            "SELECT run_id, partition FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
            " AND asset_key = %s",
            asset_key,
        )
        for run_id, months in zip(run_ids, expected, strict=True):
            assert {p for r, p in materialised if r == run_id} == months
        # every layer's tables, every month of each run
        layers = query(
            pg,
            "SELECT DISTINCT split_part(asset_key, '\"', 2) FROM event_logs"
            " WHERE dagster_event_type = 'ASSET_MATERIALIZATION'",
        )
        assert {layer for (layer,) in layers} == {"raw", "clean", "metrics", "scores"}
        # A range run plans the check once per month and stores one evaluation for the run (no partition).
        checks = query(
            pg,
            "SELECT run_id, execution_status FROM asset_check_executions"
            " WHERE asset_key = %s AND check_name = %s AND execution_status <> 'PLANNED'",
            asset_key,
            CHECKED[1],
        )
        assert sorted(checks) == sorted((run_id, "SUCCEEDED") for run_id in run_ids)
        evaluations = query(
            pg, "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_CHECK_EVALUATION'"
        )[0][0]
        assert evaluations >= 2 * len(run_ids)

    webserver = Webserver(instance_env, tmp_path / "webserver.log")
    try:
        info = webserver.wait_until_up()
        assert info["dagster_webserver_version"] == "1.13.27"
        listed = webserver.graphql(RUNS)["runsOrError"]
        assert listed["__typename"] == "Runs"
        assert sorted(r["runId"] for r in listed["results"]) == sorted(run_ids)
        assert {r["status"] for r in listed["results"]} == {"SUCCESS"}
        key = {"path": list(CHECKED[0])}
        asset = webserver.graphql(MATERIALISATIONS, key=key)["assetOrError"]
        assert asset["__typename"] == "Asset"
        assert sorted((m["runId"], m["partition"]) for m in asset["assetMaterializations"]) == sorted(
            materialised
        )
        executions = webserver.graphql(CHECK_EXECUTIONS, key=key, name=CHECKED[1])["assetCheckExecutions"]
        evaluated = [e for e in executions if e["evaluation"] is not None]
        assert sorted(e["runId"] for e in evaluated) == sorted(run_ids)
        assert all(e["status"] == "SUCCEEDED" and e["evaluation"]["success"] for e in evaluated)
    finally:
        survivors = webserver.stop()
    assert survivors == [], "SIGTERM to the webserver's process group left processes behind"
    assert webserver.process.returncode is not None


def test_the_throwaway_server_is_stopped_and_removed():
    with throwaway_server() as server:
        with closing(server.connect()) as connection:
            assert query(connection, "SHOW port") == [(str(server.port),)]
        folder = Path(f"/proc/{server.pid}/cwd").resolve().parent  # the postmaster runs in its data folder
        assert folder.name.startswith("leaderboard-pg-")
    assert not alive(server.pid)
    assert not folder.exists()
