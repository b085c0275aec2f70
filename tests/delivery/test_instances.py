"""One live gateway per instance id (its log chain), and registry changes that reach every gateway in bounded
time even when their event is lost."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from gateway.app import CannotStart
from registry.grants.models import Grant
from registry.storage import utcnow
from tests.harness import gateway_settings, land_sharing, running_gateway
from tests.services import free_port


class TestInstanceIdsAreUnique:
    async def test_a_second_gateway_with_a_live_id_refuses_to_start(
        self, database_url: str, tmp_path: Path
    ) -> None:
        settings = gateway_settings(database_url, tmp_path, instance_id="gw-a")
        async with running_gateway(settings):
            with pytest.raises(CannotStart, match="instance id 'gw-a' is running"):
                async with running_gateway(gateway_settings(database_url, tmp_path, instance_id="gw-a")):
                    pass
            async with running_gateway(gateway_settings(database_url, tmp_path, instance_id="gw-b")):
                pass  # another id starts beside it
        async with running_gateway(settings):
            pass  # stopped cleanly, its id is free again


class TestRefusalIsOneLine:
    async def test_lgsp_up_with_a_live_id_says_why_without_a_traceback(self, tmp_path: Path) -> None:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path, instance_id="gw-a"
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LGSP_")},
            "LGSP_DATA_DIR": str(tmp_path), "LGSP_INSTANCE_ID": "gw-a", "LGSP_ISSUER": "http://localhost:8080",
        }  # fmt: skip
        async with running_gateway(settings):
            second = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "gateway", "up", "--port", str(free_port()), env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            output, _ = await asyncio.wait_for(second.communicate(), 60)

        text = output.decode()
        assert second.returncode != 0
        assert "cannot start: a gateway with instance id 'gw-a' is running" in text
        assert "Traceback" not in text


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
