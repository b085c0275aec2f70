"""The in-memory shape of an exchange record, built on the hot path and written by the log writer."""

import secrets
import time
import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from gateway.exchangelog.models import Outcome


@dataclass(slots=True)
class ExchangeRecord:
    id: str
    kind: str
    instance: str
    received_at: datetime
    outcome: str = Outcome.PENDING
    seq: int | None = None
    consumer_agency: str | None = None
    client_id: str | None = None
    provider_agency: str | None = None
    address: str | None = None
    database_id: int | None = None
    contract_version: str | None = None
    request_id: str | None = None
    trace_id: str | None = None
    sent_at: datetime | None = None
    replied_at: datetime | None = None
    completed_at: datetime | None = None
    http_status: int | None = None
    error_type: str | None = None
    request_size: int = 0
    response_size: int | None = None
    record_count: int | None = None
    request_sha256: str | None = None
    response_sha256: str | None = None
    request_payload: str | None = None
    response_payload: str | None = None
    prev_hash: str | None = None
    hash: str | None = None
    role: str | None = None  # origin | transit | provider across the federation

    def row(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELD_NAMES}


FIELD_NAMES = tuple(field.name for field in fields(ExchangeRecord))


def new_exchange_id() -> str:
    """A UUIDv7 (RFC 9562): unique and ordered by time, so the log's ids sort as the exchanges arrived."""
    millis = time.time_ns() // 1_000_000
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | secrets.randbits(12) << 64 | 0b10 << 62
    value |= secrets.randbits(62)
    return str(uuid.UUID(int=value))
