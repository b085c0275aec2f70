"""Real services for tests and benchmarks: a throwaway PostgreSQL cluster (Apache Kafka: `tests/kafka/broker.py`).

Each launcher returns a handle whose `stop()` ends the process and removes its files. `REQUIRE_SERVICES`
(from `LGSP_REQUIRE_SERVICES=1`, set by `.ci/run`) turns "cannot start" into a failure instead of a skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REQUIRE_SERVICES = os.environ.get("LGSP_REQUIRE_SERVICES") == "1"


class ServiceUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise ServiceUnavailable(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


@dataclass
class PostgresServer:
    port: int
    directory: Path
    _pg_bin: Path
    _as_postgres: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self._as_postgres,
                str(self._pg_bin / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Start a private PostgreSQL cluster on a free loopback port (as the `postgres` user when run as root)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if not candidates:
        raise ServiceUnavailable("PostgreSQL server binaries not found under /usr/lib/postgresql")
    pg_bin = Path(candidates[0])
    directory = Path(tempfile.mkdtemp(prefix="lgsp-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    try:
        subprocess.run(
            [
                *as_postgres,
                str(pg_bin / "initdb"),
                "-D",
                str(directory / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            capture_output=True,
            check=True,
        )
        options = (
            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        )
        subprocess.run(
            [
                *as_postgres,
                str(pg_bin / "pg_ctl"),
                "-D",
                str(directory / "data"),
                "-o",
                options,
                "-l",
                str(directory / "log"),
                "-w",
                "start",
            ],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        detail = (
            exc.stderr.decode(errors="replace") if isinstance(exc, subprocess.CalledProcessError) else exc
        )
        raise ServiceUnavailable(f"cannot start PostgreSQL: {detail}") from exc
    wait_for_port(port)
    return PostgresServer(port=port, directory=directory, _pg_bin=pg_bin, _as_postgres=as_postgres)
