"""What only the Kafka bus promises: CloudEvents binary mode on the wire, and failing fast when the broker is down."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from bus import Bus, BusUnavailable
from contracts.envelope import Envelope, make_reply
from tests.bus.conftest import kafka_bus, request_envelope, wait_until
from tests.services import KafkaBroker, start_kafka

pytestmark = pytest.mark.kafka


async def read_one(bootstrap: str, topic: str) -> tuple[bytes | None, list[tuple[str, bytes]], bytes | None]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(3)])  # the test buses make 3 partitions
        while True:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                record = records[0]
                return record.key, list(record.headers), record.value
    finally:
        await consumer.stop()


class TestWireFormat:
    async def test_envelopes_travel_as_cloudevents_binary_mode(self, kafka_broker: KafkaBroker) -> None:
        bus = kafka_bus(kafka_broker.bootstrap, "gw")
        await bus.start()
        topic = f"lgsp.test.{uuid.uuid4().hex[:12]}"
        await bus.ensure_topics([topic])
        sent = request_envelope(b'{"parcel_id": "P-1"}', replyto=bus.reply_topic)
        try:
            await bus.publish(topic, sent)
            key, headers, value = await read_one(kafka_broker.bootstrap, topic)
        finally:
            await bus.stop()

        header = dict(headers)
        assert key == sent.id.encode()
        assert value == sent.data
        assert header["ce_specversion"] == b"1.0"
        assert header["ce_id"] == sent.id.encode()
        assert header["ce_type"] == b"vn.lgsp.exchange.request"
        assert header["ce_subject"] == b"H50.20/tra-cuu-thua-dat/v1"
        assert header["ce_replyto"] == bus.reply_topic.encode()
        assert header["content-type"] == b"application/json"
        event = from_binary(KafkaMessage(headers=header, key=key, value=value or b""), JSONFormat())
        assert (event.get_id(), event.get_source(), event.get_extension("consumer")) == (
            sent.id,
            sent.source,
            "H50.1",
        )


def crash(broker: KafkaBroker) -> None:
    """Kill the broker at once, as a crash would (a polite stop waits for its clients to leave)."""
    assert broker.process is not None
    broker.process.kill()
    broker.process.wait()


@pytest.fixture
def restartable_broker(kafka_broker: KafkaBroker) -> Iterator[KafkaBroker]:
    """A broker of this test's own, so stopping it disturbs no other test."""
    if kafka_broker.process is None:
        pytest.skip("an external broker (LGSP_TEST_KAFKA_BOOTSTRAP) cannot be stopped by the tests")
    broker = start_kafka()
    yield broker
    broker.stop()


@pytest.fixture
async def gateway_and_connector(restartable_broker: KafkaBroker) -> AsyncIterator[tuple[Bus, Bus]]:
    # Messages caught in the producer when the broker dies expire after the request timeout, and stopping
    # the bus waits for that: keep it short here.
    bootstrap = restartable_broker.bootstrap
    gateway = kafka_bus(bootstrap, "gw", request_timeout_ms=2000)
    connector = kafka_bus(bootstrap, "cn", request_timeout_ms=2000)
    await gateway.start()
    await connector.start()
    yield gateway, connector
    await connector.stop()
    await gateway.stop()


async def serve_echo(gateway: Bus, connector: Bus) -> str:
    topic = f"lgsp.test.{uuid.uuid4().hex[:12]}"

    async def echo(request: Envelope) -> None:
        await connector.reply(request, make_reply(request, source="urn:test:c", data=request.data))

    await gateway.ensure_topics([topic])
    await (await connector.subscribe([topic], f"{topic}.group", echo)).ready()
    await gateway.request(topic, request_envelope(), timeout=30)
    return topic


class TestBrokerDown:
    async def test_a_request_sent_as_the_broker_stops_fails_as_unavailable(
        self, restartable_broker: KafkaBroker, gateway_and_connector: tuple[Bus, Bus]
    ) -> None:
        gateway, connector = gateway_and_connector
        topic = await serve_echo(gateway, connector)

        crash(restartable_broker)

        with pytest.raises(BusUnavailable):
            await gateway.request(topic, request_envelope(), timeout=60)
        assert not gateway.available

    async def test_the_bus_refuses_at_once_while_down_and_serves_again_when_the_broker_returns(
        self, restartable_broker: KafkaBroker, gateway_and_connector: tuple[Bus, Bus]
    ) -> None:
        gateway, connector = gateway_and_connector
        topic = await serve_echo(gateway, connector)
        crash(restartable_broker)
        await wait_until(lambda: not gateway.available)

        with pytest.raises(BusUnavailable):
            await gateway.request(topic, request_envelope(), timeout=60)
        with pytest.raises(BusUnavailable):
            await gateway.publish(topic, request_envelope())

        restartable_broker.restart()
        await wait_until(lambda: gateway.available and connector.available)

        # A connector joining after the restart: with memory storage the broker forgot the old group's
        # log, and the old member's offsets may point past the new one (durable storage keeps both).
        reply = await gateway.request(
            await serve_echo(gateway, connector), request_envelope(b'"back"'), timeout=30
        )
        assert reply.data == b'"back"'

    async def test_a_bus_cannot_start_without_a_broker(self, restartable_broker: KafkaBroker) -> None:
        crash(restartable_broker)
        bus = kafka_bus(restartable_broker.bootstrap, "gw")

        with pytest.raises(BusUnavailable):
            await bus.start()
