"""HTTP backends on Kafka: `lgsp connector run --http` serves the bound services, its replies signed by the
provider's key, as the gateway on Kafka requires."""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from joserfc.jwk import KeySet

from connectors.sdk import GatewayClient
from contracts.addresses import Address
from contracts.envelope import EXCHANGE_REQUEST, Envelope, utc_now
from contracts.signing import generate_message_key, sign_envelope
from gateway.sandbox.registration import consumer_client, register_department
from tests.backends.backend_server import FAILING, GOOD, Backend, running_backend
from tests.backends.test_backends import ADDRESS, BACKEND_PATH, CONTRACT
from tests.bus.conftest import kafka_bus
from tests.delivery.signers import register_signer, write_key_file
from tests.harness import ADMIN_ID, ADMIN_SECRET, Harness, LiveGateway, gateway_settings
from tests.kafka.broker import KafkaBroker

ROOT = Path(__file__).parents[2]
PASSWORD = "mat-khau-kafka-bi-mat-3"  # a test secret, looked for in the connector's output


@pytest_asyncio.fixture(scope="module")
async def on_kafka(
    kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Any]]:
    data_dir: Path = tmp_path_factory.mktemp("backends-kafka")
    database = f"sqlite+aiosqlite:///{data_dir / 'lgsp.db'}"
    settings = gateway_settings(
        database, data_dir, kafka_bootstrap=kafka_broker.bootstrap, instance_id=f"gw-{uuid.uuid4().hex[:8]}"
    )
    with running_backend() as backend, LiveGateway(settings) as live:
        async with (
            httpx.AsyncClient(base_url=live.url, timeout=30) as http,
            GatewayClient(live.url, ADMIN_ID, ADMIN_SECRET) as admin,
        ):
            harness = Harness(app=live.server.config.app, http=http, settings=settings)
            await register_department(admin, [CONTRACT])
            await harness.create_client("H50.22", "ket-noi-ban-kkt")
            key_file = write_key_file(await register_signer(harness, "ket-noi-ban-kkt"), data_dir / "key.jwk")
            backend.jwks = KeySet.import_key_set(await admin.get_public("/.well-known/envelope-jwks.json"))
            body = {"url": backend.url, "auth": {"type": "basic", "username": "lgsp", "password": PASSWORD}}
            await admin.send("PUT", BACKEND_PATH, json=body)
            credentials = await consumer_client(admin, "H50", [CONTRACT])
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("LGSP_")},
                "LGSP_DATABASE_URL": database,
                "LGSP_DATA_DIR": str(data_dir),  # where the gateway keeps the backend secret key
                "LGSP_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
                "LGSP_INSTANCE_ID": f"http-{uuid.uuid4().hex[:8]}",
                "LGSP_MESSAGE_KEY_FILE": str(key_file),
                "LGSP_URL": live.url,  # the gateway whose envelope keys the connector believes
                "PYTHONUNBUFFERED": "1",
            }
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "gateway", "connector", "run", "--http",
                cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            output: list[str] = []
            try:
                assert process.stdout is not None
                while not any("stop with Ctrl+C" in line for line in output):
                    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
                    assert line, "the HTTP connector exited:\n" + "".join(output)
                    output.append(line.decode())
                async with GatewayClient(
                    live.url, credentials.client_id, credentials.client_secret
                ) as consumer:
                    yield {
                        "consumer": consumer, "admin": admin, "backend": backend, "process": process,
                        "output": output, "body": body, "bootstrap": kafka_broker.bootstrap,
                    }  # fmt: skip
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(process.wait(), timeout=30)
                    except TimeoutError:
                        process.kill()
                        await process.wait()


class TestOnKafka:
    async def test_a_bound_service_answers_through_the_http_connector(self, on_kafka: dict[str, Any]) -> None:
        assert any(ADDRESS in line for line in on_kafka["output"])
        call = await on_kafka["consumer"].call(ADDRESS, {"ma_du_an": GOOD})
        assert call.status == 200, call.body
        assert call.body["ma_du_an"] == GOOD
        assert on_kafka["backend"].seen[-1].signature_valid is True

    async def test_a_new_binding_is_served_without_a_restart(self, on_kafka: dict[str, Any]) -> None:
        admin, consumer = on_kafka["admin"], on_kafka["consumer"]
        with running_backend() as moved:
            await admin.send("PUT", BACKEND_PATH, json=on_kafka["body"] | {"url": moved.url})
            try:
                call = await served_by(moved, consumer)
            finally:
                await admin.send("PUT", BACKEND_PATH, json=on_kafka["body"])
                await served_by(on_kafka["backend"], consumer)  # back, for the next test
        assert call.status == 200
        assert moved.seen

    async def test_a_request_forged_on_kafka_never_reaches_the_backend(
        self, on_kafka: dict[str, Any]
    ) -> None:
        attacker = kafka_bus(on_kafka["bootstrap"], "x")
        await attacker.start()
        try:
            forged = Envelope(
                id=str(uuid.uuid4()), source="urn:lgsp:gateway:x", type=EXCHANGE_REQUEST, subject=ADDRESS,
                data=orjson.dumps({"ma_du_an": GOOD}), time=utc_now(), consumer="H50",
                replyto=attacker.reply_topic,
            )  # fmt: skip
            before = len(on_kafka["backend"].seen)
            topic = Address.parse(ADDRESS).service_topic
            replies = [
                await attacker.request(topic, unsigned, timeout=30)
                for unsigned in (forged, sign_envelope(forged, generate_message_key("P-256"), "env-forged"))
            ]
        finally:
            await attacker.stop()
        assert [orjson.loads(reply.data)["type"] for reply in replies] == [
            "urn:lgsp:error:signature-invalid"
        ] * 2
        assert len(on_kafka["backend"].seen) == before

    async def test_a_backend_5xx_is_a_502_and_no_secret_reaches_the_output(
        self, on_kafka: dict[str, Any]
    ) -> None:
        call = await on_kafka["consumer"].call(ADDRESS, {"ma_du_an": FAILING})
        assert call.status == 502
        assert call.body["provider_problem"]["backend_status"] == 500
        process = on_kafka["process"]
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        output = "".join(on_kafka["output"]) + rest.decode()
        assert process.returncode == 0, output
        assert "backend-error" in output  # the failure is logged...
        assert PASSWORD not in output  # ...without the secret


async def served_by(backend: Backend, consumer: GatewayClient) -> Any:
    """Call until `backend` answers (the registry event reaches the connector's own group on Kafka)."""
    before = len(backend.seen)
    for _ in range(200):
        call = await consumer.call(ADDRESS, {"ma_du_an": GOOD})
        if len(backend.seen) > before:
            return call
        await asyncio.sleep(0.05)
    return call
