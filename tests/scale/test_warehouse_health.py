"""Warehouse health is visible: with the warehouse sink stopped, shares still get 202, but `/readyz` says
degraded with the reason, `/metrics` shows the age of the oldest undelivered share and the lag per dataset, and
the dashboard shows it; once the sink is back, all of it recovers (on Apache Kafka, where the shares wait)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from connectors.sdk import GatewayKeys
from gateway.platform import platform_app, published_datasets
from tests.harness import LAND_DATASET, Harness, gateway_settings, land_department, parcel
from tests.kafka.broker import KafkaBroker
from warehouse.embedded import start_embedded_sink


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    for _ in range(int(within / 0.2)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the condition did not hold in time")


def samples(text: str, name: str) -> dict[str, float]:
    """The samples of one metric by their `dataset` label ('' when it has none)."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[sample.labels.get("dataset", "")] = sample.value
    return found


@asynccontextmanager
async def platform(broker: KafkaBroker, database_url: str, data_dir: Path) -> AsyncIterator[Harness]:
    """`lgsp up`'s app on Kafka with its embedded warehouse; degraded after 1 s, figures never cached."""
    settings = gateway_settings(
        database_url, data_dir, kafka_bootstrap=broker.bootstrap, warehouse_embedded="on",
        bus_signatures="off",  # about the sink's lag; signed acknowledgements: tests/delivery/test_authentic_*
        instance_id=f"gw-{uuid.uuid4().hex[:8]}", public_cache_seconds=0, warehouse_lag_degraded_seconds=1,
        warehouse_url=f"sqlite+aiosqlite:///{data_dir / 'warehouse.db'}",
    )  # fmt: skip
    app = platform_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Harness(app=app, http=http, settings=settings)


async def sharing(gateway: Harness, data_dir: Path) -> tuple[str, dict[str, str]]:
    """A dataset of its own (a fresh topic on the shared broker) and a connector allowed to publish it."""
    code = f"thua-dat-{uuid.uuid4().hex[:8]}"
    contract = data_dir / "dataset.yaml"
    contract.write_text(LAND_DATASET.read_text().replace("code: thua-dat", f"code: {code}"))
    await land_department(gateway)
    response = await gateway.http.post(
        "/api/v1/contracts",
        content=contract.read_bytes(),
        headers={**await gateway.admin(), "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    address = f"H50.20/{code}/v1"
    client_id, secret = await gateway.create_client("H50.20", "h50-20-connector")
    grant = {"client_id": client_id, "address": address, "purpose": "Chia sẻ vào kho"}
    assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
    return address, await gateway.auth(client_id, secret)


async def share(gateway: Harness, address: str, headers: dict[str, str], number: int) -> str:
    response = await gateway.http.post(
        f"/share/{address}", json={"records": [parcel(number)]}, headers=headers
    )
    assert response.status_code == 202, response.text
    return str(response.json()["exchange_id"])


async def delivered(gateway: Harness, exchange_id: str) -> bool:
    record = (
        await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=await gateway.admin())
    ).json()
    return record.get("delivered_at") is not None


async def readiness(gateway: Harness) -> dict[str, Any]:
    response = await gateway.http.get("/readyz")
    assert response.status_code == 200, response.text  # degraded still serves
    return dict(response.json())


class TestWarehouseOutage:
    async def test_a_stopped_sink_shows_in_readiness_metrics_and_dashboard_and_recovers(
        self, kafka_broker: KafkaBroker, database_url: str, tmp_path: Path
    ) -> None:
        async with platform(kafka_broker, database_url, tmp_path) as gateway:
            address, headers = await sharing(gateway, tmp_path)
            first = await share(gateway, address, headers, 1)
            await eventually(lambda: delivered(gateway, first))
            assert (await readiness(gateway))["status"] == "ready"

            await gateway.app.state.warehouse.stop()  # the sink is down; the gateway goes on accepting shares
            waiting = await share(gateway, address, headers, 2)

            async def degraded() -> bool:
                return (await readiness(gateway))["status"] == "degraded"

            await eventually(degraded)
            reason = (await readiness(gateway))["checks"]["warehouse"]
            assert reason.startswith("degraded: 1 share(s) not acknowledged by the warehouse")
            metrics = (await gateway.http.get("/metrics")).text
            assert samples(metrics, "lgsp_warehouse_undelivered_oldest_age_seconds")[""] >= 1
            assert samples(metrics, "lgsp_warehouse_undelivered_shares") == {address: 1}
            assert samples(metrics, "lgsp_warehouse_lag_seconds")[address] >= 1
            dashboard = (await gateway.http.get("/dashboard?lang=en")).text
            assert "The warehouse is behind: 1 shares not acknowledged" in dashboard
            assert f'data-address="{address}"' in dashboard

            runtime = gateway.app.state.runtime
            keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
            sink = await start_embedded_sink(
                runtime.bus, gateway.settings.effective_warehouse_url, keys, published_datasets(runtime)
            )
            try:
                await eventually(lambda: delivered(gateway, waiting))
                ready = await readiness(gateway)
                assert ready["status"] == "ready"
                assert ready["checks"]["warehouse"] == "ok"
                metrics = (await gateway.http.get("/metrics")).text
                assert samples(metrics, "lgsp_warehouse_undelivered_oldest_age_seconds")[""] == 0
                assert samples(metrics, "lgsp_warehouse_undelivered_shares") == {}
                assert (
                    "The warehouse has acknowledged every share."
                    in (await gateway.http.get("/dashboard?lang=en")).text
                )
            finally:
                await sink.stop()
