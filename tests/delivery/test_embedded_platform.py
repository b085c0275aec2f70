"""`lgsp up` is a whole platform: shares answered 202 reach the in-process warehouse, so coverage moves."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gateway.platform import platform_extensions
from tests.harness import LAND_DATASET, Harness, basic, gateway_settings, parcel, running_gateway

DEPARTMENTS = {"H50.21": ["csdl-a1", "csdl-a2"], "H50.22": ["csdl-b"], "H50.23": ["csdl-c"]}


async def dataset_for(platform: Harness, agency: str, database: str) -> dict[str, str]:
    """A dataset contract of `database` and a connector client of `agency` allowed to share it."""
    document = (
        LAND_DATASET.read_text()
        .replace("provider: H50.20\n", f"provider: {agency}\n")
        .replace("database: csdl-dat-dai\n", f"database: {database}\n")
    )
    response = await platform.http.post(
        "/api/v1/contracts",
        content=document.encode(),
        headers={**await platform.admin(), "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    client_id, secret = await platform.create_client(agency, f"{agency.lower().replace('.', '-')}-ket-noi")
    grant = await platform.post(
        "/api/v1/grants",
        {"client_id": client_id, "address": f"{agency}/thua-dat/v1", "purpose": "Chia sẻ vào kho"},
    )
    assert grant.status_code == 201, grant.text
    token = await platform.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def delivered(platform: Harness, exchange_id: str, headers: dict[str, str]) -> bool:
    for _ in range(500):
        response = await platform.http.get(f"/api/v1/exchanges/{exchange_id}", headers=headers)
        if response.json()["delivered_at"] is not None:
            return True
        await asyncio.sleep(0.02)
    return False


class TestPlainUpIsAWholePlatform:
    async def test_shares_from_two_of_three_departments_give_two_thirds_coverage(
        self, database_url: str, tmp_path: Path
    ) -> None:
        settings = gateway_settings(database_url, tmp_path, warehouse_url=database_url)
        assert settings.runs_embedded_warehouse  # the default, on the in-process bus
        async with running_gateway(settings, extensions=platform_extensions(settings)) as platform:
            for agency, databases in DEPARTMENTS.items():
                await platform.create_agency(agency, f"Sở {agency}")
                for database in databases:
                    await platform.create_database(agency, database)
            for agency, database in (("H50.21", "csdl-a1"), ("H50.22", "csdl-b")):
                headers = await dataset_for(platform, agency, database)
                response = await platform.http.post(
                    f"/share/{agency}/thua-dat/v1", json={"records": [parcel(1), parcel(2)]}, headers=headers
                )
                assert response.status_code == 202, response.text
                assert await delivered(platform, response.json()["exchange_id"], headers)

            report = (await platform.http.get("/api/v1/coverage")).json()
            assert (report["agency_coverage"]["covered"], report["agency_coverage"]["total"]) == (2, 3)
            assert (report["database_coverage"]["covered"], report["database_coverage"]["total"]) == (2, 4)
            rows = await platform.app.state.warehouse.store.count("H50.22/thua-dat/v1")
            assert rows == 2


class TestTheEmbeddedWarehouseCanBeTurnedOff:
    async def test_off_runs_no_sink_so_an_external_one_can(self, tmp_path: Path) -> None:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path, warehouse_embedded="off"
        )
        assert platform_extensions(settings) == []

    def test_auto_leaves_the_sink_to_lgsp_warehouse_run_on_kafka(self, tmp_path: Path) -> None:
        settings = gateway_settings("sqlite+aiosqlite://", tmp_path, kafka_bootstrap="kafka:9092")
        assert not settings.runs_embedded_warehouse
        assert gateway_settings(
            "sqlite+aiosqlite://", tmp_path, kafka_bootstrap="kafka:9092", demo=True
        ).runs_embedded_warehouse
