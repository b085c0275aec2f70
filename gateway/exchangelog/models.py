from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from registry.storage import UTCDateTime


class ExchangeKind(StrEnum):
    SERVICE = "service"
    SHARE = "share"


class Outcome(StrEnum):
    PENDING = "pending"
    OK = "ok"
    REJECTED = "rejected"  # authentication, authorisation or rate limit
    CLIENT_ERROR = "client_error"  # malformed or out-of-contract input, unknown address
    PROVIDER_ERROR = "provider_error"  # the connector failed or answered against the contract
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"  # bus or log unavailable
    MAINTENANCE = "maintenance"  # inside the service's announced maintenance window (503)
    ABANDONED = "abandoned"  # left open by a crash or while the log was unreachable, closed afterwards


class Exchange(SQLModel, table=True):
    """One service call or share delivery. Chained per gateway instance once complete: `hash` covers every field,
    the chain position `seq` and `prev_hash`."""

    __table_args__ = (
        UniqueConstraint("instance", "seq"),
        Index("ix_exchange_completed", "completed_at"),
        Index("ix_exchange_address_completed", "address", "completed_at"),
        Index("ix_exchange_consumer_completed", "consumer_agency", "completed_at"),
        Index("ix_exchange_provider_completed", "provider_agency", "completed_at"),
        # shares only (a partial index costs calls nothing): the warehouse's lag (gateway/metrics/warehouse.py)
        Index(
            "ix_exchange_share_completed",
            "completed_at",
            postgresql_where=text("kind = 'share'"),
            sqlite_where=text("kind = 'share'"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(sa_type=String(16))
    instance: str = Field(max_length=64)
    seq: int | None = None
    consumer_agency: str | None = Field(default=None, max_length=35)
    client_id: str | None = Field(default=None, max_length=64)
    provider_agency: str | None = Field(default=None, max_length=35)
    address: str | None = Field(default=None, max_length=200)
    database_id: int | None = None
    contract_version: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=200)
    trace_id: str | None = Field(default=None, max_length=32)
    received_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(sa_type=String(16), index=True)
    http_status: int | None = None
    error_type: str | None = Field(default=None, max_length=100)
    request_size: int = 0
    response_size: int | None = None
    record_count: int | None = None
    request_sha256: str | None = Field(default=None, max_length=64)
    response_sha256: str | None = Field(default=None, max_length=64)
    request_payload: str | None = None
    response_payload: str | None = None
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
    # origin | transit | provider: this instance's part in a call across the federation; None for a local one
    role: str | None = Field(default=None, sa_type=String(16))


EXCHANGES = Exchange.__table__  # type: ignore[attr-defined]
"""The log's table as SQLAlchemy Core, for the writer's compiled statements and the readers' scans."""


class ShareDelivery(SQLModel, table=True):
    """The warehouse's acknowledgement of a share: kept beside the chained record, which never changes."""

    __tablename__ = "share_delivery"

    exchange_id: str = Field(primary_key=True, foreign_key="exchange.id", max_length=36)
    delivered_at: datetime = Field(sa_type=UTCDateTime, index=True)
    records: int
    warehouse: str = Field(max_length=64)


DELIVERIES = ShareDelivery.__table__  # type: ignore[attr-defined]


class ExchangeRollup(SQLModel, table=True):
    """Successful exchanges of one database on one day (Vietnam time): what coverage is computed from."""

    __tablename__ = "exchange_rollup"

    database_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    kind: str = Field(primary_key=True, sa_type=String(16))
    count: int
    first_at: datetime = Field(sa_type=UTCDateTime)
    last_at: datetime = Field(sa_type=UTCDateTime)


ROLLUPS = ExchangeRollup.__table__  # type: ignore[attr-defined]


class ExchangeResult(SQLModel, table=True):
    """The reply to an asynchronous call (`Prefer: respond-async`), encrypted, kept for its consumer to fetch."""

    __tablename__ = "exchange_result"

    exchange_id: str = Field(primary_key=True, foreign_key="exchange.id", max_length=36)
    body: str
    created_at: datetime = Field(sa_type=UTCDateTime)


class ShareOutbox(SQLModel, table=True):
    """A share answered 202 on the in-process bus, kept until the warehouse acknowledges it: written in the
    transaction that closes its record, removed with its delivery, published again after a restart."""

    __tablename__ = "share_outbox"

    exchange_id: str = Field(primary_key=True, foreign_key="exchange.id", max_length=36)
    topic: str = Field(max_length=255)
    envelope: str
    created_at: datetime = Field(sa_type=UTCDateTime)


OUTBOX = ShareOutbox.__table__  # type: ignore[attr-defined]


class GatewayInstance(SQLModel, table=True):
    """A running gateway's instance id (the name of its log chain), claimed at start and kept by a heartbeat:
    a second gateway with the same id refuses to start while the first one's heartbeat is fresh."""

    __tablename__ = "gateway_instance"

    instance: str = Field(primary_key=True, max_length=64)
    token: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(sa_type=UTCDateTime)


INSTANCES = GatewayInstance.__table__  # type: ignore[attr-defined]
