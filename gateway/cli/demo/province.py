"""`lgsp up --demo`: the gateway plus, in the same process, the demo province seeded, its sample connectors,
the warehouse sink, weeks of history and live traffic — on the in-process bus, or on Kafka when configured."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from fastapi import FastAPI
from rich.console import Console

from connectors.samples.connectors import build_connectors
from connectors.sdk import ConnectorRunner, GatewayClient, GatewayKeys
from contracts.document import ContractDocument, Kind
from gateway.bootstrap import admin_credentials
from gateway.cli.demo.clients import CONNECTORS, CONSUMERS, capture_demo_services, ensure_demo_clients
from gateway.cli.demo.history import Consumer, backfill
from gateway.cli.demo.traffic import Caller, Traffic
from gateway.runtime import GatewayRuntime
from registry.catalogue.service import CatalogueService
from registry.demo.seed import seed_demo, seeder
from registry.storage import utcnow
from warehouse.embedded import start_embedded_sink
from warehouse.sink import DatasetContracts

TRY_REQUEST = {
    "ma_xa": "19333",
    "so_to": 12,
    "so_thua": 145,
}  # the README's call, the contract's first example
INTERNAL_URL = "http://lgsp.internal"  # in-process HTTP to the app itself; never leaves the process
console = Console(highlight=False)


def demo_province(traffic_interval: float = 2.0, url: str | None = None) -> "DemoExtension":
    """The demo province; its banner names `url` as where to reach this gateway (default: the issuer)."""
    return DemoExtension(traffic_interval, url)


class DemoExtension:
    def __init__(self, traffic_interval: float, url: str | None = None) -> None:
        self.traffic_interval = traffic_interval
        self.url = url

    def __call__(self, app: FastAPI, runtime: GatewayRuntime) -> AbstractAsyncContextManager[None]:
        return self._run(app, runtime)

    @asynccontextmanager
    async def _run(self, app: FastAPI, runtime: GatewayRuntime) -> AsyncIterator[None]:
        settings = runtime.settings
        async with runtime.sessionmaker() as session:
            report = await seed_demo(session, runtime.events)
            secrets = await ensure_demo_clients(session, runtime.events, seeder(settings.province))
            await capture_demo_services(session, runtime.events, seeder(settings.province))
        transport = httpx.ASGITransport(app=app)

        def client(client_id: str) -> GatewayClient:
            return GatewayClient(INTERNAL_URL, client_id, secrets[client_id], transport=transport)

        keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
        # `lgsp up` runs the embedded warehouse itself (gateway/platform.py); alone, the demo brings one
        sink = (
            None
            if getattr(app.state, "warehouse", None) is not None or settings.warehouse_embedded == "off"
            else await start_embedded_sink(
                runtime.bus, settings.effective_warehouse_url, keys, _datasets(runtime)
            )
        )
        connectors = await asyncio.to_thread(build_connectors, settings.data_dir / "samples")
        sharer = client(CONNECTORS.client_id)
        runner = ConnectorRunner(connectors, runtime.bus, keys=keys, gateway=sharer)
        await runner.start()
        granted = {
            c.client_id: tuple(
                address
                for address, route in runtime.directory.routes.items()
                if route.kind is Kind.SERVICE
                and runtime.directory.grant(c.client_id, address, utcnow()) is not None
            )
            for c in CONSUMERS
        }
        consumers: dict[str, list[Consumer]] = {}
        for demo_client in CONSUMERS:
            for address in granted[demo_client.client_id]:
                consumers.setdefault(address, []).append(Consumer(demo_client.client_id, demo_client.agency))
        written = await backfill(runtime, consumers, Consumer(CONNECTORS.client_id, CONNECTORS.agency))
        callers = [Caller(client(c.client_id), granted[c.client_id]) for c in CONSUMERS]
        traffic = Traffic(runtime.directory, callers, interval=self.traffic_interval)
        traffic.start()
        _banner(runtime, self.url, secrets, report.summary(), written, len(runner.services))
        try:
            yield
        finally:
            await traffic.stop()
            await runner.stop()
            if sink is not None:
                await sink.stop()
            for caller in callers:
                await caller.client.aclose()
            await sharer.aclose()


def _datasets(runtime: GatewayRuntime) -> DatasetContracts:
    async def published() -> list[ContractDocument]:
        async with runtime.sessionmaker() as session:
            return [document for _, document in await CatalogueService(session).entries(Kind.DATASET)]

    return published


def _banner(
    runtime: GatewayRuntime, url: str | None, secrets: dict[str, str], seeded: str, written: int, served: int
) -> None:
    settings = runtime.settings
    base = (url or settings.issuer).rstrip("/")
    admin = admin_credentials(settings) or ("(none)", "")
    portal = CONSUMERS[0].client_id
    bus = f"Kafka at {settings.kafka_bootstrap}" if settings.kafka_bootstrap else "the in-process bus"
    history = f"{written} past exchanges written" if written else "history already in the log"
    lines = [
        "[bold]LGSP Mock — demo province Quảng Trị (H50)[/bold]",
        f"on {bus}; database {settings.effective_database_url}",
        f"seeded {seeded}",
        f"{served} services answered by sample connectors; {history}",
        "",
        f"dashboard  {base}/dashboard",
        f"API docs   {base}/docs",
        f"admin      {admin[0]} / {admin[1]}",
        f"consumer   {portal}, with a new secret each start (below)",
        "",
        "try it:",
        f"  export LGSP_URL={base} LGSP_CLIENT_ID={portal}",
        f"  export LGSP_CLIENT_SECRET={secrets[portal]}",
        f"  lgsp call H50.20/tra-cuu-thua-dat/v1 -d '{json.dumps(TRY_REQUEST, ensure_ascii=False)}'",
    ]
    console.rule()
    for line in lines:
        console.print(line, soft_wrap=True)
    console.rule()
