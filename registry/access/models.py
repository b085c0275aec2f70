from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class AccessStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class AccessRequest(SQLModel, table=True):
    """A consumer agency's written request for access to a service or dataset, and the provider's decision
    (Decree 194/2025/NĐ-CP Art. 16; Decree 47/2020 Art. 35 before it, repealed). Kept whatever the outcome."""

    __tablename__ = "access_request"

    id: str = Field(primary_key=True, max_length=36)
    client_id: str = Field(foreign_key="client.client_id", index=True, max_length=64)
    consumer_agency: str = Field(foreign_key="agency.code", index=True, max_length=35)
    endpoint_id: int = Field(foreign_key="endpoint.id", index=True)
    # the endpoint's agency when asked: listing and the dashboard count by it without a join
    provider_agency: str = Field(foreign_key="agency.code", index=True, max_length=35)
    purpose: str = Field(max_length=2000)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    calls_per_minute: int | None = None
    legal_basis: str = Field(max_length=1000)
    valid_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: AccessStatus = Field(default=AccessStatus.PENDING, sa_type=String(16), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)
    # who closed it and when: the provider's decision, or the requester's withdrawal
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=64)
    decision_reason: str | None = Field(default=None, max_length=2000)
    decision_legal_basis: str | None = Field(default=None, max_length=1000)
    grant_id: str | None = Field(default=None, foreign_key="access_grant.id", max_length=36)
