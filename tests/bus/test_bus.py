"""The behaviour both buses promise, run against the in-process bus and Apache Kafka."""

from __future__ import annotations

import asyncio
import random

import pytest
from joserfc.jwk import ECKey, KeySet

from bus import BusTimeout, BusUnavailable, Handler, InProcessBus, Unconsumed, create_bus
from contracts.envelope import Envelope, make_reply
from contracts.signing import sign_envelope, verify_envelope
from tests.bus.conftest import Buses, request_envelope, wait_until


class TestPublishSubscribe:
    async def test_a_published_envelope_reaches_the_subscriber_unchanged(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        received: list[Envelope] = []

        async def handler(envelope: Envelope) -> None:
            received.append(envelope)

        subscription = await buses.connector.subscribe([topic], group, handler)
        await subscription.ready()
        sent = request_envelope(
            b'{"parcel_id": "P-1"}', traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01"
        )

        await buses.gateway.publish(topic, sent)

        await wait_until(lambda: len(received) == 1)
        assert received == [sent]

    async def test_ensure_topics_is_idempotent(self, buses: Buses, topic: str) -> None:
        assert await buses.gateway.ensure_topics([topic]) == {topic}
        assert await buses.gateway.ensure_topics([topic]) == set()


class TestRequestReply:
    async def test_concurrent_requests_answered_out_of_order_each_get_their_own_reply(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        async def shuffled_echo(request: Envelope) -> None:
            await asyncio.sleep(random.uniform(0, 0.02))
            await buses.connector.reply(request, make_reply(request, source="urn:test:c", data=request.data))

        await buses.gateway.ensure_topics([topic])
        subscription = await buses.connector.subscribe([topic], group, shuffled_echo, concurrency=50)
        await subscription.ready()
        requests = [request_envelope(f'{{"n": {n}}}'.encode()) for n in range(200)]

        replies = await asyncio.gather(*(buses.gateway.request(topic, r, timeout=30) for r in requests))

        assert [(reply.id, reply.data) for reply in replies] == [(r.id, r.data) for r in requests]
        assert {reply.status for reply in replies} == {"ok"}

    async def test_the_connector_sees_the_gateways_reply_topic(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        seen: list[str | None] = []

        async def handler(request: Envelope) -> None:
            seen.append(request.replyto)
            await buses.connector.reply(request, make_reply(request, source="urn:test:c", data=b"{}"))

        await buses.gateway.ensure_topics([topic])
        await (await buses.connector.subscribe([topic], group, handler)).ready()

        await buses.gateway.request(topic, request_envelope(), timeout=30)

        assert seen == [buses.gateway.reply_topic]

    async def test_a_signed_request_verifies_after_crossing_the_bus(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        key = ECKey.generate_key("P-256", parameters={"kid": "gw-1"})
        jwks = KeySet.import_key_set({"keys": [key.as_dict(private=False)]})
        verified: list[str] = []

        async def verifying(request: Envelope) -> None:
            verify_envelope(request, jwks)
            verified.append(request.id)
            await buses.connector.reply(request, make_reply(request, source="urn:test:c", data=b"{}"))

        await buses.gateway.ensure_topics([topic])
        await (await buses.connector.subscribe([topic], group, verifying)).ready()
        request = sign_envelope(request_envelope(replyto=buses.gateway.reply_topic), key, "gw-1")

        await buses.gateway.request(topic, request, timeout=30)

        assert verified == [request.id]

    async def test_no_reply_in_time_raises_bus_timeout(self, buses: Buses, topic: str) -> None:
        await buses.gateway.ensure_topics([topic])
        with pytest.raises(BusTimeout):
            await buses.gateway.request(topic, request_envelope(), timeout=0.3)

    async def test_a_late_reply_is_dropped_and_the_bus_goes_on(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        release = asyncio.Event()

        async def slow_echo(request: Envelope) -> None:
            await release.wait()
            await buses.connector.reply(request, make_reply(request, source="urn:test:c", data=request.data))

        await buses.gateway.ensure_topics([topic])
        await (await buses.connector.subscribe([topic], group, slow_echo)).ready()
        with pytest.raises(BusTimeout):
            await buses.gateway.request(topic, request_envelope(), timeout=0.3)
        dropped = buses.gateway.stats.replies_dropped

        release.set()

        await wait_until(lambda: buses.gateway.stats.replies_dropped == dropped + 1)
        later = request_envelope(b'{"later": true}')
        assert (await buses.gateway.request(topic, later, timeout=30)).data == later.data

    async def test_a_duplicate_reply_is_ignored(self, buses: Buses, topic: str, group: str) -> None:
        async def answers_twice(request: Envelope) -> None:
            await buses.connector.reply(request, make_reply(request, source="urn:test:c", data=b'"first"'))
            await buses.connector.reply(request, make_reply(request, source="urn:test:c", data=b'"second"'))

        await buses.gateway.ensure_topics([topic])
        await (await buses.connector.subscribe([topic], group, answers_twice)).ready()
        dropped = buses.gateway.stats.replies_dropped

        reply = await buses.gateway.request(topic, request_envelope(), timeout=30)

        assert reply.data == b'"first"'
        await wait_until(lambda: buses.gateway.stats.replies_dropped == dropped + 1)


class TestConsumerGroups:
    async def test_members_of_one_group_share_the_messages(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        handled: list[tuple[str, str]] = []

        def member(name: str) -> Handler:
            async def handler(envelope: Envelope) -> None:
                await asyncio.sleep(0.001)
                handled.append((name, envelope.id))

            return handler

        await buses.gateway.ensure_topics([topic])
        first = await buses.connector.subscribe([topic], group, member("first"))
        await first.ready()
        second = await buses.connector.subscribe([topic], group, member("second"))
        await second.ready()
        sent = [request_envelope() for _ in range(60)]

        for envelope in sent:
            await buses.gateway.publish(topic, envelope)

        await wait_until(lambda: {i for _, i in handled} == {e.id for e in sent})
        assert len(handled) == len(sent)
        assert {name for name, _ in handled} == {"first", "second"}

    async def test_each_group_gets_every_message(self, buses: Buses, topic: str, group: str) -> None:
        handled: dict[str, list[str]] = {"warehouse": [], "audit": []}

        def into(name: str) -> Handler:
            async def handler(envelope: Envelope) -> None:
                handled[name].append(envelope.id)

            return handler

        await buses.gateway.ensure_topics([topic])
        for name in handled:
            await (await buses.connector.subscribe([topic], f"{group}.{name}", into(name))).ready()
        sent = [request_envelope() for _ in range(20)]

        for envelope in sent:
            await buses.gateway.publish(topic, envelope)

        expected = sorted(e.id for e in sent)
        await wait_until(lambda: all(len(ids) == len(sent) for ids in handled.values()))
        assert {name: sorted(ids) for name, ids in handled.items()} == {
            "warehouse": expected,
            "audit": expected,
        }


class TestHandlerFailure:
    async def test_a_failing_handler_does_not_stop_the_consumer(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        handled: list[bytes] = []

        async def fragile(envelope: Envelope) -> None:
            if envelope.data == b'"boom"':
                raise RuntimeError("connector bug")
            handled.append(envelope.data)

        await (await buses.connector.subscribe([topic], group, fragile, concurrency=1)).ready()
        errors = buses.connector.stats.handler_errors

        await buses.gateway.publish(topic, request_envelope(b'"boom"'), key=b"same")
        await buses.gateway.publish(topic, request_envelope(b'"after"'), key=b"same")

        await wait_until(lambda: handled == [b'"after"'])
        assert buses.connector.stats.handler_errors == errors + 1


class TestUnconsumed:
    async def test_a_message_left_unconsumed_is_retried_then_given_to_the_groups_next_member(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        """As the warehouse sink does with a batch it could not store: never committed, never lost."""
        attempts: list[bytes] = []
        stopping = asyncio.Event()

        async def unwilling(envelope: Envelope) -> None:
            attempts.append(envelope.data)
            if len(attempts) > 1:
                await stopping.wait()
            raise Unconsumed("cannot store it now")

        second_seen: list[bytes] = []

        async def second(envelope: Envelope) -> None:
            second_seen.append(envelope.data)

        subscription = await buses.connector.subscribe([topic], group, unwilling)
        await subscription.ready()
        await buses.gateway.publish(topic, request_envelope(b'"one"'), key=b"one-partition")
        await wait_until(lambda: len(attempts) == 2)  # retried while the member runs
        stopping.set()
        await subscription.stop()

        await buses.gateway.publish(topic, request_envelope(b'"two"'), key=b"one-partition")
        await (await buses.connector.subscribe([topic], group, second)).ready()

        await wait_until(lambda: len(second_seen) >= 2)
        assert second_seen == [b'"one"', b'"two"']
        assert attempts == [b'"one"', b'"one"']


class TestStop:
    async def test_stopping_a_subscription_lets_handlers_in_flight_finish(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        started, finished = asyncio.Event(), asyncio.Event()

        async def slow(envelope: Envelope) -> None:
            started.set()
            await asyncio.sleep(0.2)
            finished.set()

        subscription = await buses.connector.subscribe([topic], group, slow)
        await subscription.ready()
        await buses.gateway.publish(topic, request_envelope())
        await started.wait()

        await subscription.stop()

        assert finished.is_set()

    async def test_a_new_member_resumes_after_what_a_stopped_one_consumed(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        first_seen: list[bytes] = []
        second_seen: list[bytes] = []

        async def first(envelope: Envelope) -> None:
            first_seen.append(envelope.data)

        async def second(envelope: Envelope) -> None:
            second_seen.append(envelope.data)

        subscription = await buses.connector.subscribe([topic], group, first)
        await subscription.ready()
        await buses.gateway.publish(topic, request_envelope(b'"old"'), key=b"one-partition")
        await wait_until(lambda: first_seen == [b'"old"'])
        await subscription.stop()

        await buses.gateway.publish(topic, request_envelope(b'"new"'), key=b"one-partition")
        await (await buses.connector.subscribe([topic], group, second)).ready()

        await wait_until(lambda: len(second_seen) >= 1)
        assert second_seen[0] == b'"new"'

    async def test_a_stopped_bus_refuses_messages(self, buses: Buses, topic: str) -> None:
        await buses.gateway.stop()

        assert not buses.gateway.available
        with pytest.raises(BusUnavailable):
            await buses.gateway.publish(topic, request_envelope())
        with pytest.raises(BusUnavailable):
            await buses.gateway.request(topic, request_envelope(), timeout=5)

    async def test_stopping_the_bus_fails_requests_waiting_for_a_reply(
        self, buses: Buses, topic: str
    ) -> None:
        await buses.gateway.ensure_topics([topic])
        waiting = asyncio.create_task(buses.gateway.request(topic, request_envelope(), timeout=60))
        await wait_until(lambda: buses.gateway.stats.published >= 1)

        await buses.gateway.stop()

        with pytest.raises(BusUnavailable):
            await waiting


class TestFactory:
    def test_without_a_bootstrap_the_bus_is_in_process(self) -> None:
        assert isinstance(create_bus(None, instance_id="gw-1"), InProcessBus)

    def test_with_a_bootstrap_the_bus_is_kafka(self) -> None:
        from bus.kafka import KafkaBus

        bus = create_bus("127.0.0.1:9092", instance_id="gw-1", idempotence=False, partitions=6)

        assert isinstance(bus, KafkaBus)
        assert (bus.bootstrap, bus.partitions, bus.reply_topic) == ("127.0.0.1:9092", 6, "lgsp.reply.gw-1")
