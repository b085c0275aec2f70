"""Registry events: what changed, for caches and the `lgsp.registry` topic. The gateway supplies the sink."""

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    type: str  # e.g. "contract.registered", "grant.revoked"
    subject: str  # what it is about: an agency code, an address, a client id
    data: dict[str, Any] = field(default_factory=dict)


class EventSink(Protocol):
    async def __call__(self, event: RegistryEvent) -> None: ...


async def discard(event: RegistryEvent) -> None:
    """The sink used when nobody listens (CLI commands working on the database directly)."""
