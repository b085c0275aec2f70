"""One live gateway per instance id (its log chain), and registry changes that reach every gateway in bounded
time even when their event is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import update

from gateway.instances import InstanceInUse
from registry.grants.models import Grant
from registry.storage import utcnow
from tests.harness import gateway_settings, land_sharing, running_gateway


class TestInstanceIdsAreUnique:
    async def test_a_second_gateway_with_a_live_id_refuses_to_start(
        self, database_url: str, tmp_path: Path
    ) -> None:
        settings = gateway_settings(database_url, tmp_path, instance_id="gw-a")
        async with running_gateway(settings):
            with pytest.raises(InstanceInUse):
                async with running_gateway(gateway_settings(database_url, tmp_path, instance_id="gw-a")):
                    pass
            async with running_gateway(gateway_settings(database_url, tmp_path, instance_id="gw-b")):
                pass  # another id starts beside it
        async with running_gateway(settings):
            pass  # stopped cleanly, its id is free again


class TestRegistryChangesWithoutTheirEvent:
    async def test_a_revoked_grant_is_dropped_at_the_next_periodic_check(
        self, database_url: str, tmp_path: Path
    ) -> None:
        settings = gateway_settings(database_url, tmp_path, registry_refresh_seconds=0.2)
        async with running_gateway(settings) as gateway:
            await land_sharing(gateway)
            directory = gateway.app.state.runtime.directory
            assert directory.grant("h50-20-connector", "H50.20/thua-dat/v1", utcnow()) is not None
            # revoked as another gateway would, but its registry event is lost
            async with gateway.app.state.runtime.engine.begin() as connection:
                await connection.execute(update(Grant).values(revoked_at=utcnow()))
            for _ in range(200):
                if directory.grant("h50-20-connector", "H50.20/thua-dat/v1", utcnow()) is None:
                    break
                await asyncio.sleep(0.05)
            assert directory.grant("h50-20-connector", "H50.20/thua-dat/v1", utcnow()) is None
