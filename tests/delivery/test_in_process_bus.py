"""The in-process bus keeps what is published before anyone listens, and no queue of it grows without bound."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bus import BusUnavailable, InProcessBus
from contracts.envelope import Envelope, utc_now
from tests.harness import gateway_settings, land_sharing, parcel, running_gateway


def message(number: int) -> Envelope:
    return Envelope(id=f"m-{number}", source="urn:test", type="test", data=b"{}", time=utc_now())


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    bus = InProcessBus("test", max_queued=3)
    await bus.start()
    yield bus
    await bus.stop()


class TestPublishedBeforeAnyoneJoins:
    async def test_the_first_group_to_join_gets_it(self, bus: InProcessBus) -> None:
        await bus.publish("topic.a", message(1))
        received: list[str] = []

        async def handle(envelope: Envelope) -> None:
            received.append(envelope.id)

        await bus.subscribe(["topic.a"], "group-1", handle)
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.01)
        assert received == ["m-1"]


class TestBoundedQueues:
    async def test_a_topic_nobody_reads_refuses_beyond_its_bound(self, bus: InProcessBus) -> None:
        for number in range(3):
            await bus.publish("topic.b", message(number))
        with pytest.raises(BusUnavailable):
            await bus.publish("topic.b", message(3))

    async def test_a_full_group_refuses_and_the_others_get_nothing_either(self, bus: InProcessBus) -> None:
        stuck = asyncio.Event()

        async def never(envelope: Envelope) -> None:
            await stuck.wait()

        seen: list[str] = []

        async def fast(envelope: Envelope) -> None:
            seen.append(envelope.id)

        await bus.subscribe(["topic.c"], "slow", never, concurrency=1)
        await bus.subscribe(["topic.c"], "fast", fast, concurrency=1)
        published = 0
        refused = None
        for number in range(10):
            try:
                await bus.publish("topic.c", message(number))
            except BusUnavailable as error:
                refused = error
                break
            published += 1
            await asyncio.sleep(0)
        assert refused is not None
        assert published == 4  # one in the slow handler, three queued
        await asyncio.sleep(0.05)
        assert len(seen) == published  # the refused message reached no group
        stuck.set()


class TestAFullQueueIsA503ForTheCaller:
    async def test_a_share_gets_a_problem_and_the_log_says_unavailable(
        self, database_url: str, tmp_path: Path
    ) -> None:  # type: ignore[no-untyped-def]
        bus = InProcessBus("gw", max_queued=1)
        await bus.start()
        try:
            settings = gateway_settings(database_url, tmp_path)
            async with running_gateway(settings, bus=bus) as gateway:
                headers = await land_sharing(gateway)
                first = await gateway.http.post(
                    "/share/H50.20/thua-dat/v1", json={"records": [parcel(1)]}, headers=headers
                )
                assert first.status_code == 202  # kept for the warehouse, which has not joined yet
                second = await gateway.http.post(
                    "/share/H50.20/thua-dat/v1", json={"records": [parcel(2)]}, headers=headers
                )
                assert second.status_code == 503
                assert second.json()["type"] == "urn:lgsp:error:bus-unavailable"
                logged = await gateway.http.get(
                    f"/api/v1/exchanges/{second.json()['exchange_id']}", headers=await gateway.admin()
                )
                assert logged.json()["outcome"] == "unavailable"
        finally:
            await bus.stop()
