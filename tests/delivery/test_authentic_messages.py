"""Every reply and share acknowledgement on the bus is authentic (issue 9): forged, unsigned, replayed, wrong-agency
and malformed messages published straight onto the bus are dropped and counted, stall nothing, and move no
coverage; the genuine reply still completes its call; keys rotate; connectors refuse replayed requests.

Each behaviour runs on Apache Kafka and on the in-process bus (there with `LGSP_BUS_SIGNATURES=required`: by
default that bus skips signatures, see `TestInProcessDefault`)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from bus import Bus, InProcessBus
from connectors.sdk import Connector, ConnectorRunner, GatewayKeys, RequestContext
from contracts.addresses import SHARE_ACK_TOPIC, Address
from contracts.envelope import SHARE_ACK, Envelope, make_reply, utc_now
from contracts.keyring import MessageKeyring
from contracts.signing import MessageSigner, generate_message_key, sign_envelope
from gateway.app import create_app
from gateway.exchangelog.verify import verify_log
from gateway.runtime import GatewayRuntime
from gateway.settings import Settings
from tests.bus.conftest import kafka_bus
from tests.connectors.parcels import CONTRACT, PARCELS, lookup
from tests.delivery.signers import register_signer
from tests.harness import (
    LAND_ADDRESS,
    LAND_DATASET_ADDRESS,
    Harness,
    gateway_settings,
    land_sharing,
    parcel,
)
from tests.kafka.broker import KafkaBroker

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}
ANSWER = PARCELS[("19234", 12, 345)]
FORGED_ANSWER = {**ANSWER, "owner": {"full_name": "Kẻ Mạo Danh", "citizen_id": "000000000000"}}
WAREHOUSE_CLIENT = "kho-dung-chung-client"
CONNECTOR_CLIENT = "h50-20-connector"  # made by `land_sharing`
OUTSIDER_CLIENT = "mot-cua-tinh"  # a client of another agency (H50.01), with a registered key of its own


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], within: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = condition()
        if await value if not isinstance(value, bool) else value:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition still false after {within}s")
        await asyncio.sleep(0.02)


@dataclass
class Platform:
    """A gateway, the land department's connector (its handler waits for `gate`), and an attacker on the bus."""

    gateway: Harness
    kind: str
    connector_bus: Bus
    attacker: Bus
    consumer: dict[str, str]
    sharer: dict[str, str]
    connector_signer: MessageSigner
    warehouse_signer: MessageSigner
    outsider_signer: MessageSigner
    seen_path: Path
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    handled: list[str] = field(default_factory=list)
    spied: list[Envelope] = field(default_factory=list)
    runners: list[ConnectorRunner] = field(default_factory=list)

    @property
    def runtime(self) -> GatewayRuntime:
        runtime: GatewayRuntime = self.gateway.app.state.runtime
        return runtime

    def rejected(self, kind: str, reason: str) -> int:
        return self.runtime.authenticity.rejected[(kind, reason)]

    def connector(self) -> Connector:
        connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT])

        @connector.service("tra-cuu-thua-dat", major=1)
        async def lookup_when_open(request: dict[str, Any], context: RequestContext) -> dict[str, Any]:
            self.handled.append(context.exchange_id)
            await self.gate.wait()
            return lookup(request, context)

        return connector

    async def start_connector(self, signer: MessageSigner | MessageKeyring | None) -> ConnectorRunner:
        keys = GatewayKeys(provider=lambda: self.runtime.keyring.envelopes.key_set)
        runner = ConnectorRunner(
            self.connector(), self.connector_bus, keys=keys, signer=signer, seen_path=self.seen_path
        )
        await runner.start()
        self.runners.append(runner)
        return runner

    async def stop_connectors(self) -> None:
        for runner in self.runners:
            await runner.stop()
        self.runners.clear()

    def call(self) -> asyncio.Task[httpx.Response]:
        return asyncio.create_task(
            self.gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=self.consumer)
        )

    async def request_on_the_bus(self) -> Envelope:
        """The next request this gateway put on the service topic, as anyone reading the topic sees it."""
        seen = len(self.spied)
        await wait_until(lambda: any(self.mine(r) for r in self.spied[seen:]))
        return next(r for r in self.spied[seen:] if self.mine(r))

    def mine(self, request: Envelope) -> bool:
        return request.replyto == self.runtime.bus.reply_topic

    async def share(self) -> str:
        response = await self.gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(1), parcel(2)]}, headers=self.sharer
        )
        assert response.status_code == 202, response.text
        return str(response.json()["exchange_id"])

    async def delivered(self, exchange_id: str) -> bool:
        response = await self.gateway.http.get(
            f"/api/v1/exchanges/{exchange_id}", headers=await self.gateway.admin()
        )
        return response.json()["delivered_at"] is not None

    async def coverage(self) -> tuple[int, int]:
        report = (await self.gateway.http.get("/api/v1/coverage")).json()
        return report["agency_coverage"]["covered"], report["database_coverage"]["covered"]

    async def metrics(self) -> str:
        return (await self.gateway.http.get("/metrics")).text


