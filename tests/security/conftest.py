"""The security tests' gateway: the real app on each backend, answering quickly when no provider replies."""

from collections.abc import AsyncIterator

import pytest

from tests.harness import Harness, gateway_settings, running_gateway


@pytest.fixture
async def gateway(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    settings = gateway_settings(database_url, tmp_path_factory.mktemp("data"), reply_timeout_seconds=0.5)
    async with running_gateway(settings) as harness:
        yield harness
