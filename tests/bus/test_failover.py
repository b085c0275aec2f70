"""Failover between connectors processes: calls waiting on a member that dies are answered by another one
within the reply timeout; a member that stops cleanly hands its partitions over."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bus import Bus
from tests.bus.conftest import kafka_bus, request_envelope, wait_until
from tests.kafka.broker import KafkaBroker

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[2]
REPLY_TIMEOUT = 10.0  # the gateway's default reply timeout


class Members:
    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic, self.group = bootstrap, topic, f"lgsp.test-group.{uuid.uuid4().hex[:8]}"
        self.processes: list[asyncio.subprocess.Process] = []

    async def start(self) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bus.echo_member", self.bootstrap, self.topic, self.group,
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(process)
        assert process.stdout is not None
        assert (await process.stdout.readline()).strip() == b"ready"
        return process

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
            await process.wait()


@pytest.fixture
async def gateway(kafka_broker: KafkaBroker) -> AsyncIterator[Bus]:
    bus = kafka_bus(kafka_broker.bootstrap, "gw")
    await bus.start()
    yield bus
    await bus.stop()


@pytest.fixture
async def members(kafka_broker: KafkaBroker, gateway: Bus) -> AsyncIterator[Members]:
    members = Members(kafka_broker.bootstrap, f"lgsp.test.{uuid.uuid4().hex[:12]}")
    yield members
    await members.stop()


async def load_through(
    gateway: Bus, topic: str, total: int, in_flight: int, fault: Callable[[], object]
) -> tuple[list[bytes], list[BaseException], float]:
    """Send `total` calls, `in_flight` at a time; after a third are answered apply `fault`. Returns the answers,
    the failures and the longest wait of any call (printed, never asserted: timings belong in benchmarks/)."""
    answered: list[bytes] = []
    failed: list[BaseException] = []
    longest = 0.0
    slots = asyncio.Semaphore(in_flight)

    async def call(n: int) -> None:
        nonlocal longest
        async with slots:
            began = time.monotonic()
            try:
                reply = await gateway.request(
                    topic, request_envelope(f'"{n}"'.encode()), timeout=REPLY_TIMEOUT
                )
            except Exception as exc:
                failed.append(exc)
                return
            longest = max(longest, time.monotonic() - began)
            answered.append(reply.data)

    calls = [asyncio.create_task(call(n)) for n in range(total)]
    await wait_until(lambda: len(answered) + len(failed) >= total // 3, within=60)
    fault()
    await asyncio.gather(*calls)
    return answered, failed, longest


class TestMemberKilled:
    async def test_calls_waiting_on_a_killed_member_are_answered_by_the_other(
        self, gateway: Bus, members: Members
    ) -> None:
        await gateway.ensure_topics([members.topic])
        victim = await members.start()
        await members.start()

        answered, failed, longest = await load_through(gateway, members.topic, 300, 20, victim.kill)

        print(f"\nSIGKILL of one member of two: longest call {longest:.1f} s")
        assert failed == []
        assert sorted(answered) == sorted(f'"{n}"'.encode() for n in range(300))


class TestMemberStopped:
    async def test_a_member_stopped_cleanly_hands_its_partitions_over(
        self, gateway: Bus, members: Members
    ) -> None:
        await gateway.ensure_topics([members.topic])
        leaving = await members.start()
        await members.start()

        answered, failed, longest = await load_through(
            gateway, members.topic, 300, 20, lambda: leaving.send_signal(signal.SIGTERM)
        )

        print(f"\nSIGTERM of one member of two: longest call {longest:.1f} s")
        assert failed == []
        assert sorted(answered) == sorted(f'"{n}"'.encode() for n in range(300))
        assert await asyncio.wait_for(leaving.wait(), 30) == 0
