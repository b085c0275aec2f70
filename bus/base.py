"""The event bus interface both implementations honour, and the request-reply matching they share."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from bus.errors import BusTimeout, BusUnavailable, Unconsumed
from contracts.addresses import reply_topic
from contracts.envelope import Envelope

Handler = Callable[[Envelope], Awaitable[None]]
ReplyCheck = Callable[[Envelope, Envelope], str | None]
"""(request, reply) → why the reply is not to be believed, or None: set by the gateway (`Bus.check_replies`)."""
Refused = Callable[[str, Envelope], None]
"""(reason, reply): told of every reply dropped unbelieved, for metrics and the log."""
NOT_PENDING = "not-pending"
RETRY_FIRST, RETRY_MAX = 0.1, 5.0
"""Seconds before a message a handler left `Unconsumed` is handled again while its member runs (doubling)."""

log = logging.getLogger("lgsp.bus")


async def handle_until_consumed(
    handler: Handler, envelope: Envelope, stats: BusStats, group: str, leaving: asyncio.Event
) -> str | None:
    """Run `handler` on `envelope`, again after a growing pause while it leaves the message `Unconsumed`.
    Returns why it was left unconsumed once the member is `leaving`, or None: consumed (handled, or failed and
    logged, which also consumes it)."""
    delay = RETRY_FIRST
    while True:
        try:
            await handler(envelope)
        except Unconsumed as exc:
            if leaving.is_set():
                return str(exc)
            log.info("consumer group %s: message %s again in %.1f s: %s", group, envelope.id, delay, exc)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await leaving.wait()
            delay = min(delay * 2, RETRY_MAX)
        except Exception:
            stats.handler_errors += 1
            log.exception("handler of group %s failed on message %s", group, envelope.id)
            return None
        else:
            stats.handled += 1
            return None


@dataclass
class BusStats:
    """Counters since start, for metrics."""

    published: int = 0
    replies_matched: int = 0
    replies_dropped: int = 0
    """Replies nobody waits for: late (after the timeout), duplicate, or for an unknown exchange."""
    handled: int = 0
    handler_errors: int = 0
    invalid_messages: int = 0
    dropped: int = 0
    """Messages kept for a topic's first group that found that group's queue already full."""


class Subscription(ABC):
    """One member of a consumer group, running a handler over the messages of its topics."""

    topics: tuple[str, ...]
    group: str

    @abstractmethod
    async def ready(self) -> None:
        """Return once this member takes part in its group (in Kafka: its partitions are assigned)."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop taking messages, let the handlers in flight finish, and record what was consumed."""

    def assigned(self) -> frozenset[int] | None:
        """The partitions of its topics this member holds now; None when it holds them all (one process)."""
        return None


class ReplyWaiters:
    """Requests in flight, by exchange id: each authentic reply completes its own request once.

    With a `check`, a reply it refuses is dropped and the request keeps waiting: a forged reply can neither
    answer for the provider nor stop the genuine one from completing the call.
    """

    def __init__(self, stats: BusStats) -> None:
        self._waiting: dict[str, tuple[asyncio.Future[Envelope], Envelope | None]] = {}
        self._stats = stats
        self.check: ReplyCheck | None = None
        self.refused: Refused | None = None

    def __len__(self) -> int:
        return len(self._waiting)

    def expect(self, exchange_id: str, request: Envelope | None = None) -> asyncio.Future[Envelope]:
        if exchange_id in self._waiting:
            raise ValueError(f"a request with id {exchange_id} is already waiting for its reply")
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._waiting[exchange_id] = (future, request)
        return future

    def forget(self, exchange_id: str) -> None:
        self._waiting.pop(exchange_id, None)

    def resolve(self, reply: Envelope) -> None:
        waiting = self._waiting.get(reply.id)
        if waiting is None or waiting[0].done():
            self._stats.replies_dropped += 1
            if self.refused is not None:
                self.refused(NOT_PENDING, reply)
            return
        future, request = waiting
        if self.check is not None and request is not None:
            refusal = self.check(request, reply)
            if refusal is not None:
                self._stats.replies_dropped += 1
                if self.refused is not None:
                    self.refused(refusal, reply)
                return
        del self._waiting[reply.id]
        future.set_result(reply)
        self._stats.replies_matched += 1

    def fail_all(self, error: Exception) -> None:
        for future, _ in self._waiting.values():
            if not future.done():
                future.set_exception(error)