def ack(exchange_id: str, data: Any = None, **attributes: Any) -> Envelope:
    """An acknowledgement as the warehouse sends it (unsigned)."""
    payload = data if data is not None else {"records": 2, "warehouse": "kho-dung-chung"}
    envelope = Envelope(
        id=exchange_id,
        source="urn:lgsp:warehouse:kho-dung-chung",
        type=SHARE_ACK,
        subject=LAND_DATASET_ADDRESS,
        data=payload if isinstance(payload, bytes) else orjson.dumps(payload),
        time=utc_now(),
    )
    return replace(envelope, **attributes)


async def _register(
    gateway: Harness,
) -> tuple[dict[str, str], dict[str, str], MessageSigner, MessageSigner, MessageSigner]:
    sharer = await land_sharing(gateway)
    await gateway.create_agency("H50.01", "Văn phòng UBND tỉnh")
    client_id, secret = await gateway.create_client("H50.01", OUTSIDER_CLIENT)
    grant = {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "giải quyết thủ tục đất đai"}
    assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
    consumer = await gateway.auth(client_id, secret)
    await gateway.create_client("H50", WAREHOUSE_CLIENT)
    return (
        consumer,
        sharer,
        await register_signer(gateway, CONNECTOR_CLIENT),
        await register_signer(gateway, WAREHOUSE_CLIENT, "ES256"),
        await register_signer(gateway, OUTSIDER_CLIENT),
    )


@pytest.fixture(params=["memory", pytest.param("kafka", marks=pytest.mark.kafka)])
async def platform(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Platform]:
    common: dict[str, Any] = {
        "warehouse_client_id": WAREHOUSE_CLIENT,
        "reply_timeout_seconds": 6,
        "instance_id": f"gw-{uuid.uuid4().hex[:8]}",
    }
    buses: list[Bus] = []
    if request.param == "memory":
        shared = InProcessBus(common["instance_id"])
        await shared.start()
        buses.append(shared)
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path, bus_signatures="required", **common
        )
        app = create_app(settings, bus=shared)
        connector_bus = attacker = shared
    else:
        broker: KafkaBroker = request.getfixturevalue("kafka_broker")
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}",
            tmp_path,
            kafka_bootstrap=broker.bootstrap,
            **common,
        )
        app = create_app(settings)
        connector_bus, attacker = kafka_bus(broker.bootstrap, "cn"), kafka_bus(broker.bootstrap, "x")
        for bus in (connector_bus, attacker):
            await bus.start()
            buses.append(bus)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                gateway = Harness(app=app, http=http, settings=settings)
                consumer, sharer, connector_key, warehouse_key, outsider_key = await _register(gateway)
                platform = Platform(
                    gateway, request.param, connector_bus, attacker, consumer, sharer,
                    connector_key, warehouse_key, outsider_key, tmp_path / "seen.sqlite3",
                )  # fmt: skip
                spy = await attacker.subscribe(
                    [Address.parse(LAND_ADDRESS).service_topic], f"spy-{uuid.uuid4().hex[:8]}",
                    _collect(platform.spied),
                )  # fmt: skip
                await spy.ready()
                try:
                    yield platform
                finally:
                    platform.gate.set()
                    await platform.stop_connectors()
                    await spy.stop()
    finally:
        for bus in reversed(buses):
            await bus.stop()


def _collect(into: list[Envelope]) -> Callable[[Envelope], Awaitable[None]]:
    async def collect(envelope: Envelope) -> None:
        into.append(envelope)

    return collect


