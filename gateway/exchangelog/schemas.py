from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ExchangePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    address: str | None
    contract_version: str | None
    consumer_agency: str | None
    client_id: str | None
    provider_agency: str | None
    request_id: str | None
    trace_id: str | None
    received_at: datetime
    sent_at: datetime | None
    replied_at: datetime | None
    completed_at: datetime | None
    outcome: str
    http_status: int | None
    error_type: str | None
    request_size: int
    response_size: int | None
    record_count: int | None
    request_sha256: str | None
    response_sha256: str | None
    instance: str
    seq: int | None
    prev_hash: str | None
    hash: str | None
    role: str | None = None  # origin | transit | provider in a call across the federation
    delivered_at: datetime | None = None
    captured: bool = False


class ExchangeDetail(ExchangePublic):
    request_payload: Any = None
    response_payload: Any = None
    result: Any = None  # the reply of an asynchronous call, for its consumer
