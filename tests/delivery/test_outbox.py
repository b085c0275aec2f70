"""On the in-process bus an accepted share is kept in the platform database until the warehouse acknowledges it,
so one lost with the process (its queues) is published again at the next start and delivered once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from gateway.exchangelog.models import ShareOutbox
from gateway.platform import platform_extensions
from tests.harness import Harness, gateway_settings, land_sharing, parcel, running_gateway

SHARE = "/share/H50.20/thua-dat/v1"


async def kept(gateway: Harness) -> int:
    async with gateway.app.state.runtime.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(ShareOutbox)) or 0)


class TestSharesSurviveTheProcess:
    async def test_published_again_at_start_and_delivered(self, database_url: str, tmp_path: Path) -> None:
        settings = gateway_settings(
            database_url, tmp_path, warehouse_url=database_url, warehouse_embedded="off"
        )
        async with running_gateway(settings) as gateway:  # no warehouse: the share waits in the bus's memory
            headers = await land_sharing(gateway)
            response = await gateway.http.post(
                SHARE, json={"records": [parcel(1), parcel(2)]}, headers=headers
            )
            assert response.status_code == 202
            exchange_id = response.json()["exchange_id"]
            assert await kept(gateway) == 1
        # the process ends with the message in its queue; the next start, with its warehouse, publishes it again
        settings = gateway_settings(database_url, tmp_path, warehouse_url=database_url)
        async with running_gateway(settings, extensions=platform_extensions(settings)) as gateway:
            admin = await gateway.admin()
            for _ in range(500):
                logged = (await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=admin)).json()
                if logged["delivered_at"] is not None:
                    break
                await asyncio.sleep(0.02)
            assert logged["delivered_at"] is not None
            assert await gateway.app.state.warehouse.store.count("H50.20/thua-dat/v1") == 2
            for _ in range(100):
                if await kept(gateway) == 0:
                    break
                await asyncio.sleep(0.02)
            assert await kept(gateway) == 0  # acknowledged: no longer kept
