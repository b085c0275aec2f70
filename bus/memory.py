"""`InProcessBus`: the embedded default, everything in one asyncio loop.

A message is the `Envelope` object itself (immutable, so shared without copies or serialisation). Each consumer
group has one queue that every member's workers take from: a group gets each message once and its members
share them. A group keeps its queue between subscriptions, as Kafka keeps a group's offsets. A message
published while a topic has no group yet is kept for the first group that joins it (Kafka keeps it for every
group joining later; here only the first gets it, so that nothing is held for ever).

A message a handler leaves `Unconsumed` is handled again after a pause while the member runs, and put back on
its group's queue when the member stops (for the group's next member in this process).

Every queue is bounded (`max_queued` messages a group, or a topic waiting for its first group): a publish that
finds one full raises `BusUnavailable`, a 503 for the gateway's caller, and puts the message nowhere.

Gateway and connectors share this process, so messages are not signed on this bus (DESIGN.md §4).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from bus.base import Bus, BusStats, Handler, Subscription, handle_until_consumed, log
from bus.errors import BusUnavailable
from contracts.envelope import Envelope

MAX_QUEUED = 10_000


class _Group:
    def __init__(self, name: str, max_queued: int) -> None:
        self.name = name
        self.queue: asyncio.Queue[Envelope] = asyncio.Queue(maxsize=max_queued)


class InProcessSubscription(Subscription):
    def __init__(
        self, group: _Group, topics: tuple[str, ...], handler: Handler, concurrency: int, stats: BusStats
    ):
        self.group = group.name
        self.topics = topics
        self._queue = group.queue
        self._handler = handler
        self._stats = stats
        self._idle: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._leaving = asyncio.Event()
        self._workers = [asyncio.create_task(self._work()) for _ in range(concurrency)]

    async def _work(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping:
            self._idle.add(task)
            envelope = await self._queue.get()
            self._idle.discard(task)
            await self._run_handler(envelope)

    async def _run_handler(self, envelope: Envelope) -> None:
        reason = await handle_until_consumed(self._handler, envelope, self._stats, self.group, self._leaving)
        if reason is not None:
            self._put_back(envelope, reason)

    def _put_back(self, envelope: Envelope, reason: str) -> None:
        if self._queue.full():
            self._stats.dropped += 1
            log.warning(
                "message %s dropped: left unconsumed (%s) and group %s is full",
                envelope.id,
                reason,
                self.group,
            )
            return
        self._queue.put_nowait(envelope)
        log.warning("message %s left unconsumed on group %s: %s", envelope.id, self.group, reason)

    async def ready(self) -> None:
        return None

    async def stop(self) -> None:
        self._stopping = True
        self._leaving.set()
        for worker in self._idle:
            worker.cancel()  # waiting for a message: nothing in flight
        await asyncio.gather(*self._workers, return_exceptions=True)


class _Lease(Subscription):
    def __init__(self, topics: tuple[str, ...], group: str) -> None:
        self.topics, self.group = topics, group

    async def ready(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class InProcessBus(Bus):
    def __init__(self, instance_id: str = "local", *, max_queued: int = MAX_QUEUED) -> None:
        super().__init__(instance_id)
        self.max_queued = max_queued
        self._groups: dict[str, _Group] = {}
        self._waiting: dict[str, list[Envelope]] = {}  # by topic: published before any group joined
        self._groups_of_topic: dict[str, list[_Group]] = {}
        self._topics: set[str] = set()
        self._subscriptions: list[InProcessSubscription] = []
        self._running = False

    async def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        self._running = False
        subscriptions, self._subscriptions = self._subscriptions, []
        await asyncio.gather(*(subscription.stop() for subscription in subscriptions))
        self._replies.fail_all(BusUnavailable("the event bus stopped"))

    @property
    def available(self) -> bool:
        return self._running

    async def check(self) -> bool:
        return self._running

    async def ensure_topics(self, topics: Iterable[str], *, partitions: int | None = None) -> set[str]:
        created = set(topics) - self._topics
        self._topics |= created
        return created

    async def publish(self, topic: str, envelope: Envelope, *, key: bytes | None = None) -> None:
        if not self._running:
            raise BusUnavailable("the event bus is not running")
        self.stats.published += 1
        if topic == self.reply_topic:
            self._replies.resolve(envelope)
            return
        groups = self._groups_of_topic.get(topic)
        if not groups:
            waiting = self._waiting.setdefault(topic, [])
            if len(waiting) >= self.max_queued:
                raise BusUnavailable(
                    f"{len(waiting)} messages on {topic} wait for a consumer; try again later"
                )
            waiting.append(envelope)
            return
        full = [group.name for group in groups if group.queue.full()]
        if full:
            raise BusUnavailable(f"the queue of consumer group {full[0]} is full; try again later")
        for group in groups:
            group.queue.put_nowait(envelope)

    async def _send_request(self, topic: str, envelope: Envelope, reply: asyncio.Future[Envelope]) -> None:
        await self.publish(topic, envelope)

    async def join(self, topic: str, group: str) -> Subscription:
        if not self._running:
            raise BusUnavailable("the event bus is not running")
        return _Lease((topic,), group)  # one process holds every partition, and takes nothing

    async def subscribe(
        self, topics: Sequence[str], group: str, handler: Handler, *, concurrency: int = 16
    ) -> Subscription:
        if not self._running:
            raise BusUnavailable("the event bus is not running")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        consumer_group = self._groups.get(group) or self._groups.setdefault(
            group, _Group(group, self.max_queued)
        )
        for topic in topics:
            self._topics.add(topic)
            members = self._groups_of_topic.setdefault(topic, [])
            if consumer_group not in members:
                members.append(consumer_group)
            for envelope in self._waiting.pop(topic, ()):
                if consumer_group.queue.full():
                    self.stats.dropped += 1
                    log.warning("message %s on %s dropped: group %s is full", envelope.id, topic, group)
                    continue
                consumer_group.queue.put_nowait(envelope)
        subscription = InProcessSubscription(consumer_group, tuple(topics), handler, concurrency, self.stats)
        self._subscriptions.append(subscription)
        return subscription
