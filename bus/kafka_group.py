"""One member of a Kafka consumer group: handlers run concurrently, offsets are committed in batches.

An offset is committed only when every message before it in its partition has been handled, so a member that
dies redelivers what was in flight (at least once). Commits go out at most every `commit_interval` seconds
(in the background: the fetch loop does not wait), on rebalance and on stop, never one per message.

A message whose handler raises `Unconsumed` is handled again while the member runs; once the member stops or
loses the partition it is never committed (nor anything after it in its partition): the group gets it again.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    InvalidSessionTimeoutError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from bus.base import BusStats, Handler, Subscription, handle_until_consumed, log
from bus.errors import BusUnavailable
from contracts.envelope import Envelope, EnvelopeInvalid, from_kafka

# Refusals that no retry cures: the member stops and `ready()` says why instead of waiting forever.
_FATAL = (InvalidSessionTimeoutError, GroupAuthorizationFailedError, TopicAuthorizationFailedError)


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """Stop an aiokafka consumer, even while the broker is down.

    There `stop()` can re-raise the cancellation of the consumer's own fetch retry (aio-libs/aiokafka#647):
    that one is not ours to propagate. A cancellation of the calling task still is.
    """
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.debug("aiokafka consumer stopped with a stray cancellation (broker down)")


class OffsetTracker:
    """Per partition, the next offset safe to commit: all messages before it have been handled."""

    def __init__(self) -> None:
        self._in_flight: dict[TopicPartition, deque[int]] = {}
        self._finished: dict[TopicPartition, set[int]] = {}
        self._committable: dict[TopicPartition, int] = {}

    def started(self, partition: TopicPartition, offset: int) -> None:
        self._in_flight.setdefault(partition, deque()).append(offset)

    def finished(self, partition: TopicPartition, offset: int) -> None:
        in_flight = self._in_flight.get(partition)
        if not in_flight:
            return  # the partition was revoked meanwhile
        finished = self._finished.setdefault(partition, set())
        finished.add(offset)
        while in_flight and in_flight[0] in finished:
            done = in_flight.popleft()
            finished.discard(done)
            self._committable[partition] = done + 1

    def take(self) -> dict[TopicPartition, int]:
        committable, self._committable = self._committable, {}
        return committable

    def forget(self, partitions: set[TopicPartition]) -> None:
        for partition in partitions:
            self._in_flight.pop(partition, None)
            self._finished.pop(partition, None)
            self._committable.pop(partition, None)


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, member: KafkaSubscription) -> None:
        self._member = member

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        log.info("consumer group %s: %d partition(s) revoked", self._member.group, len(revoked))
        self._member._leaving.set()  # a message left unconsumed now goes to the partitions' next owner
        try:
            await self._member._drain()
        finally:
            self._member._tracker.forget(set(revoked))
            if self._member._running:
                self._member._leaving.clear()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("consumer group %s: %d partition(s) assigned", self._member.group, len(assigned))
        if not self._member.fetches:
            self._member._consumer.pause(*assigned)  # a lease: nothing to read, so no fetch requests
        self._member._assigned.set()


class KafkaSubscription(Subscription):
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        topics: tuple[str, ...],
        group: str,
        handler: Handler,
        concurrency: int,
        stats: BusStats,
        *,
        commit_interval: float = 0.1,
        commit_timeout: float = 2.0,
        on_stop: Callable[[KafkaSubscription], Awaitable[None]] | None = None,
        fetches: bool = True,
        ready_timeout: float = 60.0,
    ) -> None:
        """`fetches` False: a member for its assignment only (`Bus.join`), which never reads its topics;
        `ready_timeout`: seconds `ready()` waits for the group to assign this member its partitions."""
        self.topics = topics
        self.fetches = fetches
        self.group = group
        self._consumer = consumer
        self._handler = handler
        self._stats = stats
        self._slots = asyncio.Semaphore(concurrency)
        self._tracker = OffsetTracker()
        self._tasks: set[asyncio.Task[None]] = set()
        self._assigned = asyncio.Event()
        self._leaving = asyncio.Event()
        self._commit_interval = commit_interval
        self._commit_timeout = commit_timeout
        self._ready_timeout = ready_timeout
        self._last_commit = time.monotonic()
        self._committing: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._committing.set_result(None)
        self._on_stop = on_stop
        self._fetching: asyncio.Task[None] | None = None
        self._running = False
        self._refused: KafkaError | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._consumer.subscribe(list(self.topics), listener=_Rebalance(self))
        self._running = True
        if self.fetches:  # the group's coordinator runs in the consumer's background either way
            self._fetching = asyncio.create_task(self._fetch())

    async def ready(self) -> None:
        """Bounded: a group that never settles (a member stuck in a rebalance, a coordinator that does not
        answer) is a `BusUnavailable` the caller reports, not a wait for ever."""
        try:
            async with asyncio.timeout(self._ready_timeout):
                await self._assigned.wait()
        except TimeoutError:
            raise BusUnavailable(
                f"consumer group {self.group}: no partitions assigned within {self._ready_timeout:g} s"
            ) from None
        if self._refused is not None:
            raise BusUnavailable(f"the broker refused consumer group {self.group}: {self._refused!r}")

    def assigned(self) -> frozenset[int] | None:
        return frozenset(partition.partition for partition in self._consumer.assignment())

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._leaving.set()
        fetching, self._fetching = self._fetching, None
        if fetching is not None:
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
        await self._drain()
        await stop_consumer(self._consumer)
        if self._on_stop is not None:
            await self._on_stop(self)

    async def _fetch(self) -> None:
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=1000)
            except _FATAL as exc:
                log.error("consumer group %s: the broker refused it: %r", self.group, exc)
                self._refused = exc
                self._assigned.set()
                return
            except KafkaError as exc:
                log.warning("consumer group %s: fetch failed: %r", self.group, exc)
                await asyncio.sleep(0.5)
                continue
            for partition, records in batches.items():
                for record in records:
                    await self._slots.acquire()
                    self._tracker.started(partition, record.offset)
                    task = asyncio.create_task(self._handle(partition, record))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            if self._committing.done() and time.monotonic() - self._last_commit >= self._commit_interval:
                self._committing = asyncio.create_task(self._commit())  # the fetch loop does not wait for it

    async def _handle(self, partition: TopicPartition, record: ConsumerRecord[bytes, bytes]) -> None:
        consumed = True
        try:
            envelope = from_kafka(record.headers, record.value, record.key)
        except EnvelopeInvalid as exc:
            self._stats.invalid_messages += 1
            log.warning("consumer group %s: dropped %s@%d: %s", self.group, partition, record.offset, exc)
        else:
            consumed = await self._run_handler(envelope)
        finally:
            if consumed:  # else its offset, and so every later one of the partition, stays uncommitted
                self._tracker.finished(partition, record.offset)
            self._slots.release()

    async def _run_handler(self, envelope: Envelope) -> bool:
        """Whether the message is consumed: False when the handler left it `Unconsumed` as the member left."""
        reason = await handle_until_consumed(self._handler, envelope, self._stats, self.group, self._leaving)
        if reason is None:
            return True
        log.warning("consumer group %s: message %s left unconsumed: %s", self.group, envelope.id, reason)
        return False

    async def _drain(self) -> None:
        """Let the handlers in flight finish, then commit what they consumed."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._committing
        await self._commit()

    async def _commit(self) -> None:
        self._last_commit = time.monotonic()
        offsets = self._tracker.take()
        if not offsets:
            return
        try:
            # Bounded: with the broker gone aiokafka waits for a coordinator forever, and stop() must end.
            await asyncio.wait_for(self._consumer.commit(offsets), self._commit_timeout)
        except (KafkaError, TimeoutError) as exc:
            # The group rebalanced or the broker is gone: whoever owns the partitions next reads them again
            # from the last commit (at least once). Retrying these offsets could skip messages on a broker
            # that lost its log.
            log.warning("consumer group %s: commit failed: %r", self.group, exc)