class TestForgedReply:
    async def test_forged_replies_are_dropped_counted_and_the_genuine_reply_completes_the_call(
        self, platform: Platform, caplog: pytest.LogCaptureFixture
    ) -> None:
        await platform.start_connector(platform.connector_signer)
        call = platform.call()
        request = await platform.request_on_the_bus()
        assert request.replyto is not None
        forged = make_reply(request, source="urn:lgsp:connector:H50.20", data=orjson.dumps(FORGED_ANSWER))
        stranger = MessageSigner(generate_message_key(), "never-registered")
        tampered = replace(platform.connector_signer.sign(make_reply(request, source="x", data=b"{}")),
                           data=orjson.dumps(FORGED_ANSWER))  # fmt: skip
        with caplog.at_level(logging.WARNING, logger="lgsp.exchange"):
            for reply in (
                forged,  # unsigned
                stranger.sign(forged),  # a key nobody registered
                platform.outsider_signer.sign(forged),  # a registered key, but of another agency's client
                tampered,  # the provider's signature over other data
            ):
                await platform.attacker.publish(request.replyto, reply)
            await wait_until(
                lambda: all(
                    platform.rejected("reply", reason) == 1
                    for reason in ("unsigned", "unknown-key", "wrong-agency", "bad-signature")
                )
            )
        assert not call.done()  # none was believed: the call still waits for its provider

        platform.gate.set()
        answered = await call
        assert answered.status_code == 200, answered.text
        assert answered.json() == ANSWER
        assert answered.headers["x-exchange-id"] == request.id
        metrics = await platform.metrics()
        assert 'lgsp_bus_messages_rejected_total{kind="reply",reason="wrong-agency"} 1.0' in metrics
        warnings = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
        assert len(warnings) == 4
        assert all(request.id in line for line in warnings)
        assert not any("Mạo Danh" in line or "000000000000" in line for line in caplog.messages)
        assert (await verify_log(platform.runtime.engine)).intact


class TestKeyringOfSeveralAgencies:
    async def test_a_process_answering_for_several_agencies_signs_each_reply_with_its_agencys_key(
        self, platform: Platform
    ) -> None:
        platform.gate.set()
        keyring = MessageKeyring(
            by_agency={"H50.01": platform.outsider_signer, "H50.20": platform.connector_signer}
        )
        await platform.start_connector(keyring)
        answered = await platform.call()
        assert answered.status_code == 200, answered.text  # signed by H50.20's key, not the first in the ring
        assert answered.json() == ANSWER
        assert platform.rejected("reply", "wrong-agency") == 0


class TestReplayedReply:
    async def test_a_reply_for_an_exchange_already_completed_is_dropped_and_changes_nothing(
        self, platform: Platform
    ) -> None:
        platform.gate.set()
        await platform.start_connector(platform.connector_signer)
        first = await platform.call()
        assert first.status_code == 200, first.text
        request = next(r for r in platform.spied if r.id == first.headers["x-exchange-id"])
        assert request.replyto is not None
        validly_signed = platform.connector_signer.sign(
            make_reply(request, source="urn:x", data=orjson.dumps(FORGED_ANSWER))
        )
        before = platform.rejected("reply", "not-pending")
        await platform.attacker.publish(request.replyto, validly_signed)
        await wait_until(lambda: platform.rejected("reply", "not-pending") == before + 1)

        record = await platform.gateway.http.get(
            f"/api/v1/exchanges/{request.id}", headers=await platform.gateway.admin()
        )
        assert record.json()["outcome"] == "ok"
        second = await platform.call()  # the log is not stalled
        assert second.status_code == 200, second.text
        assert (await verify_log(platform.runtime.engine)).intact


class TestReplayedRequest:
    async def test_a_replayed_request_is_not_answered_even_after_the_connector_restarts(
        self, platform: Platform
    ) -> None:
        platform.gate.set()
        runner = await platform.start_connector(platform.connector_signer)
        answered = await platform.call()
        assert answered.status_code == 200, answered.text
        request = next(r for r in platform.spied if r.id == answered.headers["x-exchange-id"])
        topic = Address.parse(LAND_ADDRESS).service_topic

        await platform.attacker.publish(topic, request)
        await wait_until(lambda: runner.responders[0].refused["duplicate"] == 1)
        await platform.stop_connectors()
        restarted = await platform.start_connector(platform.connector_signer)
        await platform.attacker.publish(topic, request)
        await wait_until(lambda: restarted.responders[0].refused["duplicate"] == 1)

        assert platform.handled.count(request.id) == 1  # the handler ran once
        assert platform.rejected("reply", "not-pending") == 0  # and nothing answered the replays

    async def test_a_request_signed_long_ago_is_refused_as_stale(self, platform: Platform) -> None:
        platform.gate.set()
        runner = await platform.start_connector(platform.connector_signer)
        keyring = platform.runtime.keyring.envelopes
        old = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        captured = Envelope(
            id=str(uuid.uuid4()), source="urn:lgsp:gateway:gw", type="vn.lgsp.exchange.request",
            subject=LAND_ADDRESS, data=orjson.dumps(REQUEST), time=old, consumer="H50.01",
            replyto=platform.runtime.bus.reply_topic,
        )  # fmt: skip
        await platform.attacker.publish(
            Address.parse(LAND_ADDRESS).service_topic,
            sign_envelope(captured, keyring.signing_key, keyring.kid),
        )
        await wait_until(lambda: runner.responders[0].refused["stale"] == 1)
        assert captured.id not in platform.handled


