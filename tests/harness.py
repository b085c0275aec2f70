"""An in-process gateway for API tests: the real app on a real database, called through httpx."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from gateway.app import create_app
from gateway.settings import Settings

ADMIN_ID = "root-admin"
ADMIN_SECRET = "root-admin-secret-for-tests"


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@dataclass
class Harness:
    app: FastAPI
    http: httpx.AsyncClient
    settings: Settings
    _tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)

    async def token(self, client_id: str, secret: str, scope: str | None = None) -> str:
        key = (client_id, scope)
        if key not in self._tokens:
            form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
            response = await self.http.post("/oauth/token", data=form, headers=basic(client_id, secret))
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]

    async def auth(
        self, client_id: str = ADMIN_ID, secret: str = ADMIN_SECRET, scope: str | None = None
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(client_id, secret, scope)}"}

    async def admin(self) -> dict[str, str]:
        return await self.auth()

    async def post(self, path: str, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body, headers=headers or await self.admin())

    async def create_agency(self, code: str, name: str, tier: str = "department") -> dict[str, Any]:
        response = await self.post("/api/v1/agencies", {"code": code, "name": name, "tier": tier})
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def create_database(
        self, agency: str, code: str, name: str = "CSDL", status: str = "active"
    ) -> dict[str, Any]:
        response = await self.post(
            "/api/v1/databases", {"agency": agency, "code": code, "name": name, "status": status}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def create_client(self, agency: str, client_id: str, role: str = "consumer") -> tuple[str, str]:
        response = await self.post(
            "/api/v1/clients", {"agency": agency, "client_id": client_id, "name": client_id, "role": role}
        )
        assert response.status_code == 201, response.text
        return client_id, response.json()["client_secret"]


def gateway_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "admin_client_id": ADMIN_ID,
        "admin_client_secret": ADMIN_SECRET,
        "operator_agency": "H50",
        "operator_name": "UBND tỉnh Quảng Trị",
        # cheap secret hashing: the tests create many clients; the stored format is the same
        "secret_hash_time_cost": 1,
        "secret_hash_memory_kib": 1024,
        **overrides,
    }
    return Settings(**values)


@asynccontextmanager
async def running_gateway(settings: Settings, **options: Any) -> AsyncIterator[Harness]:
    """The app started (lifespan and all) and an httpx client calling it in-process; `options` go to create_app."""
    app = create_app(settings, **options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Harness(app=app, http=http, settings=settings)


FIXTURES = Path(__file__).parent / "contracts" / "fixtures"
LAND_SERVICE = FIXTURES / "tra-cuu-thua-dat-1.0.yaml"
LAND_ADDRESS = "H50.20/tra-cuu-thua-dat/v1"


async def register_contract(
    harness: Harness, path: Path, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await harness.http.post(
        "/api/v1/contracts",
        content=path.read_bytes(),
        headers={**(headers or await harness.admin()), "Content-Type": "application/yaml"},
    )


async def land_department(harness: Harness) -> None:
    """Sở Tài nguyên và Môi trường (H50.20) with its land database and the land-parcel lookup 1.0.0."""
    await harness.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
    await harness.create_database("H50.20", "csdl-dat-dai", "CSDL đất đai")
    response = await register_contract(harness, LAND_SERVICE)
    assert response.status_code == 201, response.text


async def run_cli(args: list[str], env: dict[str, str] | None = None) -> Any:
    """Run `lgsp ARGS` as a user would, in a thread (its commands run their own event loop)."""
    import asyncio

    from typer.testing import CliRunner

    from gateway.cli import app as cli

    wide = {"COLUMNS": "200", **(env or {})}  # a wide terminal, so table cells are not wrapped
    return await asyncio.to_thread(CliRunner().invoke, cli, args, env=wide)


LAND_DATASET = FIXTURES / "thua-dat-dataset.yaml"
LAND_DATASET_ADDRESS = "H50.20/thua-dat/v1"


def parcel(number: int, commune: str = "19234") -> dict[str, Any]:
    return {
        "parcel_id": f"{commune}-1-{number}",
        "commune_code": commune,
        "area_m2": 100.0 + number,
        "land_use": "ONT",
        "updated_at": "2026-11-20T08:30:00+07:00",
    }


async def land_sharing(harness: Harness) -> dict[str, str]:
    """The land department with its dataset contract and a connector client allowed to publish it."""
    await land_department(harness)
    response = await register_contract(harness, LAND_DATASET)
    assert response.status_code == 201, response.text
    client_id, secret = await harness.create_client("H50.20", "h50-20-connector")
    grant = await harness.post(
        "/api/v1/grants",
        {"client_id": client_id, "address": LAND_DATASET_ADDRESS, "purpose": "Chia sẻ vào kho"},
    )
    assert grant.status_code == 201, grant.text
    return await harness.auth(client_id, secret)


class LiveGateway:
    """The gateway served over real HTTP by uvicorn in a background thread (for the CLI and the browser)."""

    def __init__(self, settings: Settings, bus: Any = None, **options: Any) -> None:
        """`options` go to create_app (such as `extensions`, to run connectors inside the gateway)."""
        import uvicorn

        from tests.services import free_port

        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings, bus=bus, **options), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self._thread: Any = None

    def __enter__(self) -> LiveGateway:
        import threading
        import time

        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the gateway did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)

    def cli_env(self, client_id: str = ADMIN_ID, secret: str = ADMIN_SECRET) -> dict[str, str]:
        return {"LGSP_URL": self.url, "LGSP_CLIENT_ID": client_id, "LGSP_CLIENT_SECRET": secret}
