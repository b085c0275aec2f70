"""The event bus: one interface (`Bus`), in-process (embedded default) and Kafka implementations.

bus = create_bus(settings.kafka_bootstrap, instance_id=settings.instance_id,
                 idempotence=settings.kafka_idempotence, partitions=settings.kafka_partitions)
await bus.start()
# gateway: set replyto before signing, then wait for the reply matched by exchange id
request = sign_envelope(replace(envelope, replyto=bus.reply_topic), key, kid)
reply = await bus.request(address.service_topic, request, timeout=10)  # BusTimeout / BusUnavailable
# connector: one consumer group per service
async def handle(request: Envelope) -> None:
    verify_envelope(request, jwks)
    await bus.reply(request, make_reply(request, source=..., data=...))
await (await bus.subscribe([address.service_topic], address.consumer_group, handle)).ready()
"""

from bus.base import Bus, BusStats, Handler, Subscription
from bus.errors import BusTimeout, BusUnavailable, Unconsumed
from bus.kafka_access import KafkaLogin
from bus.memory import InProcessBus

__all__ = [
    "Bus",
    "BusStats",
    "BusTimeout",
    "BusUnavailable",
    "Handler",
    "InProcessBus",
    "Subscription",
    "Unconsumed",
    "create_bus",
]


def create_bus(
    kafka_bootstrap: str | None,
    *,
    instance_id: str,
    idempotence: bool = True,
    partitions: int = 3,
    replication_factor: int = 1,
    login: KafkaLogin | None = None,
    replies: bool = True,
) -> Bus:
    """Kafka when a bootstrap address is given, otherwise the in-process bus. Call `start()` on the result."""
    if not kafka_bootstrap:
        return InProcessBus(instance_id)
    from bus.kafka import KafkaBus  # aiokafka is loaded only when Kafka is used

    return KafkaBus(
        kafka_bootstrap,
        instance_id,
        idempotence=idempotence,
        partitions=partitions,
        replication_factor=replication_factor,
        login=login,
        replies=replies,
    )
