"""A throwaway Redis for tests: Debian's `redis-server` (apt package `redis-server`) on a free loopback port, with
nothing saved (no RDB, no AOF) and its working directory in a temporary directory removed on `stop()`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.services import ServiceUnavailable, free_port, wait_for_port

REDIS_SERVER = os.environ.get("LGSP_TEST_REDIS_SERVER", "redis-server")


@dataclass
class RedisServer:
    port: int
    directory: Path
    binary: str
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or start again, on the same port) the server; it starts empty."""
        log = (self.directory / "redis.log").open("ab")
        self._process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        try:
            wait_for_port(self.port)
        except ServiceUnavailable as exc:
            self.kill()
            tail = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
            raise ServiceUnavailable(f"redis-server did not start: {exc}\n{tail}") from None

    def kill(self) -> None:
        """End the process at once (an outage), keeping the directory so `start()` can bring it back."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_redis() -> RedisServer:
    """Start a private Redis on a free loopback port; ServiceUnavailable if `redis-server` is not installed."""
    binary = shutil.which(REDIS_SERVER)
    if binary is None:
        raise ServiceUnavailable(f"{REDIS_SERVER} not found (apt-get install redis-server)")
    server = RedisServer(free_port(), Path(tempfile.mkdtemp(prefix="lgsp-redis-")), binary)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(server.directory, ignore_errors=True)
        raise
    return server
