"""Deadlines travel with requests: a request still waiting for a connector when its caller's deadline passes
(queued behind a slow call, or redelivered) is dropped unrun and counted, on the in-process bus and on Kafka."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from bus import Bus, InProcessBus
from bus.kafka import KafkaBus
from connectors.sdk import Connector, ConnectorRunner, GatewayKeys, RequestContext
from contracts.addresses import Address
from contracts.envelope import EXCHANGE_REQUEST, Envelope, deadline_after, utc_now
from contracts.signing import sign_envelope
from tests.connectors.parcels import PARCELS
from tests.harness import LAND_SERVICE, Harness, gateway_settings, land_department, running_gateway
from tests.kafka.broker import KafkaBroker

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}
ANSWER = PARCELS[("19234", 12, 345)]


class SlowParcels:
    """A connector whose handler holds each call until released, recording which exchanges it ran."""

    def __init__(self, contract: Path, code: str) -> None:
        self.ran: list[str] = []
        self.running = asyncio.Event()
        self.release = asyncio.Event()
        self.connector = Connector("H50.20", "csdl-dat-dai", contracts=[contract])
        self.connector.service(code, major=1)(self.lookup)

    async def lookup(self, request: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        self.ran.append(context.exchange_id)
        self.running.set()
        await self.release.wait()
        return ANSWER


def expired(address: str) -> float:
    return REGISTRY.get_sample_value("lgsp_connector_requests_expired_total", {"service": address}) or 0.0


@asynccontextmanager
async def scene(
    bus_kind: str, request: pytest.FixtureRequest, database_url: str, data_dir: Path
) -> AsyncIterator[tuple[Harness, dict[str, str], str, SlowParcels]]:
    """A gateway answering within 2 s, a service of its own (a fresh topic), a consumer, and the slow connector
    with one handler call at a time, on the bus asked for."""
    code = f"tra-cuu-thua-dat-{uuid.uuid4().hex[:8]}"
    contract = data_dir / "service.yaml"
    contract.write_text(LAND_SERVICE.read_text().replace("code: tra-cuu-thua-dat", f"code: {code}"))
    address = f"H50.20/{code}/v1"
    overrides: dict[str, Any] = {"reply_timeout_seconds": 2.0, "instance_id": f"gw-{code[-8:]}"}
    shared: Bus | None = None
    if bus_kind == "kafka":
        broker: KafkaBroker = request.getfixturevalue("kafka_broker")
        overrides["kafka_bootstrap"] = broker.bootstrap
        # unsigned replies, as on the in-process bus: this is about deadlines; signatures on Kafka are
        # tests/delivery/test_authentic_messages.py's
        overrides["bus_signatures"] = "off"
        connector_bus: Bus = KafkaBus(broker.bootstrap, f"cn-{code[-8:]}")
        await connector_bus.start()
    else:
        shared = connector_bus = InProcessBus()
        await shared.start()
    slow = SlowParcels(contract, code)
    try:
        async with running_gateway(
            gateway_settings(database_url, data_dir, **overrides), bus=shared
        ) as gateway:
            await land_department(gateway)
            registered = await gateway.http.post(
                "/api/v1/contracts",
                content=contract.read_bytes(),
                headers={**await gateway.admin(), "Content-Type": "application/yaml"},
            )
            assert registered.status_code == 201, registered.text
            await gateway.create_agency("H50.01", "Văn phòng UBND tỉnh")
            client_id, secret = await gateway.create_client("H50.01", "mot-cua-tinh")
            grant = {"client_id": client_id, "address": address, "purpose": "giải quyết thủ tục đất đai"}
            assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
            keys = GatewayKeys(provider=lambda: gateway.app.state.runtime.keyring.envelopes.key_set)
            runner = ConnectorRunner([slow.connector], connector_bus, keys=keys, concurrency=1)
            await runner.start()
            try:
                yield gateway, await gateway.auth(client_id, secret), address, slow
            finally:
                slow.release.set()
                await runner.stop()
    finally:
        await connector_bus.stop()


@pytest.mark.parametrize("bus_kind", ["memory", "kafka"])
class TestExpiredRequestsAreNotRun:
    async def test_a_request_queued_past_its_deadline_is_dropped_unrun_and_counted(
        self,
        bus_kind: str,
        request: pytest.FixtureRequest,
        database_url: str,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.WARNING, logger="lgsp.connector")
        async with scene(bus_kind, request, database_url, tmp_path) as (gateway, headers, address, slow):
            slow.release.set()
            for _ in range(10):  # until the path is warm (a fresh consumer's first fetches can be slow)
                warm = await gateway.http.post(f"/exchange/{address}", json=REQUEST, headers=headers)
                if warm.status_code == 200:
                    break
            assert warm.status_code == 200, warm.text  # a request within its deadline runs
            slow.ran.clear()
            slow.release.clear()
            slow.running.clear()
            before = expired(address)
            first = asyncio.create_task(
                gateway.http.post(f"/exchange/{address}", json=REQUEST, headers=headers)
            )
            await asyncio.wait_for(slow.running.wait(), 30)  # the one handler call is busy with the first
            second = await gateway.http.post(f"/exchange/{address}", json=REQUEST, headers=headers)
            assert second.status_code == 504  # queued behind the first until the caller gave up
            assert (await first).status_code == 504
            slow.release.set()
            late = second.headers["x-exchange-id"]
            for _ in range(300):  # the connector reaches the queued request once the first call returns
                if late in caplog.text:
                    break
                await asyncio.sleep(0.1)
            assert f"dropped request {late} unrun" in caplog.text
            assert late not in slow.ran
            assert slow.ran == [first.result().headers["x-exchange-id"]]
            assert expired(address) == before + 1


def signed_request(gateway: Harness, address: str, reply_topic: str, *, deadline: str) -> Envelope:
    """A request as the gateway signs it, here with a deadline of the test's choosing."""
    keyring = gateway.app.state.runtime.keyring.envelopes
    envelope = Envelope(
        id=str(uuid.uuid4()),
        source="urn:lgsp:gateway:test",
        type=EXCHANGE_REQUEST,
        subject=address,
        data=orjson.dumps(REQUEST),
        time=utc_now(),
        consumer="H50.01",
        replyto=reply_topic,
        deadline=deadline,
    )
    return sign_envelope(envelope, keyring.signing_key, keyring.kid)


