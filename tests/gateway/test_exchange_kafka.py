"""The exchange path on Kafka: a call answered by a connector on its own Kafka clients; a stopped connector
gives 504, a stopped broker 503 without waiting for the reply timeout; every outcome is in the log."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bus.kafka import KafkaBus
from connectors.sdk import ConnectorRunner, GatewayKeys
from gateway.exchangelog.verify import verify_log
from tests.connectors.parcels import parcel_connector
from tests.delivery.signers import register_signer
from tests.harness import LAND_ADDRESS, Harness, gateway_settings, land_department, running_gateway
from tests.kafka.broker import KafkaBroker

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}


async def consumer(harness: Harness) -> dict[str, str]:
    await harness.create_agency("H50.01", "Văn phòng UBND tỉnh")
    client_id, secret = await harness.create_client("H50.01", "mot-cua-tinh")
    grant = {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "giải quyết thủ tục đất đai"}
    assert (await harness.post("/api/v1/grants", grant)).status_code == 201
    return await harness.auth(client_id, secret)


async def outcome(harness: Harness, exchange_id: str) -> str:
    record = (
        await harness.http.get(f"/api/v1/exchanges/{exchange_id}", headers=await harness.admin())
    ).json()
    return str(record["outcome"])


@asynccontextmanager
async def land_on_kafka(
    broker: KafkaBroker, database_url: str, data_dir: Path, *, reply_timeout: float
) -> AsyncIterator[tuple[Harness, dict[str, str]]]:
    """A gateway on `broker` with the land service and a consumer's auth headers."""
    settings = gateway_settings(
        database_url, data_dir, kafka_bootstrap=broker.bootstrap,
        instance_id=f"gw-{uuid.uuid4().hex[:8]}", reply_timeout_seconds=reply_timeout,
    )  # fmt: skip
    async with running_gateway(settings) as gateway:
        await land_department(gateway)
        yield gateway, await consumer(gateway)


class TestOnKafka:
    async def test_answered_then_504_once_the_connector_stops(
        self, kafka_broker: KafkaBroker, database_url: str, tmp_path: Path
    ) -> None:
        async with land_on_kafka(kafka_broker, database_url, tmp_path, reply_timeout=2) as (gateway, headers):
            connector_bus = KafkaBus(kafka_broker.bootstrap, f"cn-{uuid.uuid4().hex[:8]}")
            await connector_bus.start()
            keys = GatewayKeys(provider=lambda: gateway.app.state.runtime.keyring.envelopes.key_set)
            await gateway.create_client("H50.20", "ket-noi-tnmt")  # the provider's client signs the replies
            signer = await register_signer(gateway, "ket-noi-tnmt")
            runner = ConnectorRunner(parcel_connector(), connector_bus, keys=keys, signer=signer)
            try:
                await runner.start()
                answered = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
                assert answered.status_code == 200, answered.text
                assert answered.json()["parcel_id"] == "19234-12-345"
                await runner.stop()
                stopped = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
            finally:
                await runner.stop()
                await connector_bus.stop()
            assert stopped.status_code == 504
            assert stopped.json()["type"] == "urn:lgsp:error:timeout"
            assert await outcome(gateway, answered.headers["x-exchange-id"]) == "ok"
            assert await outcome(gateway, stopped.headers["x-exchange-id"]) == "timeout"
            assert (await verify_log(gateway.app.state.runtime.engine)).intact

    async def test_stopped_broker_is_503_not_a_timeout(
        self, restartable_broker: KafkaBroker, database_url: str, tmp_path: Path
    ) -> None:
        # A reply timeout far longer than the test: a 504 here would mean the gateway waited for it.
        async with land_on_kafka(restartable_broker, database_url, tmp_path, reply_timeout=120) as (
            gateway,
            headers,
        ):
            restartable_broker.kill()
            refused = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
            assert refused.status_code == 503, refused.text
            assert refused.json()["type"] == "urn:lgsp:error:bus-unavailable"
            assert await outcome(gateway, refused.headers["x-exchange-id"]) == "unavailable"
            assert (await verify_log(gateway.app.state.runtime.engine)).intact
