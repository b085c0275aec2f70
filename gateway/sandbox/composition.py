"""The sandbox: the real gateway app in process (temporary SQLite, in-process bus, called through httpx's ASGI
transport), a department's contracts registered, its connectors answering, and a consumer allowed to call."""

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from bus import InProcessBus
from connectors.sdk import Connector, ConnectorRunner, GatewayClient, GatewayKeys
from contracts.document import ContractDocument, Kind
from gateway.app import create_app
from gateway.platform import http_backends
from gateway.runtime import GatewayRuntime
from gateway.sandbox.registration import (
    Credentials,
    connector_client,
    consumer_client,
    register_department,
)
from gateway.settings import Settings

URL = "http://lgsp.sandbox"
OPERATOR = "H50"


@dataclass(frozen=True)
class SandboxCall:
    status: int
    body: Any
    exchange_id: str | None


class Sandbox:
    def __init__(
        self,
        app: FastAPI,
        admin: GatewayClient,
        consumer: GatewayClient,
        contracts: Sequence[ContractDocument],
        connectors: Sequence[Connector],
    ) -> None:
        self.app = app
        self.admin = admin
        self.consumer = consumer
        self.contracts = list(contracts)
        self.connectors = list(connectors)

    @property
    def runtime(self) -> GatewayRuntime:
        runtime: GatewayRuntime = self.app.state.runtime
        return runtime

    def client(self, client_id: str | None = None, client_secret: str | None = None) -> GatewayClient:
        """Another client of the sandbox gateway (close it when done)."""
        return GatewayClient(URL, client_id, client_secret, transport=httpx.ASGITransport(app=self.app))

    async def call(self, address: str, body: Any, *, request_id: str | None = None) -> SandboxCall:
        """Call a service as the sandbox's consumer; error statuses are returned, not raised."""
        result = await self.consumer.call(address, body, request_id=request_id)
        return SandboxCall(result.status, result.body, result.exchange_id)

    async def exchange(self, exchange_id: str) -> dict[str, Any]:
        """One exchange of the log, with its captured payloads (sensitive fields masked)."""
        found: dict[str, Any] = await self.admin.get(f"/api/v1/exchanges/{exchange_id}")
        return found

    async def exchanges(self, **filters: Any) -> list[dict[str, Any]]:
        """The exchange log, newest first (filters as `GET /api/v1/exchanges`: address, outcome, ...)."""
        page = await self.admin.get("/api/v1/exchanges", **{"limit": 500, **filters})
        return list(page["items"])


def bundled(connectors: Sequence[Connector]) -> list[ContractDocument]:
    """The contracts the connectors carry for their own services and datasets."""
    found = []
    for connector in connectors:
        for kind, addresses in ((Kind.SERVICE, connector.services), (Kind.DATASET, connector.datasets)):
            found += [doc for address in addresses if (doc := connector.document(kind, address)) is not None]
    return found


def sandbox_settings(data_dir: Path) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "data_dir": data_dir,
        "database_url": f"sqlite+aiosqlite:///{data_dir / 'sandbox.db'}",
        "kafka_bootstrap": None,
        "instance_id": "sandbox",
        "demo": False,
        "operator_agency": OPERATOR,
        "admin_client_id": "sandbox-admin",
        "admin_client_secret": secrets.token_urlsafe(24),
        "secret_hash_time_cost": 1,  # cheap hashing for throwaway clients; the stored format is the same
        "secret_hash_memory_kib": 1024,
    }
    return Settings(**values)


@asynccontextmanager
async def open_sandbox(
    contracts: Sequence[ContractDocument], connectors: Sequence[Connector], data_dir: Path
) -> AsyncIterator[Sandbox]:
    """A started sandbox; everything is stopped and closed on exit."""
    documents = {(d.kind, str(d.address), d.version): d for d in [*contracts, *bundled(connectors)]}
    settings = sandbox_settings(data_dir)
    assert settings.admin_client_secret is not None
    bus = InProcessBus(settings.instance_id)
    await bus.start()
    app = create_app(settings, bus=bus, extensions=[http_backends])  # services bound to HTTP backends
    async with AsyncExitStack() as stack:
        stack.push_async_callback(bus.stop)
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)

        secret = settings.admin_client_secret.get_secret_value()
        admin = await stack.enter_async_context(
            GatewayClient(URL, settings.admin_client_id, secret, transport=transport)
        )
        await register_department(admin, list(documents.values()))
        consumer = await stack.enter_async_context(
            _gateway_client(await consumer_client(admin, OPERATOR, list(documents.values())), transport)
        )
        keys = GatewayKeys(url=URL, transport=transport)
        stack.push_async_callback(keys.aclose)
        for connector in connectors:
            own = await connector_client(admin, connector)
            gateway = await stack.enter_async_context(_gateway_client(own, transport))
            await stack.enter_async_context(ConnectorRunner(connector, bus, keys=keys, gateway=gateway))
        yield Sandbox(app, admin, consumer, list(documents.values()), connectors)


def _gateway_client(credentials: Credentials | None, transport: httpx.AsyncBaseTransport) -> GatewayClient:
    ids = (credentials.client_id, credentials.client_secret) if credentials else (None, None)
    return GatewayClient(URL, *ids, transport=transport)
