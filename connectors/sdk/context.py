"""What a handler knows about the request it answers, besides the request itself."""

from dataclasses import dataclass
from datetime import datetime

from contracts.addresses import Address
from contracts.envelope import Envelope


@dataclass(frozen=True, slots=True)
class RequestContext:
    exchange_id: str
    """The gateway's id of this exchange: quote it in logs, it is the key of the exchange log."""
    address: Address
    consumer_agency: str | None
    """The agency of the client that called (as the gateway authenticated it)."""
    trace_id: str | None
    traceparent: str | None
    """W3C Trace Context of the call, to continue the trace in the department's own systems."""
    requested_at: datetime | None
    """When the gateway sent the request (`ce_time`)."""

    @classmethod
    def of(cls, envelope: Envelope, address: Address) -> "RequestContext":
        return cls(
            exchange_id=envelope.id,
            address=address,
            consumer_agency=envelope.consumer,
            trace_id=_trace_id(envelope.traceparent),
            traceparent=envelope.traceparent,
            requested_at=_time(envelope.time),
        )


def _trace_id(traceparent: str | None) -> str | None:
    parts = traceparent.split("-") if traceparent else []
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
