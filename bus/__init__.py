"""The event bus: one interface (`Bus`), in-process (embedded default) and Kafka implementations."""

from bus.base import Bus, BusStats, Handler, Subscription
from bus.errors import BusTimeout, BusUnavailable
from bus.memory import InProcessBus

__all__ = [
    "Bus",
    "BusStats",
    "BusTimeout",
    "BusUnavailable",
    "Handler",
    "InProcessBus",
    "Subscription",
    "create_bus",
]


def create_bus(
    kafka_bootstrap: str | None, *, instance_id: str, idempotence: bool = False, partitions: int = 3
) -> Bus:
    """Kafka when a bootstrap address is given, otherwise the in-process bus. Call `start()` on the result."""
    if not kafka_bootstrap:
        return InProcessBus(instance_id)
    from bus.kafka import KafkaBus  # aiokafka is loaded only when Kafka is used

    return KafkaBus(kafka_bootstrap, instance_id, idempotence=idempotence, partitions=partitions)
