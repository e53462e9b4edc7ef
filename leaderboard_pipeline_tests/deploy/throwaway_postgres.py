"""A throw-away PostgreSQL server on 127.0.0.1 for the instance test: Debian's initdb / pg_ctl (installed by
``ensure_postgres.sh``) on a free port, in a temporary folder, stopped by its PID and removed afterwards."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ENSURE_SCRIPT = Path(__file__).with_name("ensure_postgres.sh")


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server did not come up."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    pid: int

    def environment(self, database: str) -> dict[str, str]:
        """The variables deploy/dagster.yaml reads."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": database,
        }

    def connect(self, database: str = "postgres"):
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=database
        )
        connection.autocommit = True
        return connection


def server_bin_dir() -> Path:
    """Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/<major>/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise PostgresUnavailable(f"no initdb / pg_ctl found: run {ENSURE_SCRIPT} (or `make postgres`) first")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the server's commands as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as stopped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return not Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):  # gone meanwhile
        return False


def stop(pid: int, timeout: float = 30.0) -> None:
    """Fast shutdown (SIGINT: disconnect clients, stop) by the postmaster's PID; SIGKILL if it hangs."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.1)


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if done.returncode != 0:
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {done.stdout}{done.stderr}")


def _start(bin_dir: Path, base: Path, data: Path, attempts: int = 3) -> tuple[int, int]:
    """Start on a free port (another port if someone took it meanwhile); the port and the postmaster PID."""
    log = base / "server.log"
    for attempt in range(attempts):
        port = free_port()
        # Throw-away data: no fsync. The socket lives in our folder, not in /var/run/postgresql.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base} -c fsync=off"
        try:
            _run(
                [str(bin_dir / "pg_ctl"), "--pgdata", str(data), "--log", str(log)]
                + ["--wait", "--timeout=60", "-o", options, "start"],
                "pg_ctl start",
            )
        except PostgresUnavailable as exc:
            server_log = log.read_text() if log.exists() else ""
            if "already in use" in server_log and attempt + 1 < attempts:
                continue
            raise PostgresUnavailable(f"{exc}\n{server_log[-2000:]}") from None
        return port, int((data / "postmaster.pid").read_text().split()[0])
    raise AssertionError("unreachable")


@contextmanager
def throwaway_server(user: str = "dagster") -> Iterator[Server]:
    bin_dir = server_bin_dir()
    base = Path(tempfile.mkdtemp(prefix="leaderboard-pg-"))  # under /tmp: reachable by the postgres user
    data = base / "data"
    try:
        password = secrets.token_urlsafe(16)
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root but there is no `postgres` user to run initdb as"
                ) from None
            for path in (base, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        _run(
            [str(bin_dir / "initdb"), "--pgdata", str(data), "--username", user, f"--pwfile={pwfile}"]
            # password authentication as in production; throw-away data needs no sync to disk
            + ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
            "initdb",
        )
        port, pid = _start(bin_dir, base, data)
        yield Server("127.0.0.1", port, user, password, pid)
    finally:
        pid_file = data / "postmaster.pid"  # present while a server runs, whatever failed above
        if pid_file.exists():
            stop(int(pid_file.read_text().split()[0]))
        shutil.rmtree(base, ignore_errors=True)
