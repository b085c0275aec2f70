"""One runner per dataset schedule: the connectors processes of an agency split its datasets through a consumer
group on Apache Kafka, each dataset held by exactly one of them, and a process's departure hands its datasets on."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bus.kafka import KafkaBus
from connectors.sdk.leases import ScheduleLeases
from contracts.addresses import Address
from tests.connectors.conftest import eventually
from tests.kafka.broker import KafkaBroker

pytestmark = pytest.mark.kafka


def process_bus(broker: KafkaBroker) -> KafkaBus:
    return KafkaBus(
        broker.bootstrap, f"cn-{uuid.uuid4().hex[:8]}", replies=False, session_timeout_ms=2000,
        metadata_max_age_ms=1000,
    )  # fmt: skip


class TestLeasesSplitAnAgencysDatasets:
    async def test_each_dataset_is_held_by_one_process_and_handed_on_when_it_leaves(
        self, kafka_broker: KafkaBroker
    ) -> None:
        agency = f"H{uuid.uuid4().int % 90 + 10}.{uuid.uuid4().int % 90 + 10}"  # a group of this test's own
        datasets = [Address(agency, f"tap-du-lieu-{n}", 1) for n in range(24)]
        buses = [process_bus(kafka_broker), process_bus(kafka_broker)]
        await asyncio.gather(*(bus.start() for bus in buses))
        first, second = ScheduleLeases(buses[0]), ScheduleLeases(buses[1])
        try:
            await first.start([agency])
            await second.start([agency])
            both = (first, second)

            def split() -> bool:  # once the group has rebalanced to both
                exactly_one = all(sum(lease.holds(d) for lease in both) == 1 for d in datasets)
                return (
                    exactly_one
                    and any(first.holds(d) for d in datasets)
                    and any(second.holds(d) for d in datasets)
                )

            await eventually(split, within=30)

            await first.stop()
            await eventually(lambda: all(second.holds(d) for d in datasets), within=30)
        finally:
            await first.stop()
            await second.stop()
            await asyncio.gather(*(bus.stop() for bus in buses))
