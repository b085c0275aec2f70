from datetime import datetime

from pydantic import BaseModel, Field


class Stats(BaseModel):
    min: float | None
    avg: float | None
    max: float | None


class DurationStats(Stats):
    p95: float | None = Field(description="nearest-rank 95th percentile")


class ServiceHealth(BaseModel):
    address: str
    kind: str = Field(description="service or share (a dataset's address)")
    provider_agency: str
    count: int = Field(description="exchanges completed in the period")
    ok: int
    failures: dict[str, int] = Field(description="by outcome: rejected, client_error, provider_error, ...")
    failure_rate: float
    duration_ms: DurationStats = Field(description="received to completed, of successful exchanges")
    request_size: Stats = Field(description="bytes, of successful exchanges")
    response_size: Stats = Field(description="bytes, of successful exchanges")


class HealthReport(BaseModel):
    since: datetime
    until: datetime
    services: list[ServiceHealth]
