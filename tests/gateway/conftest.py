"""Fixtures of the gateway's tests: a seeded province served over real HTTP."""

from collections.abc import AsyncIterator

import pytest

from gateway.app import create_app
from tests.gateway.coverage_scenario import Scenario
from tests.gateway.dashboard_province import seed_province
from tests.harness import gateway_settings, running_gateway
from tests.live_server import LiveServer


@pytest.fixture(scope="module")
async def served_province(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    """The province of `dashboard_province` on SQLite, seeded in-process, then served by uvicorn."""
    data = tmp_path_factory.mktemp("province")
    settings = gateway_settings(f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data)
    async with running_gateway(settings) as harness:
        await seed_province(Scenario(harness))
    async with LiveServer(create_app(settings)) as server:
        yield server
