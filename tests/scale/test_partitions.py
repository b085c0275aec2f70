"""Partitions sized for scale: service topics get 12 partitions (a service can grow to 12 connector processes),
and `lgsp bus partitions` raises one service's (Kafka can only increase them)."""

import asyncio
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from tests.harness import LAND_SERVICE, gateway_settings, land_department, run_cli, running_gateway
from tests.kafka.broker import KafkaBroker


async def partitions(bootstrap: str, topic: str) -> int:
    """The topic's partition count, once the broker's metadata has it (a topic just created may not show yet)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for _ in range(100):
            described = await admin.describe_topics([topic])
            if described and not described[0]["error_code"] and described[0]["partitions"]:
                return len(described[0]["partitions"])
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    return 0


class TestDefaultPartitions:
    async def test_a_service_registered_on_kafka_gets_a_topic_of_twelve_partitions(
        self, kafka_broker: KafkaBroker, database_url: str, tmp_path: Path
    ) -> None:
        code = f"tra-cuu-thua-dat-{uuid.uuid4().hex[:8]}"  # a topic of its own on the shared broker
        contract = tmp_path / "service.yaml"
        contract.write_text(LAND_SERVICE.read_text().replace("code: tra-cuu-thua-dat", f"code: {code}"))
        settings = gateway_settings(
            database_url, tmp_path, kafka_bootstrap=kafka_broker.bootstrap, instance_id=f"gw-{code[-8:]}"
        )
        async with running_gateway(settings) as gateway:
            await land_department(gateway)
            response = await gateway.http.post(
                "/api/v1/contracts",
                content=contract.read_bytes(),
                headers={**await gateway.admin(), "Content-Type": "application/yaml"},
            )
            assert response.status_code == 201, response.text
        assert await partitions(kafka_broker.bootstrap, f"lgsp.svc.h50_20.{code}.v1") == 12


class TestRaisingPartitions:
    async def test_partitions_grow_and_never_shrink(self, kafka_broker: KafkaBroker) -> None:
        code = f"dich-vu-{uuid.uuid4().hex[:8]}"
        address, topic = f"H50.20/{code}/v1", f"lgsp.svc.h50_20.{code}.v1"
        env = {"LGSP_KAFKA_BOOTSTRAP": kafka_broker.bootstrap}
        created = await run_cli(["bus", "partitions", address, "12"], env)
        assert created.exit_code == 0, created.output
        assert f"{topic}: created with 12 partitions" in created.output
        raised = await run_cli(["bus", "partitions", address, "16"], env)
        assert raised.exit_code == 0, raised.output
        assert await partitions(kafka_broker.bootstrap, topic) == 16
        lowered = await run_cli(["bus", "partitions", address, "4"], env)
        assert lowered.exit_code == 1
        assert "has 16 partitions; Kafka can only increase them" in lowered.output
        assert await partitions(kafka_broker.bootstrap, topic) == 16

    async def test_on_the_in_process_bus_it_says_what_to_set(self, tmp_path: Path) -> None:
        result = await run_cli(
            ["bus", "partitions", "H50.20/tra-cuu-thua-dat/v1", "16"], {"LGSP_DATA_DIR": str(tmp_path)}
        )
        assert result.exit_code == 1
        assert "set LGSP_KAFKA_BOOTSTRAP" in result.output
        assert "Traceback" not in result.output

    async def test_a_malformed_address_is_one_line(self, kafka_broker: KafkaBroker) -> None:
        result = await run_cli(
            ["bus", "partitions", "not-an-address", "16"], {"LGSP_KAFKA_BOOTSTRAP": kafka_broker.bootstrap}
        )
        assert result.exit_code == 1
        assert "is not an address" in result.output