class TestForgedAcknowledgement:
    async def test_forged_acknowledgements_mark_nothing_delivered_and_move_no_coverage(
        self, platform: Platform
    ) -> None:
        exchange_id = await platform.share()
        genuine = ack(exchange_id)
        stranger = MessageSigner(generate_message_key(), "never-registered")
        tampered = replace(platform.warehouse_signer.sign(ack(exchange_id, {"records": 0})),
                           data=genuine.data)  # fmt: skip
        for forged in (
            genuine,  # unsigned
            stranger.sign(genuine),
            platform.connector_signer.sign(genuine),  # a registered key, but not the warehouse's client
            tampered,
        ):
            await platform.attacker.publish(SHARE_ACK_TOPIC, forged)
        await wait_until(
            lambda: all(
                platform.rejected("ack", reason) == 1
                for reason in ("unsigned", "unknown-key", "wrong-client", "bad-signature")
            )
        )
        assert not await platform.delivered(exchange_id)
        assert await platform.coverage() == (0, 0)
        metrics = await platform.metrics()
        assert 'lgsp_bus_messages_rejected_total{kind="ack",reason="wrong-client"} 1.0' in metrics

        await platform.attacker.publish(SHARE_ACK_TOPIC, platform.warehouse_signer.sign(genuine))
        await wait_until(lambda: platform.delivered(exchange_id))
        assert await platform.coverage() == (1, 1)


class TestMalformedAcknowledgement:
    async def test_signed_but_malformed_acknowledgements_stall_nothing(self, platform: Platform) -> None:
        platform.gate.set()
        await platform.start_connector(platform.connector_signer)
        exchange_id = await platform.share()
        sign = platform.warehouse_signer.sign
        for malformed in (
            sign(ack(exchange_id, {"records": 2**40, "warehouse": "kho"})),  # above int32
            sign(ack("x" * 37)),  # longer than any exchange id
            sign(ack(exchange_id, b"not json")),
            sign(ack(str(uuid.uuid4()))),  # an exchange this gateway never had: refused alone by the log
        ):
            await platform.attacker.publish(SHARE_ACK_TOPIC, malformed)
        await wait_until(lambda: platform.rejected("ack", "malformed") == 3)
        assert not await platform.delivered(exchange_id)
        assert await platform.coverage() == (0, 0)

        called = await platform.call()  # other exchanges still complete
        assert called.status_code == 200, called.text
        await platform.attacker.publish(SHARE_ACK_TOPIC, sign(ack(exchange_id)))
        await wait_until(lambda: platform.delivered(exchange_id))
        assert await platform.coverage() == (1, 1)
        assert (await verify_log(platform.runtime.engine)).intact


class TestKeyRotation:
    async def test_a_withdrawn_key_is_refused_and_its_successor_accepted(self, platform: Platform) -> None:
        platform.gate.set()
        await platform.start_connector(platform.connector_signer)
        assert (await platform.call()).status_code == 200

        successor = await register_signer(platform.gateway, CONNECTOR_CLIENT)
        withdrawn = await platform.gateway.http.delete(
            f"/api/v1/clients/{CONNECTOR_CLIENT}/keys/{platform.connector_signer.kid}",
            headers=await platform.gateway.admin(),
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["withdrawn_at"] is not None

        refused = await platform.call()  # still signed with the withdrawn key: never believed
        assert refused.status_code == 504, refused.text
        assert platform.rejected("reply", "unknown-key") == 1

        await platform.stop_connectors()
        await platform.start_connector(successor)
        answered = await platform.call()
        assert answered.status_code == 200, answered.text
        assert answered.json() == ANSWER


class TestInProcessDefault:
    async def test_the_in_process_bus_believes_unsigned_replies_unless_told_otherwise(
        self, tmp_path: Path
    ) -> None:
        """`lgsp up`'s default: gateway and connectors share one process, nothing else can publish."""
        settings = gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path)
        assert settings.bus_signatures == "auto"
        bus = InProcessBus("gw-default")
        await bus.start()
        app = create_app(settings, bus=bus)
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                    gateway = Harness(app=app, http=http, settings=settings)
                    consumer, *_ = await _register(gateway)
                    keys = GatewayKeys(provider=lambda: app.state.runtime.keyring.envelopes.key_set)
                    connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT])
                    connector.service("tra-cuu-thua-dat", major=1)(lookup)
                    async with ConnectorRunner(connector, bus, keys=keys):  # no signer
                        answered = await http.post(
                            f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=consumer
                        )
                    assert answered.status_code == 200, answered.text
                    assert not app.state.runtime.authenticity.rejected
        finally:
            await bus.stop()
        assert Settings(bus_signatures="required").requires_signatures(in_process=True)
        assert not Settings(bus_signatures="off").requires_signatures(in_process=False)