def _expire(future: asyncio.Future[Envelope], exchange_id: str, timeout: float) -> None:
    if not future.done():
        future.set_exception(BusTimeout(f"no reply to exchange {exchange_id} within {timeout:g}s"))


class Bus(ABC):
    """Topics, consumer groups and request-reply over CloudEvents envelopes (DESIGN.md §4)."""

    def __init__(self, instance_id: str) -> None:
        self.instance_id = instance_id
        self.reply_topic = reply_topic(instance_id)
        self.stats = BusStats()
        self._replies = ReplyWaiters(self.stats)

    def check_replies(self, check: ReplyCheck | None, refused: Refused | None = None) -> None:
        """Believe only the replies `check` accepts; `refused` hears of every reply dropped (and why)."""
        self._replies.check, self._replies.refused = check, refused

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None:
        """Stop every subscription (handlers in flight finish), fail waiting requests, release the broker."""

    @property
    @abstractmethod
    def available(self) -> bool:
        """Whether the bus takes messages now; when False, `publish` and `request` raise `BusUnavailable`."""

    @abstractmethod
    async def check(self) -> bool:
        """Probe the broker now and return the (updated) availability."""

    @abstractmethod
    async def ensure_topics(self, topics: Iterable[str], *, partitions: int | None = None) -> set[str]:
        """Create the topics that do not exist yet (with `partitions`, where the bus has them); return those it
        created. Idempotent."""

    @abstractmethod
    async def publish(self, topic: str, envelope: Envelope, *, key: bytes | None = None) -> None:
        """Put `envelope` on `topic` (Kafka key: `key`, else `envelope.key`); return once the bus holds it."""

    @abstractmethod
    async def subscribe(
        self, topics: Sequence[str], group: str, handler: Handler, *, concurrency: int = 16
    ) -> Subscription:
        """Join consumer `group` on `topics`: each group gets each message once, its members share them.

        Up to `concurrency` handler calls run at once; an exception in one is logged and counted.
        """

    @abstractmethod
    async def join(self, topic: str, group: str) -> Subscription:
        """Take part in consumer `group` on `topic` for its assignment alone (a lease: `assigned()`), never
        taking a message. On Kafka the member only heartbeats: an idle lease costs no fetches."""

    async def reply(self, request: Envelope, reply: Envelope) -> None:
        """Send `reply` to the topic the request named in `replyto`."""
        if not request.replyto:
            raise ValueError(f"request {request.id} has no replyto: it expects no reply")
        await self.publish(request.replyto, reply)

    # The timeout is part of the contract (BusTimeout, late replies dropped), not a cancellation scope.
    async def request(self, topic: str, envelope: Envelope, *, timeout: float) -> Envelope:  # noqa: ASYNC109
        """Publish `envelope` to `topic` and return the reply with the same id.

        `replyto` is set to this instance's reply topic when absent (sign after setting it: see
        `reply_topic`). Raises `BusTimeout` when no reply comes within `timeout` seconds and
        `BusUnavailable` when the bus cannot take the request.
        """
        if envelope.replyto is None:
            if envelope.signature is not None:
                raise ValueError("set replyto (bus.reply_topic) before signing: the signature covers it")
            envelope = replace(envelope, replyto=self.reply_topic)
        elif envelope.replyto != self.reply_topic:
            raise ValueError(f"replyto {envelope.replyto!r} is not this instance's {self.reply_topic!r}")
        if not self.available:
            raise BusUnavailable("the event bus is unavailable")
        future = self._replies.expect(envelope.id, envelope)
        timer = asyncio.get_running_loop().call_later(timeout, _expire, future, envelope.id, timeout)
        try:
            await self._send_request(topic, envelope, future)
            return await future
        finally:
            timer.cancel()
            self._replies.forget(envelope.id)

    @abstractmethod
    async def _send_request(self, topic: str, envelope: Envelope, reply: asyncio.Future[Envelope]) -> None:
        """Publish a request; a delivery failure fails `reply` (with `BusUnavailable`) rather than raising."""
