"""The federation as real processes on loopback: a national tier and two provinces, each `lgsp up` on the
embedded default with its own data directory and port. Province B reaches the national tier through a proxy
that can tamper with the directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.topology import ROOT, Process, answers
from tests.federation.proxy import DirectoryProxy
from tests.services import free_port

ADMIN_ID = "federation-admin"
ADMIN_SECRET = "federation-admin-secret-for-tests"
REFRESH_SECONDS = 0.5
NATIONAL, PROVINCE_A, PROVINCE_B = "G01", "H50", "H93"
SERVICE = ROOT / "tests" / "faults" / "so-kiem-thu--tra-cuu--1.0.0.yaml"  # provider H50.98
SERVICE_ADDRESS = "H50.98/tra-cuu/v1"


def wait_until(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll `check` until it returns something true (a member learns of a change at its next refresh)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not so after {timeout}s: last {found!r}")
        time.sleep(0.1)


@dataclass
class Instance:
    code: str
    directory: Path
    process: Process
    url: str
    _token: str | None = field(default=None, init=False)

    def env(self) -> dict[str, str]:
        return self.process.env | {"LGSP_URL": self.url}

    def http(self, authenticated: bool = True) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token()}"} if authenticated else {}
        return httpx.Client(base_url=self.url, timeout=30, headers=headers)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def token(self) -> str:
        if self._token is None:
            answer = httpx.post(
                f"{self.url}/oauth/token", data={"grant_type": "client_credentials"},
                auth=httpx.BasicAuth(ADMIN_ID, ADMIN_SECRET), timeout=30,
            )  # fmt: skip
            answer.raise_for_status()
            self._token = str(answer.json()["access_token"])
        return self._token

    def lgsp(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gateway", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip

    def status(self) -> dict[str, Any]:
        with self.http() as http:
            return dict(http.get("/api/v1/federation/status").json())

    def restart(self) -> None:
        self.process.kill()
        self._token = None
        self.process.start()


@dataclass
class Federation:
    root: Path
    national: Instance
    a: Instance
    b: Instance
    proxy: DirectoryProxy
    pinned: Path

    @property
    def instances(self) -> list[Instance]:
        return [self.national, self.a, self.b]


def _env(directory: Path, url: str, code: str, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    return (
        base
        | {
            "LGSP_DATA_DIR": str(directory),
            "LGSP_ISSUER": url,
            "LGSP_ADMIN_CLIENT_ID": ADMIN_ID,
            "LGSP_ADMIN_CLIENT_SECRET": ADMIN_SECRET,
            "LGSP_SECRET_HASH_TIME_COST": "1",
            "LGSP_SECRET_HASH_MEMORY_KIB": "1024",
            "LGSP_INSTANCE_HEARTBEAT_SECONDS": "0.5",
            "LGSP_INSTANCE_ID": f"gw-{code.lower()}",
            "LGSP_PROVINCE": code,
            "LGSP_OPERATOR_AGENCY": code,
            "LGSP_OPERATOR_NAME": f"Nền tảng {code}",
            "LGSP_FEDERATION_REFRESH_SECONDS": str(REFRESH_SECONDS),
        }
        | extra
    )


def _instance(root: Path, code: str, *args: str, **extra: str) -> Instance:
    directory = root / code
    directory.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(directory, url, code, **extra)
    process = Process(code, ["up", "--port", str(port), *args], env, root / f"{code}.log", answers(url))
    return Instance(code, directory, process, url)


@contextmanager
def running_federation(
    settings: dict[str, str] | None = None,
    a_args: tuple[str, ...] = (),
    b_env: dict[str, str] | None = None,
    national_demo: bool = False,
) -> Iterator[Federation]:
    """The national tier and provinces A and B, each with `settings`, until the block ends; A started with
    `lgsp up` and `a_args`, B with `b_env` in its environment too; with `national_demo` the national tier is
    seeded with the national databases and started `lgsp up --demo` (a connector answers their services)."""
    federation_settings = settings or {}
    root = Path(tempfile.mkdtemp(prefix="lgsp-federation-"))
    national_args = ("--demo",) if national_demo else ()
    national = _instance(root, NATIONAL, *national_args, LGSP_TIER="national", **federation_settings)
    key = national.lgsp("federation", "key")
    assert key.returncode == 0, key.stderr
    if national_demo:
        seeded = national.lgsp("seed", "province", "national")
        assert seeded.returncode == 0, seeded.stderr
    pinned = root / "national-key.json"
    pinned.write_text(key.stdout)
    proxy = DirectoryProxy(national.url)
    proxy.start()
    member = {"LGSP_NATIONAL_KEY_FILE": str(pinned)} | federation_settings
    a = _instance(root, PROVINCE_A, *a_args, LGSP_NATIONAL_URL=national.url, **member)
    b = _instance(root, PROVINCE_B, LGSP_NATIONAL_URL=proxy.url, **(member | (b_env or {})))
    found = Federation(root, national, a, b, proxy, pinned)
    try:
        for instance in found.instances:
            instance.process.start()
        yield found
    except BaseException:
        print(*(f"--- {i.code}\n{i.process.output()[-4000:]}" for i in found.instances))
        raise
    finally:
        for instance in found.instances:
            instance.process.stop()
        proxy.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def federation_settings() -> dict[str, str]:
    """Settings every instance of a module's federation gets (a module overrides this fixture)."""
    return {}


