"""`Bus.join`: a member of a consumer group for its assignment alone, as the connectors' dataset schedules use it
(connectors/sdk/leases.py). It holds partitions like any member, and never takes a message."""

from __future__ import annotations

import asyncio

from contracts.envelope import Envelope
from tests.bus.conftest import Buses, request_envelope


class TestJoinedMember:
    async def test_it_holds_partitions_and_shares_them_with_a_second_member(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        first = await buses.gateway.join(topic, group)
        await first.ready()
        alone = first.assigned()
        if buses.kind == "memory":
            assert alone is None  # one process holds everything
            await first.stop()
            return
        assert alone == {0, 1, 2}
        second = await buses.connector.join(topic, group)
        await second.ready()
        for _ in range(
            200
        ):  # until the first member has heard of the rebalance (a heartbeat) and given some up
            held = (first.assigned() or frozenset(), second.assigned() or frozenset())
            if held[0] and held[1] and not held[0] & held[1]:
                break
            await asyncio.sleep(0.1)
        assert held[0] | held[1] == {0, 1, 2}
        assert not held[0] & held[1]
        await second.stop()
        await first.stop()

    async def test_it_takes_no_message_a_later_subscriber_of_its_group_gets_them_all(
        self, buses: Buses, topic: str, group: str
    ) -> None:
        lease = await buses.connector.join(topic, group)
        await lease.ready()
        sent = [request_envelope() for _ in range(5)]
        for item in sent:
            await buses.gateway.publish(topic, item)
        await asyncio.sleep(1.5)  # time a reading member would have taken them in
        await lease.stop()

        received: list[str] = []

        async def collect(message: Envelope) -> None:
            received.append(message.id)

        reader = await buses.connector.subscribe([topic], group, collect)
        await reader.ready()
        for _ in range(100):
            if len(received) == len(sent):
                break
            await asyncio.sleep(0.1)
        await reader.stop()
        assert sorted(received) == sorted(item.id for item in sent)
