"""Gateways as real `lgsp up` processes (as the README's "At scale" recipe runs them), for the scale tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.harness import ADMIN_ID, ADMIN_SECRET, basic
from tests.services import free_port


class GatewayProcess:
    """`lgsp up --port P` in its own process; `env` adds LGSP_* settings to the defaults of the tests."""

    def __init__(self, database_url: str, data_dir: Path, instance: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"{instance}.log"
        inherited = {name: value for name, value in os.environ.items() if not name.startswith("LGSP_")}
        self.env = inherited | {
            "LGSP_DATABASE_URL": database_url,
            "LGSP_DATA_DIR": str(data_dir),
            "LGSP_INSTANCE_ID": instance,
            "LGSP_ADMIN_CLIENT_ID": ADMIN_ID,
            "LGSP_ADMIN_CLIENT_SECRET": ADMIN_SECRET,
            "LGSP_SECRET_HASH_TIME_COST": "1",
            "LGSP_SECRET_HASH_MEMORY_KIB": "1024",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> GatewayProcess:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway", "up", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"the gateway did not become ready: {self.output()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def token(self, client_id: str = ADMIN_ID, secret: str = ADMIN_SECRET) -> str:
        response = httpx.post(
            f"{self.url}/oauth/token",
            data={"grant_type": "client_credentials"},
            headers=basic(client_id, secret),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])
