"""What only the Kafka bus promises: CloudEvents binary mode on the wire, failing fast when the broker is down,
keeping its data across a broker crash, and losing nothing when one broker of three dies."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from bus import Bus, BusUnavailable
from bus.errors import BusTimeout
from contracts.envelope import Envelope, make_reply
from tests.bus.conftest import kafka_bus, request_envelope, wait_until
from tests.kafka.broker import KafkaBroker
from tests.services import free_port

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


class TestAGroupThatDoesNotSettle:
    async def test_a_member_waiting_for_its_partitions_gives_up_as_unavailable(
        self, kafka_broker: KafkaBroker, topic: str, group: str
    ) -> None:
        """A member whose handler never returns cannot give up its partitions, so the group's rebalance waits
        for it (up to the rebalance timeout, again at every rejoin): a newcomer says so instead of hanging."""
        stuck = kafka_bus(kafka_broker.bootstrap, "cn", session_timeout_ms=10_000)
        newcomer = kafka_bus(kafka_broker.bootstrap, "cn", ready_timeout=1.0)
        started, release = asyncio.Event(), asyncio.Event()

        async def never_done(_: Envelope) -> None:
            started.set()
            await release.wait()

        await stuck.start()
        await newcomer.start()
        try:
            await (await stuck.subscribe([topic], group, never_done)).ready()
            await stuck.publish(topic, request_envelope())
            await started.wait()
            late = await newcomer.subscribe([topic], group, never_done)

            with pytest.raises(
                BusUnavailable, match=f"consumer group {group}: no partitions assigned within"
            ):
                await late.ready()
        finally:
            release.set()
            await newcomer.stop()
            await stuck.stop()


def crash(broker: KafkaBroker) -> None:
    """Kill the broker at once, as a crash would (SIGKILL: its log directory stays)."""
    broker.kill()


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
    async def test_requests_fail_as_unavailable_at_once_while_down_and_are_served_when_it_returns(
        self, restartable_broker: KafkaBroker, gateway_and_connector: tuple[Bus, Bus]
    ) -> None:
        gateway, connector = gateway_and_connector
        topic = await serve_echo(gateway, connector)

        crash(restartable_broker)

        with pytest.raises(BusUnavailable):  # sent as the broker stops: not left to the 60 s timeout
            await gateway.request(topic, request_envelope(), timeout=60)
        assert not gateway.available
        with pytest.raises(BusUnavailable):
            await gateway.request(topic, request_envelope(), timeout=60)
        with pytest.raises(BusUnavailable):
            await gateway.publish(topic, request_envelope())

        restartable_broker.start()
        await wait_until(lambda: gateway.available and connector.available)

        reply = await gateway.request(
            await serve_echo(gateway, connector), request_envelope(b'"back"'), timeout=30
        )
        assert reply.data == b'"back"'

    async def test_a_bus_cannot_start_without_a_broker(self) -> None:
        bus = kafka_bus(f"127.0.0.1:{free_port()}", "gw")  # nothing listens there

        with pytest.raises(BusUnavailable):
            await bus.start()


class TestBrokerRestart:
    """A broker killed with SIGKILL starts again on its own log directory and forgets nothing."""

    async def test_requests_in_flight_at_the_kill_are_answered_or_fail_none_is_dropped(
        self, restartable_broker: KafkaBroker, gateway_and_connector: tuple[Bus, Bus]
    ) -> None:
        gateway, connector = gateway_and_connector
        topic = await serve_echo(gateway, connector)
        requests = [
            asyncio.create_task(gateway.request(topic, request_envelope(f'"{n}"'.encode()), timeout=30))
            for n in range(60)
        ]
        await asyncio.sleep(0.05)

        crash(restartable_broker)
        restartable_broker.start()
        outcomes = await asyncio.gather(*requests, return_exceptions=True)

        for n, outcome in enumerate(outcomes):
            if isinstance(outcome, Envelope):
                assert outcome.data == f'"{n}"'.encode()
            else:
                assert isinstance(outcome, BusUnavailable | BusTimeout), repr(outcome)
        await wait_until(lambda: gateway.available and connector.available)
        reply = await gateway.request(topic, request_envelope(b'"after"'), timeout=30)
        assert reply.data == b'"after"'

    async def test_a_consumer_group_resumes_from_its_committed_offsets(
        self, restartable_broker: KafkaBroker, gateway_and_connector: tuple[Bus, Bus], topic: str, group: str
    ) -> None:
        gateway, connector = gateway_and_connector
        seen: list[bytes] = []

        async def collect(envelope: Envelope) -> None:
            seen.append(envelope.data)

        await gateway.ensure_topics([topic])
        member = await connector.subscribe([topic], group, collect)
        await member.ready()
        for n in range(10):
            await gateway.publish(topic, request_envelope(f'"{n}"'.encode()))
        await wait_until(lambda: len(seen) == 10)
        await member.stop()  # commits what it handled

        crash(restartable_broker)
        restartable_broker.start()
        await wait_until(lambda: gateway.available and connector.available)
        for n in range(10, 15):
            await gateway.publish(topic, request_envelope(f'"{n}"'.encode()))
        member = await connector.subscribe([topic], group, collect)
        await member.ready()
        await wait_until(lambda: len(seen) >= 15)
        await asyncio.sleep(2)  # room for a redelivery from offset 0, which must not come
        await member.stop()

        assert sorted(seen, key=lambda data: int(data.strip(b'"'))) == [f'"{n}"'.encode() for n in range(15)]


class TestReplicatedCluster:
    """Three brokers, replication factor 3, min.insync.replicas 2, acks=all: one broker's death loses nothing."""

    async def test_killing_one_broker_under_load_loses_no_request(self, kafka_cluster: KafkaBroker) -> None:
        options = {"replication_factor": 3, "request_timeout_ms": 15_000}
        gateway, connector = (
            kafka_bus(kafka_cluster.bootstrap, "gw", **options),
            kafka_bus(kafka_cluster.bootstrap, "cn", **options),
        )
        victim = 1
        try:
            await gateway.start()
            await connector.start()
            topic = await serve_echo(gateway, connector)
            described = await gateway._admin.describe_topics([topic])  # type: ignore[attr-defined]
            assert {len(p["replicas"]) for p in described[0]["partitions"]} == {3}
            answered: list[bytes] = []
            slots = asyncio.Semaphore(20)

            async def call(n: int) -> None:
                async with slots:
                    reply = await gateway.request(topic, request_envelope(f'"{n}"'.encode()), timeout=60)
                    answered.append(reply.data)

            load = [asyncio.create_task(call(n)) for n in range(400)]
            await wait_until(lambda: len(answered) >= 100)
            kafka_cluster.kill(victim)
            await asyncio.gather(*load)

            assert sorted(answered) == sorted(f'"{n}"'.encode() for n in range(400))
        finally:
            await connector.stop()
            await gateway.stop()
            kafka_cluster.start(victim)
