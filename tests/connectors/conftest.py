"""Connectors driven through a real bus, with requests signed exactly as the gateway signs them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import orjson
import pytest
from joserfc.jwk import ECKey, KeySet

from bus import Bus, InProcessBus
from connectors.sdk import Connector, ConnectorRunner
from contracts.addresses import Address
from contracts.envelope import EXCHANGE_REQUEST, Envelope, utc_now
from contracts.signing import sign_envelope
from tests.bus.conftest import kafka_bus
from tests.connectors.parcels import ADDRESS
from tests.kafka.broker import KafkaBroker

KID = "gw-test-1"
VALID_REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}


def new_key(kid: str = KID) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256"}, private=True)


def public_set(*keys: ECKey) -> KeySet:
    return KeySet.import_key_set({"keys": [key.as_dict(private=False) for key in keys]})  # type: ignore[typeddict-item]


@dataclass
class Gateway:
    """The gateway's side of the bus: builds, signs and sends requests as `gateway.exchange.service` does."""

    bus: Bus
    key: ECKey
    kid: str = KID

    def envelope(
        self, payload: Any = VALID_REQUEST, *, address: str = ADDRESS, **attributes: Any
    ) -> Envelope:
        envelope = Envelope(
            id=str(uuid.uuid4()),
            source="urn:lgsp:gateway:test",
            type=EXCHANGE_REQUEST,
            subject=address,
            data=orjson.dumps(payload),
            time=utc_now(),
            replyto=self.bus.reply_topic,
            consumer="H50.1",
            traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
        )
        return replace(envelope, **attributes)

    def signed(self, payload: Any = VALID_REQUEST, **attributes: Any) -> Envelope:
        return sign_envelope(self.envelope(payload, **attributes), self.key, self.kid)

    async def send(self, request: Envelope, *, timeout: float = 30) -> Envelope:  # noqa: ASYNC109
        topic = Address.parse(request.subject or ADDRESS).service_topic
        return await self.bus.request(topic, request, timeout=timeout)

    async def call(self, payload: Any = VALID_REQUEST, **attributes: Any) -> tuple[str | None, Any]:
        """(status, parsed data) of the reply to a signed request."""
        reply = await self.send(self.signed(payload, **attributes))
        return reply.status, orjson.loads(reply.data)


@dataclass
class Stage:
    gateway: Gateway
    connector_bus: Bus
    keys: KeySet
    kind: str

    def runner(self, connectors: Connector | list[Connector], **options: Any) -> ConnectorRunner:
        return ConnectorRunner(connectors, self.connector_bus, keys=self.keys, **options)


@pytest.fixture
def signing_key() -> ECKey:
    return new_key()


async def _memory_stage(key: ECKey) -> AsyncIterator[Stage]:
    bus = InProcessBus("gw-test")
    await bus.start()
    yield Stage(Gateway(bus, key), bus, public_set(key), "memory")
    await bus.stop()


async def _kafka_stage(broker: KafkaBroker, key: ECKey) -> AsyncIterator[Stage]:
    gateway, connector = kafka_bus(broker.bootstrap, "gw"), kafka_bus(broker.bootstrap, "cn")
    await gateway.start()
    await connector.start()
    yield Stage(Gateway(gateway, key), connector, public_set(key), "kafka")
    await connector.stop()
    await gateway.stop()


@pytest.fixture
async def stage(signing_key: ECKey) -> AsyncIterator[Stage]:
    """The in-process bus (most behaviours do not depend on the bus)."""
    async for value in _memory_stage(signing_key):
        yield value


@pytest.fixture(params=["memory", "kafka"])
async def any_stage(request: pytest.FixtureRequest, signing_key: ECKey) -> AsyncIterator[Stage]:
    """Each bus in turn: the in-process bus, then two Kafka clients of one Apache Kafka broker."""
    if request.param == "memory":
        async for value in _memory_stage(signing_key):
            yield value
        return
    broker: KafkaBroker = request.getfixturevalue("kafka_broker")
    async for value in _kafka_stage(broker, signing_key):
        yield value


async def eventually(condition: Any, *, within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition still false after {within}s")
        await asyncio.sleep(0.01)
