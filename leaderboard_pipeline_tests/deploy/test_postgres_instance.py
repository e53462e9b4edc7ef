"""The production instance (deploy/dagster.yaml) on a real PostgreSQL, with the services of the compose
file started as processes: two demo months through the CLI, then the last month again, launched the way
the UI launches it (queued, dequeued by the daemon, executed by the gRPC code server); the runs, their
materialisations and check evaluations are read back from PostgreSQL's tables and from the webserver's
GraphQL: each month of each run has its own check evaluation, also in what the UI queries.

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
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from throwaway_postgres import PostgresUnavailable, alive, free_port, throwaway_server  # beside this file

from leaderboard_pipeline.config import settings
from leaderboard_pipeline.sources.factory import make_source

DEPLOY_CONFIG = settings.PROJECT_ROOT / "deploy" / "dagster.yaml"
BIN = Path(sys.executable).parent
DATABASE = "dagster"
MONTHS = ("2025-02", "2025-03")
LOCATION = "leaderboard_pipeline"
CHECKED = (("scores", "overall"), "quality")  # the check of a table of the last layer


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


class Service:
    """A server process in its own process group (what `set -m` gives a shell job), so that one signal to
    the group stops it and whatever it spawned. A port taken between choosing and binding it is retried."""

    def __init__(self, name: str, command, env: dict[str, str], logs: Path):
        self.name, self.command, self.env = name, command, env
        self.log = logs / f"{name}.log"
        self.port = 0
        self.start()

    def start(self) -> None:
        self.port = free_port()
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(part) for part in self.command(self.port)],
                cwd=settings.PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until(self, ready, timeout: float = 240.0, attempts: int = 3):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log.read_text()
                if "address already in use" in output.lower() and attempts > 1:
                    attempts -= 1
                    self.start()
                    continue
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{output[-3000:]}")
            answer = ready(self.port)
            if answer is not None:
                return answer
            time.sleep(0.5)
        pytest.fail(f"{self.name} not ready after {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

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


def grpc_healthy(port: int) -> bool | None:
    check = [BIN / "dagster", "api", "grpc-health-check", "--port", str(port)]
    return True if subprocess.run(check, capture_output=True).returncode == 0 else None


def server_info(port: int) -> dict | None:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=5)
    except httpx.TransportError:
        return None
    return answer.json() if answer.status_code == 200 else None


def graphql(port: int, text: str, **variables) -> dict:
    answer = httpx.post(
        f"http://127.0.0.1:{port}/graphql", json={"query": text, "variables": variables}, timeout=60
    ).json()
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


RUNS = """{ runsOrError { __typename ... on Runs { results { runId status } } } }"""
LAUNCH = """mutation ($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message } } }"""
RUN_STATUS = """query ($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""
MATERIALISATIONS = """query ($key: AssetKeyInput!) { assetOrError(assetKey: $key) {
  __typename ... on Asset { assetMaterializations { partition runId } } } }"""
CHECK_EXECUTIONS = """query ($key: AssetKeyInput!, $name: String!, $partition: String) {
  assetCheckExecutions(assetKey: $key, checkName: $name, partition: $partition, limit: 100) {
    runId status partition evaluation { success metadataEntries { label ... on IntMetadataEntry { intValue } } } } }"""
CHECK_STATUSES = """query ($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) { ... on AssetNode {
  assetChecksOrError { ... on AssetChecks { checks { name partitionStatuses {
    ... on AssetCheckTimePartitionStatuses { ranges { status startKey endKey } } } } } } } } }"""


def launch_month(port: int, month: str, timeout: float = 300.0) -> tuple[str, list[str]]:
    """Launch the monthly job for one month as the UI does; its id and the statuses it went through."""
    params = {
        "selector": {
            "repositoryLocationName": LOCATION,
            "repositoryName": "__repository__",
            "jobName": "monthly_leaderboard",
        },
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": month}]},
    }
    launched = graphql(port, LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id, statuses = launched["run"]["runId"], [launched["run"]["status"]]
    deadline = time.monotonic() + timeout
    while statuses[-1] not in ("SUCCESS", "FAILURE", "CANCELED") and time.monotonic() < deadline:
        time.sleep(1)
        status = graphql(port, RUN_STATUS, id=run_id)["runOrError"]["status"]
        if status != statuses[-1]:
            statuses.append(status)
    return run_id, statuses


def test_cli_and_service_runs_on_postgres(postgres, instance_env, tmp_path):
    demo_months = make_source("demo").months()
    # Nothing is stored yet, so the CLI adds the demo's earlier months (one run).
    first = leaderboard(instance_env, "run", "--source", "demo", "--months", f"{MONTHS[0]}..{MONTHS[-1]}")
    assert ran_ranges(first) == [(demo_months[0], MONTHS[-1])]

    # The compose services as processes: the code server (gRPC; it executes the runs), then the daemon and
    # the webserver loading the definitions from it, as deploy/workspace.yaml makes them.
    # no --replace-raw: the queued run re-reads the demo's 2025-03, which compares unchanged
    service_env = {**instance_env, "LEADERBOARD_SOURCE": "demo"}
    code = Service(
        "code",
        lambda port: (
            [BIN / "dagster", "api", "grpc", "--host", "127.0.0.1", "--port", port]
            + ["--module-name", "leaderboard_pipeline.definitions", "--location-name", LOCATION]
        ),
        service_env,
        tmp_path,
    )
    services = [code]
    try:
        code.wait_until(grpc_healthy)
        workspace = tmp_path / "workspace.yaml"
        workspace.write_text(
            f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {code.port}\n"
            f"      location_name: {LOCATION}\n"
        )
        daemon = Service(
            "daemon",
            lambda _: [BIN / "dagster-daemon", "run", "--workspace", workspace],
            service_env,
            tmp_path,
        )
        webserver = Service(
            "webserver",
            lambda port: (
                [BIN / "dagster-webserver", "--host", "127.0.0.1", "--port", port]
                + ["--workspace", workspace]
            ),
            service_env,
            tmp_path,
        )
        services += [daemon, webserver]
        info = webserver.wait_until(server_info)
        assert info["dagster_webserver_version"] == version("dagster-webserver")
        web = webserver.port
        listed = graphql(web, RUNS)["runsOrError"]["results"]
        assert [r["status"] for r in listed] == ["SUCCESS"]  # the CLI's run

        # The last month again, as from the UI: queued, then dequeued by the daemon, run by the code server.
        second, statuses = launch_month(web, MONTHS[-1])
        assert statuses[0] == "QUEUED" and statuses[-1] == "SUCCESS", statuses
        run_ids = [listed[0]["runId"], second]
        expected = [set(demo_months), {MONTHS[-1]}]

        asset_key = json.dumps(list(CHECKED[0]))  # how Dagster stores an asset key
        with closing(postgres.connect(DATABASE)) as pg:
            runs = query(pg, "SELECT run_id, status FROM runs ORDER BY create_timestamp")
            assert runs == [(run_ids[0], "SUCCESS"), (run_ids[1], "SUCCESS")]
            tags = dict(query(pg, "SELECT key, value FROM run_tags WHERE run_id = %s", run_ids[0]))
            assert tags["leaderboard/source"] == "demo"
            span = (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"])
            assert span == (demo_months[0], MONTHS[-1])
            sql = "SELECT DISTINCT dagster_event_type FROM event_logs WHERE run_id = %s"
            events = {event for (event,) in query(pg, sql, second)}
            # enqueued by the webserver, started by the daemon's launcher, in the code server
            assert {"PIPELINE_ENQUEUED", "PIPELINE_STARTING", "PIPELINE_SUCCESS"} <= events, events
            materialised = query(
                pg,
                "SELECT run_id, partition FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
                " AND asset_key = %s",
                asset_key,
            )
            for run_id, months in zip(run_ids, expected, strict=True):
                assert {p for r, p in materialised if r == run_id} == months
            layers = query(
                pg,
                "SELECT DISTINCT run_id, split_part(asset_key, '\"', 2) FROM event_logs"
                " WHERE dagster_event_type = 'ASSET_MATERIALIZATION'",
            )
            for run_id in run_ids:
                assert {layer for r, layer in layers if r == run_id} == {"raw", "clean", "metrics", "scores"}
            # Every month of each run has its own evaluation, none planned-then-skipped, none for a whole range.
            checks = query(
                pg,
                "SELECT run_id, partition, execution_status FROM asset_check_executions"
                " WHERE asset_key = %s AND check_name = %s",
                asset_key,
                CHECKED[1],
            )
            assert sorted(checks) == sorted(
                (run_id, month, "SUCCEEDED")
                for run_id, months in zip(run_ids, expected, strict=True)
                for month in months
            )

        listed = graphql(web, RUNS)["runsOrError"]
        assert listed["__typename"] == "Runs"
        assert sorted((r["runId"], r["status"]) for r in listed["results"]) == sorted(runs)
        key = {"path": list(CHECKED[0])}
        asset = graphql(web, MATERIALISATIONS, key=key)["assetOrError"]
        assert asset["__typename"] == "Asset"
        assert sorted((m["runId"], m["partition"]) for m in asset["assetMaterializations"]) == sorted(
            materialised
        )
        # What the UI shows of the check, month by month (the asset's Checks tab and partition view).
        for month in demo_months:
            executions = graphql(web, CHECK_EXECUTIONS, key=key, name=CHECKED[1], partition=month)
            evaluated = executions["assetCheckExecutions"]
            runs = [run_ids[0], run_ids[1]] if month == MONTHS[-1] else [run_ids[0]]
            assert sorted(e["runId"] for e in evaluated) == sorted(runs), month
            for e in evaluated:
                assert e["status"] == "SUCCEEDED" and e["partition"] == month and e["evaluation"]["success"]
                figures = {m["label"]: m.get("intValue") for m in e["evaluation"]["metadataEntries"]}
                assert figures["dense_ranks.groups_with_gaps"] == 0 and "schema.num_rows" in figures
        statuses = graphql(web, CHECK_STATUSES, key=key)["assetNodeOrError"]["assetChecksOrError"]["checks"]
        [ranges] = [c["partitionStatuses"]["ranges"] for c in statuses if c["name"] == CHECKED[1]]
        assert ranges == [{"status": "SUCCEEDED", "startKey": demo_months[0], "endKey": demo_months[-1]}]
    finally:
        survivors = {service.name: service.stop() for service in reversed(services)}
    assert survivors == {s.name: [] for s in services}, "SIGTERM to a service's process group left processes"


def test_the_throwaway_server_is_stopped_and_removed():
    with throwaway_server() as server:
        with closing(server.connect()) as connection:
            assert query(connection, "SHOW port") == [(str(server.port),)]
        folder = Path(f"/proc/{server.pid}/cwd").resolve().parent  # the postmaster runs in its data folder
        assert folder.name.startswith("leaderboard-pg-")
    assert not alive(server.pid)
    assert not folder.exists()