@pytest.mark.parametrize("bus_kind", ["memory", "kafka"])
class TestRedeliveredAfterTheDeadline:
    async def test_a_request_delivered_again_to_another_process_after_its_deadline_is_not_run(
        self,
        bus_kind: str,
        request: pytest.FixtureRequest,
        database_url: str,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """What a rebalance does: the same signed record, to a process that never saw it (no memory of ids)."""
        caplog.set_level(logging.WARNING, logger="lgsp.connector")
        async with scene(bus_kind, request, database_url, tmp_path) as (gateway, _, address, slow):
            bus = gateway.app.state.runtime.bus
            stale = signed_request(gateway, address, bus.reply_topic, deadline=deadline_after(-1))
            before = expired(address)
            await bus.publish(Address.parse(address).service_topic, stale)
            for _ in range(300):
                if stale.id in caplog.text:
                    break
                await asyncio.sleep(0.1)
            assert f"dropped request {stale.id} unrun" in caplog.text
            assert slow.ran == []
            assert expired(address) == before + 1

    async def test_the_deadline_is_covered_by_the_signature(
        self,
        bus_kind: str,
        request: pytest.FixtureRequest,
        database_url: str,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.WARNING, logger="lgsp.connector")
        async with scene(bus_kind, request, database_url, tmp_path) as (gateway, _, address, slow):
            bus = gateway.app.state.runtime.bus
            signed = signed_request(gateway, address, bus.reply_topic, deadline=deadline_after(-1))
            extended = replace(signed, deadline=deadline_after(60))  # someone moves the deadline on
            await bus.publish(Address.parse(address).service_topic, extended)
            for _ in range(300):
                if extended.id in caplog.text:
                    break
                await asyncio.sleep(0.1)
            assert f"refused request {extended.id}" in caplog.text
            assert slow.ran == []
