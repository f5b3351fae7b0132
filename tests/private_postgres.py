"""A PostgreSQL cluster of a test's own, which it may stop, restart and cut connections to
(the shared server other tests use must never be restarted).

`initdb` and `pg_ctl` from the machine's PostgreSQL (`/usr/lib/postgresql/*/bin`, or on the
PATH), run as the `postgres` user when the tests run as root (the server refuses to run as
root), on a free port, with its data in a temporary folder removed afterwards. Where the
binaries are missing the test is skipped, saying so, unless the run requires PostgreSQL
(`DESK_POSTGRES_TESTS=required`), where that fails it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import POSTGRES_REQUIRED


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """One cluster: `url` reaches it; `stop`, `start` and `restart` it; `terminate` cuts every
    connection of the desks (what a failover or `pg_terminate_backend` does to them)."""

    def __init__(self, bin_dir: Path, folder: Path, user: str | None) -> None:
        self.bin_dir, self.folder, self.user = bin_dir, folder, user
        self.data = folder / "data"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.restarts = 0
        self.terminated = 0  # connections cut

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\n"
                "max_connections = 60\n"
            )

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "30", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()
        self.restarts += 1

    def terminate(self, spare: tuple[int, ...] = ()) -> int:
        """`pg_terminate_backend` for every other client connection to the cluster but those
        of the server processes `spare` (the test's own); how many were cut."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND NOT pid = ANY(%s)",
                (list(spare),),
            ).fetchall()
        cut = sum(1 for (done,) in rows if done)
        self.terminated += cut
        return cut


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _binaries()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        reason = "no PostgreSQL server binaries (initdb, pg_ctl) to start a private cluster"
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required here and there are {reason}")
        pytest.skip(reason)
    user: str | None = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            if POSTGRES_REQUIRED:
                pytest.fail("running as root and there is no `postgres` user to run a private cluster")
            pytest.skip("running as root and there is no `postgres` user to run a private cluster")
    folder = Path(tempfile.mkdtemp(prefix="desk-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = PrivatePostgres(bin_dir, folder, user)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
