"""Registry events: rebuild this instance's directory, create topics, and tell the other gateway instances."""

import logging

import orjson

from bus import Bus, BusUnavailable, Subscription
from contracts.addresses import REGISTRY_TOPIC, Address
from contracts.envelope import REGISTRY_PREFIX, Envelope, utc_now
from gateway.exchange.directory import Directory
from gateway.exchangelog.record import new_exchange_id
from registry.events import RegistryEvent

log = logging.getLogger("lgsp.gateway")


class RegistryEventHub:
    """The registry's `EventSink` on a gateway; also listens to the events of the other instances."""

    def __init__(self, directory: Directory, bus: Bus, instance: str) -> None:
        self.directory = directory
        self.bus = bus
        self.source = f"urn:lgsp:gateway:{instance}"
        self.group = f"lgsp.gateway.{instance}.registry"
        self._subscription: Subscription | None = None

    async def __call__(self, event: RegistryEvent) -> None:
        await self.directory.refresh()
        if event.type == "contract.registered":
            address = Address.parse(event.subject)
            topic = address.service_topic if event.data.get("kind") == "service" else address.share_topic
            await self._ensure([topic])
        envelope = Envelope(
            id=new_exchange_id(),
            source=self.source,
            type=REGISTRY_PREFIX + event.type,
            subject=event.subject,
            data=orjson.dumps(event.data),
            time=utc_now(),
        )
        try:
            await self.bus.publish(REGISTRY_TOPIC, envelope)
        except BusUnavailable:
            log.warning("registry event %s not sent to other gateways: the bus is unavailable", event.type)

    async def _ensure(self, topics: list[str]) -> None:
        try:
            await self.bus.ensure_topics(topics)
        except BusUnavailable:
            log.warning("topics %s not created now: the bus is unavailable", topics)

    async def start(self) -> None:
        topics = [route.topic for route in self.directory.routes.values()]
        await self._ensure([REGISTRY_TOPIC, self.bus.reply_topic, *topics])
        self._subscription = await self.bus.subscribe(
            [REGISTRY_TOPIC], self.group, self._on_event, concurrency=1
        )

    async def _on_event(self, envelope: Envelope) -> None:
        if envelope.source != self.source:
            await self.directory.refresh()

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.stop()
