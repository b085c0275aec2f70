"""The platform's topology as OS processes, for fault tests: what `docker-compose.yml` runs, started with
subprocess and configured only by `LGSP_*` variables (README "At scale"), or the embedded default (`lgsp up`).

Every process writes its output to a log file in the topology's directory; `kill()` sends SIGKILL, as a crash,
and `start()` runs it again on the same data (the same instance id, database and broker).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gateway.cli.demo.message_keys import CONNECTOR_KEYS, WAREHOUSE_CLIENT, WAREHOUSE_KEY
from tests.kafka.broker import KafkaBroker
from tests.services import PostgresServer, free_port

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent
ADMIN_ID = "faults-admin"
ADMIN_SECRET = "faults-admin-secret-for-tests"
CONNECTOR_SECRET = "faults-connector-secret-for-tests"
SAMPLE_CONNECTORS = "connectors.samples.connectors:build_connectors"

# The campaign's own department: a dataset whose keys only the campaign writes, so warehouse rows can be
# compared with the keys sent (the sample connectors share other datasets on their own schedule).
AGENCY = "H50.98"
DATASET = HERE / "so-kiem-thu--so-ghi--1.0.0.yaml"
DATASET_ADDRESS = f"{AGENCY}/so-ghi/v1"
DATASET_TABLE = "wh_h50_98__so_ghi__v1"
SERVICE = HERE / "so-kiem-thu--tra-cuu--1.0.0.yaml"  # answered by nobody on the embedded default
SERVICE_ADDRESS = f"{AGENCY}/tra-cuu/v1"
# On the topology with connectors: the sample land-parcel lookup (the README's call)
LAND_ADDRESS = "H50.20/tra-cuu-thua-dat/v1"
LAND_REQUEST = {"ma_xa": "19333", "so_to": 12, "so_thua": 145}


def basic(client_id: str, secret: str) -> httpx.BasicAuth:
    return httpx.BasicAuth(client_id, secret)


@dataclass
class Process:
    """One platform process: `lgsp ARGS` with its own environment and log file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    ready: Callable[[Process], bool]
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _mark: int = 0  # where the current start's output begins in the log file

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")
        return ""

    def start(self, timeout: float = 60.0) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting until it is ready (`wait_ready`), so several start at once."""
        if self.alive:
            raise RuntimeError(f"{self.name} is already running")
        with self.log.open("ab") as out:
            out.write(f"\n===== start {self.starts + 1} of {self.name} =====\n".encode())
            out.flush()
            self._mark = out.tell()
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "gateway", *self.args],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.starts += 1

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready(self):
            if not self.alive:
                raise RuntimeError(f"{self.name} exited on start:\n{self.since_start()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} not ready after {timeout:.0f}s:\n{self.since_start()[-3000:]}"
                )
            time.sleep(0.1)

    def since_start(self) -> str:
        with contextlib.suppress(OSError), self.log.open("rb") as log:
            log.seek(self._mark)  # a byte offset: the output holds Vietnamese text
            return log.read().decode(errors="replace")
        return ""

    def kill(self) -> None:
        """SIGKILL, as a crash: nothing is flushed or closed."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.kill()
        self.start()


def logged(marker: str) -> Callable[[Process], bool]:
    return lambda process: marker in process.since_start()


def answers(url: str) -> Callable[[Process], bool]:
    def ready(_: Process) -> bool:
        try:
            return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return ready


