"""Recorded traffic for the replay tests: a gateway with capture on, a connector answering, a tester's calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from connectors.sdk import Connector, ConnectorRunner, GatewayClient, GatewayKeys
from gateway.replay import (
    RecordedExchange,
    ReplayOptions,
    ReplayReport,
    Selection,
    Target,
    replay,
    select_from_gateway,
)
from gateway.runtime import GatewayRuntime
from gateway.settings import Settings
from tests.harness import (
    LAND_ADDRESS,
    Harness,
    LiveGateway,
    gateway_settings,
    land_department,
    register_contract,
    running_gateway,
)
from tests.replay.connectors import BY_CITIZEN, BY_CITIZEN_ADDRESS

TESTER = "kiem-thu-tich-hop"


def parcel(commune: str, sheet: int, number: int) -> tuple[str, dict[str, Any]]:
    return LAND_ADDRESS, {"commune_code": commune, "map_sheet": sheet, "parcel_number": number}


P1, P2, P3 = parcel("19234", 12, 345), parcel("19234", 7, 88), parcel("19235", 3, 21)
MISSING = parcel("19234", 1, 1)
# six exchanges: the parcel `changed` alters is asked twice (the 2nd and 5th), the 6th fails at the connector
CALLS = [P1, P2, P3, P1, P2, MISSING]


def serving(connector: Connector) -> Callable[[FastAPI, GatewayRuntime], Any]:
    """A gateway extension: the connector answering on the gateway's own bus (as `lgsp up --demo` runs them)."""

    @asynccontextmanager
    async def extension(app: FastAPI, runtime: GatewayRuntime) -> AsyncIterator[None]:
        keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
        async with ConnectorRunner(connector, runtime.bus, keys=keys):
            yield

    return extension


async def land_province(harness: Harness) -> tuple[str, str]:
    """H50.20's two services with capture on, and the tester's client (H50.1) granted both."""
    await land_department(harness)
    assert (await register_contract(harness, BY_CITIZEN)).status_code == 201
    await harness.create_agency("H50.1", "Văn phòng UBND tỉnh")
    tester = await harness.create_client("H50.1", TESTER)
    for address in (LAND_ADDRESS, BY_CITIZEN_ADDRESS):
        patched = await harness.http.patch(
            f"/api/v1/services/{address}", json={"capture_payloads": True}, headers=await harness.admin()
        )
        assert patched.status_code == 200, patched.text
        grant = {"client_id": tester[0], "address": address, "purpose": "kiểm thử tích hợp"}
        assert (await harness.post("/api/v1/grants", grant)).status_code == 201
    return tester


async def call_all(harness: Harness, tester: tuple[str, str], calls: list[tuple[str, Any]]) -> list[str]:
    ids = []
    for address, body in calls:
        response = await harness.http.post(
            f"/exchange/{address}", json=body, headers=await harness.auth(*tester)
        )
        assert response.status_code in (200, 502), response.text
        ids.append(response.headers["x-exchange-id"])
    return ids


@dataclass
class Recording:
    harness: Harness
    tester: tuple[str, str]
    ids: list[str]

    def client(self) -> GatewayClient:
        """The tester's own client of the recording gateway."""
        transport = httpx.ASGITransport(app=self.harness.app)
        return GatewayClient("http://testserver", *self.tester, transport=transport)

    async def exchanges(self, selection: Selection | None = None) -> list[RecordedExchange]:
        async with self.client() as client:
            return await select_from_gateway(client, selection or Selection())

    async def replay_on(
        self, target: Target, options: ReplayOptions | None = None, selection: Selection | None = None
    ) -> ReplayReport:
        exchanges = await self.exchanges(selection)
        async with target:
            return await replay(exchanges, target, options)


@asynccontextmanager
async def recording(
    settings: Settings, connector: Connector, calls: list[tuple[str, Any]] = CALLS
) -> AsyncIterator[Recording]:
    """A gateway (capture on) whose `connector` answered the tester's `calls`, still running."""
    async with running_gateway(settings, extensions=[serving(connector)]) as harness:
        tester = await land_province(harness)
        yield Recording(harness, tester, await call_all(harness, tester, calls))


def _settings_factory(first_url: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Settings]:
    """The first gateway on `first_url`, each further one on another database of its own."""
    urls = iter([first_url])

    def make() -> Settings:
        url = next(urls, None) or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('other') / 'lgsp.db'}"
        return gateway_settings(url, tmp_path_factory.mktemp("data"))

    return make


@pytest.fixture
def new_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Settings]:
    """Settings of gateways on fresh databases, the first on each backend in turn (reading the log)."""
    return _settings_factory(database_url, tmp_path_factory)


@pytest.fixture
def sqlite_settings(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Settings]:
    """The same on SQLite only: for behaviours that do not depend on the log's database."""
    return _settings_factory(
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'lgsp.db'}", tmp_path_factory
    )


@dataclass
class LiveRecording:
    """A recording gateway on a real port, for the command line."""

    live: LiveGateway
    recording: Recording

    def env(self, tester: tuple[str, str] | None = None) -> dict[str, str]:
        return self.live.cli_env(*(tester or self.recording.tester))


@asynccontextmanager
async def live_recording(
    settings: Settings, connector: Connector, calls: list[tuple[str, Any]] = CALLS
) -> AsyncIterator[LiveRecording]:
    with LiveGateway(settings, extensions=[serving(connector)]) as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
            harness = Harness(app=live.server.config.app, http=http, settings=settings)
            tester = await land_province(harness)
            yield LiveRecording(live, Recording(harness, tester, await call_all(harness, tester, calls)))