@pytest.fixture(scope="module")
def federation(federation_settings: dict[str, str]) -> Iterator[Federation]:
    with running_federation(federation_settings) as found:
        yield found


@pytest.fixture(scope="module")
def joined(federation: Federation) -> Federation:
    """Both provinces asked to join and the national operator approved them (A by the CLI, B over the API)."""
    for member in (federation.a, federation.b):
        done = member.lgsp("federation", "join", "--name", f"Tỉnh {member.code}")
        assert done.returncode == 0, done.stderr
    assert federation.national.lgsp("federation", "approve", PROVINCE_A).returncode == 0
    with federation.national.http() as http:
        assert http.post(f"/api/v1/federation/members/{PROVINCE_B}/approve").status_code == 200
    for member in (federation.a, federation.b):
        wait_until(lambda m=member: m.status()["member_status"] == "active")
    return federation


def publish_test_service(federation: Federation) -> None:
    """Province A registers a service of its department H50.98 and shares it beyond the province."""
    with federation.a.http() as http:
        agency = {"code": "H50.98", "name": "Sở kiểm thử", "tier": "department"}
        assert http.post("/api/v1/agencies", json=agency).status_code == 201
        database = {"agency": "H50.98", "code": "csdl-kiem-thu", "name": "CSDL kiểm thử", "status": "active"}
        assert http.post("/api/v1/databases", json=database).status_code == 201
        contract = http.post(
            "/api/v1/contracts", content=SERVICE.read_bytes(), headers={"Content-Type": "application/yaml"}
        )
        assert contract.status_code == 201, contract.text
    done = federation.a.lgsp("federation", "publish", SERVICE_ADDRESS, "--json")
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def published(joined: Federation) -> Federation:
    """Province A registered a service of its department H50.98 and shared it beyond the province."""
    publish_test_service(joined)
    return joined


def handmade_report(member: str, covered: int, *, iat: float | None = None) -> dict[str, Any]:
    """A well-formed report with figures no province here has (7 of 9): seen only if it was accepted."""
    ratio = {"covered": covered, "total": 9, "ratio": covered / 9, "target": 0.6, "met": covered / 9 >= 0.6}
    counts = {"registered": 9, "connected": covered, "sharing": covered}
    coverage = {
        "province": member, "province_name": None, "at": "2026-01-01T00:00:00Z", "window": "30d",
        "agency_coverage": ratio, "database_coverage": ratio, "databases": counts,
        "departments_with_databases": 9, "departments": [],
    }  # fmt: skip
    return {
        "member": member,
        "iat": iat or time.time(),
        "jti": str(uuid.uuid4()),
        "coverage": coverage,
        "trend": [],
        "federation_calls": 0,
    }