class Postgres:
    """Stop (as a crash: immediate mode) and start again the suite's PostgreSQL cluster, on its data."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server

    def _pg_ctl(self, *args: str) -> None:
        done = subprocess.run(
            [*self.server._as_postgres, str(self.server._pg_bin / "pg_ctl"), "-D",
             str(self.server.directory / "data"), *args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl {args[-1]} failed: {(done.stdout + done.stderr).strip()[-500:]}")

    def stop(self) -> None:
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        # the same options as tests/services.py's start_postgres
        options = (
            f"-p {self.server.port} -k {self.server.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        self._pg_ctl("-o", options, "-l", str(self.server.directory / "log"), "-w", "start")

    def create_database(self) -> str:
        import asyncio

        import asyncpg

        name = f"lgsp_faults_{uuid.uuid4().hex[:10]}"

        async def create() -> None:
            admin = await asyncpg.connect(self.server.admin_url)
            try:
                await admin.execute(f'CREATE DATABASE "{name}"')
            finally:
                await admin.close()

        asyncio.run(create())
        return self.server.url(name)


@dataclass
class Credentials:
    client_id: str
    secret: str
    token: str = ""


@dataclass
class Topology:
    """The platform as processes. `kafka` None: the embedded default (`lgsp up` alone: its database, the
    in-process bus and the warehouse sink in one process). Otherwise the gateway, the sample connectors and the
    warehouse sink, each its own process, on Kafka and the given database (PostgreSQL)."""

    name: str
    directory: Path
    database_url: str | None = None
    kafka: KafkaBroker | None = None
    postgres: Postgres | None = None
    replication_factor: int = 1
    gateways: int = 1  # more: gateway2, gateway3… on ports of their own, sharing everything else
    connector_processes: int = 1  # more: connectors2… in the same consumer groups
    settings: dict[str, str] = field(default_factory=dict)  # LGSP_* for every process, over the defaults
    port: int = field(default_factory=free_port)
    processes: dict[str, Process] = field(default_factory=dict)
    consumer: Credentials | None = None
    sharer: Credentials | None = None
    sent_keys: set[str] = field(default_factory=set)  # every key any share to this topology carried

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def embedded(self) -> bool:
        return self.kafka is None

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.directory / 'data' / 'lgsp.db'}"

    @property
    def warehouse_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.directory / 'data' / 'warehouse.db'}"

    @property
    def call_address(self) -> str:
        return SERVICE_ADDRESS if self.embedded else LAND_ADDRESS

    @property
    def call_status(self) -> int:
        """A call's answer when nothing fails: on the embedded default no connector runs, so it times out."""
        return 504 if self.embedded else 200

    @property
    def call_body(self) -> dict[str, Any]:
        return {"ma_ho_so": "HS-000001"} if self.embedded else LAND_REQUEST

    def env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
        settings = {
            "LGSP_DATA_DIR": str(self.directory / "data"),
            "LGSP_URL": self.url,
            "LGSP_ISSUER": self.url,
            "LGSP_ADMIN_CLIENT_ID": ADMIN_ID,
            "LGSP_ADMIN_CLIENT_SECRET": ADMIN_SECRET,
            "LGSP_DEMO_CONNECTOR_SECRET": CONNECTOR_SECRET,
            # cheap secret hashing (the stored format is the same); short waits, so faults settle quickly
            "LGSP_SECRET_HASH_TIME_COST": "1",
            "LGSP_SECRET_HASH_MEMORY_KIB": "1024",
            "LGSP_INSTANCE_HEARTBEAT_SECONDS": "0.5",
            "LGSP_REPLY_TIMEOUT_SECONDS": "0.5" if self.embedded else "3",
            "LGSP_LOG_WRITE_TIMEOUT_SECONDS": "2",
            "LGSP_PUBLIC_CACHE_SECONDS": "0",
        }
        if self.database_url:
            settings["LGSP_DATABASE_URL"] = self.database_url
            settings["LGSP_WAREHOUSE_URL"] = self.database_url  # one database, as docker-compose.yml
        if self.kafka is not None:
            settings["LGSP_KAFKA_BOOTSTRAP"] = self.kafka.bootstrap
            settings["LGSP_KAFKA_IDEMPOTENCE"] = "true"
            settings["LGSP_KAFKA_REPLICATION_FACTOR"] = str(self.replication_factor)
            # as docker-compose.yml: replies and acknowledgements must be signed (`lgsp seed demo --message-keys`)
            settings["LGSP_BUS_SIGNATURES"] = "required"
            settings["LGSP_WAREHOUSE_CLIENT_ID"] = WAREHOUSE_CLIENT
        return {
            **base, **settings, **self.settings, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", "NO_COLOR": "1",
            **extra,
        }  # fmt: skip

    def _process(self, name: str, args: list[str], ready: Callable[[Process], bool], **env: str) -> Process:
        process = Process(name, args, self.env(**env), self.directory / f"{name}.log", ready)
        self.processes[name] = process
        return process

    @property
    def gateway(self) -> Process:
        return self.processes["gateway"]

    @property
    def connectors(self) -> Process:
        return self.processes["connectors"]

    @property
    def warehouse(self) -> Process:
        return self.processes["warehouse"]

    def lgsp(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "gateway", *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise RuntimeError(f"lgsp {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done

    def start(self) -> None:
        """Start every process, as docker-compose.yml orders them; register the campaign's department."""
        (self.directory / "data").mkdir(parents=True, exist_ok=True)
        gateway_args = ["up", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.embedded:
            self._process("gateway", gateway_args, answers(self.url), LGSP_INSTANCE_ID="gw-embedded")
            self.gateway.start()
            self.register()
            return
        self.lgsp("db", "upgrade")
        keys = self.directory / "keys"
        self.lgsp("seed", "demo", "--message-keys", str(keys))
        self._process("gateway", gateway_args, answers(self.url), LGSP_INSTANCE_ID="gw1")
        self.gateway.start()
        self.register()
        for n in range(2, self.gateways + 1):
            port = free_port()
            args = ["up", "--host", "127.0.0.1", "--port", str(port)]
            self._process(f"gateway{n}", args, answers(f"http://127.0.0.1:{port}"), LGSP_INSTANCE_ID=f"gw{n}")
        for n in range(1, self.connector_processes + 1):
            self._process(
                "connectors" if n == 1 else f"connectors{n}", ["connector", "run", SAMPLE_CONNECTORS],
                logged("stop with Ctrl+C"), LGSP_INSTANCE_ID=f"connectors{n}", LGSP_CLIENT_ID="ket-noi-cac-so",
                LGSP_CLIENT_SECRET=CONNECTOR_SECRET, LGSP_MESSAGE_KEY_FILE=str(keys / CONNECTOR_KEYS),
            )  # fmt: skip
        self._process(
            "warehouse", ["warehouse", "run"], logged("dataset(s)"),
            LGSP_INSTANCE_ID="warehouse1", LGSP_MESSAGE_KEY_FILE=str(keys / WAREHOUSE_KEY),
        )  # fmt: skip
        # The others need only the first gateway: they start together (their imports alone take seconds), but
        # connectors processes one after another (the first writes the sample data the others then read).
        connectors = [p for name, p in self.processes.items() if name.startswith("connectors")]
        first = [p for name, p in self.processes.items() if name != "gateway" and p not in connectors[1:]]
        for process in first:
            process.launch()
        for process in first:
            process.wait_ready(timeout=120)
        for process in connectors[1:]:
            process.start(timeout=120)

    def url_of(self, gateway: str) -> str:
        """The URL of a gateway process (`gateway`, `gateway2`…), from the port it was started on."""
        args = self.processes[gateway].args
        return f"http://127.0.0.1:{args[args.index('--port') + 1]}"

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def kill_all(self) -> None:
        for process in self.processes.values():
            process.kill()

    # the campaign's department, its clients and grants (through the API, as an operator would)

    def _admin(self, http: httpx.Client) -> None:
        token = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=basic(ADMIN_ID, ADMIN_SECRET)
        )
        token.raise_for_status()
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def admin_token(self) -> str:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            self._admin(http)
            return str(http.headers["Authorization"]).removeprefix("Bearer ")

    def register(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            self._admin(http)

            def created(response: httpx.Response) -> dict[str, Any]:
                assert response.status_code == 201, response.text
                return dict(response.json())

            agency = {"code": AGENCY, "name": "Đơn vị kiểm thử sự cố", "tier": "department"}
            created(http.post("/api/v1/agencies", json=agency))
            database = {
                "agency": AGENCY,
                "code": "csdl-kiem-thu",
                "name": "CSDL kiểm thử",
                "status": "active",
            }
            created(http.post("/api/v1/databases", json=database))
            yaml = {"Content-Type": "application/yaml"}
            for contract in (DATASET, SERVICE):
                created(http.post("/api/v1/contracts", content=contract.read_bytes(), headers=yaml))
            roles = {"consumer": ("H50", self.call_address), "sharer": (AGENCY, DATASET_ADDRESS)}
            for role, (owner, address) in roles.items():
                client_id = f"faults-{role}"
                client = {"agency": owner, "client_id": client_id, "name": client_id, "role": "consumer"}
                secret = created(http.post("/api/v1/clients", json=client))["client_secret"]
                grant = {"client_id": client_id, "address": address, "purpose": "Kiểm thử sự cố"}
                created(http.post("/api/v1/grants", json=grant))
                token = http.post(
                    "/oauth/token", data={"grant_type": "client_credentials"}, auth=basic(client_id, secret)
                )
                token.raise_for_status()
                setattr(self, role, Credentials(client_id, secret, token.json()["access_token"]))


def started(topology: Topology) -> Iterator[Topology]:
    """A fixture's body: the topology started (its processes' output printed if it cannot start), then killed
    (nothing checks a clean stop once the tests are done: that took up to 20 s a process) and its directory
    removed."""
    try:
        topology.start()
    except BaseException:
        topology.kill_all()
        print(*(f"--- {p.name}\n{p.output()[-4000:]}" for p in topology.processes.values()))
        raise
    try:
        yield topology
    finally:
        topology.kill_all()
        shutil.rmtree(topology.directory, ignore_errors=True)


def new_directory(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"lgsp-faults-{name}-"))
