"""Buses for the behavioural suite: each test runs on the in-process bus and on Apache Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from bus import Bus, InProcessBus
from contracts.envelope import EXCHANGE_REQUEST, Envelope, utc_now
from tests.kafka.broker import KafkaBroker


@dataclass
class Buses:
    """The gateway's bus and a connector's: one object in process, two clients of one broker on Kafka."""

    gateway: Bus
    connector: Bus
    kind: str


def kafka_bus(bootstrap: str, role: str, **options: float) -> Bus:
    from bus.kafka import KafkaBus

    # A short session lets a group notice a departed member in seconds.
    settings = {"partitions": 3, "session_timeout_ms": 2000, "metadata_max_age_ms": 1000} | options
    return KafkaBus(bootstrap, f"{role}-{uuid.uuid4().hex[:10]}", **settings)


@pytest.fixture(params=["memory", "kafka"])
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[Buses]:
    if request.param == "memory":
        bus = InProcessBus("gw-test")
        await bus.start()
        yield Buses(bus, bus, "memory")
        await bus.stop()
        return
    broker: KafkaBroker = request.getfixturevalue("kafka_broker")
    gateway, connector = kafka_bus(broker.bootstrap, "gw"), kafka_bus(broker.bootstrap, "cn")
    await gateway.start()
    await connector.start()
    yield Buses(gateway, connector, "kafka")
    await connector.stop()
    await gateway.stop()


@pytest.fixture
def topic() -> str:
    return f"lgsp.test.{uuid.uuid4().hex[:12]}"


@pytest.fixture
def group() -> str:
    return f"lgsp.test-group.{uuid.uuid4().hex[:12]}"


def request_envelope(data: bytes = b"{}", **attributes: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="urn:lgsp:gateway:test",
        type=EXCHANGE_REQUEST,
        subject="H50.20/tra-cuu-thua-dat/v1",
        data=data,
        time=utc_now(),
        consumer="H50.1",
        **attributes,
    )


async def wait_until(condition: Callable[[], bool], *, within: float = 30.0) -> None:
    """Wait for something the bus does in the background; fail if it never happens."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition still false after {within}s")
        await asyncio.sleep(0.01)
