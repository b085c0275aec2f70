from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


def validity_covers(
    valid_from: datetime, valid_until: datetime | None, revoked_at: datetime | None, moment: datetime
) -> bool:
    """Whether a grant valid from `valid_from` until `valid_until`, perhaps revoked, is in force at `moment`."""
    if revoked_at is not None and revoked_at <= moment:
        return False
    if valid_until is not None and valid_until <= moment:
        return False
    return valid_from <= moment


class Grant(SQLModel, table=True):
    """Permission for a client to call a service or publish a dataset: what an approved access request becomes
    (Decree 194/2025/NĐ-CP Art. 16; Decree 47/2020 Art. 35 before it, repealed by Decree 278/2025/NĐ-CP)."""

    __tablename__ = "access_grant"

    id: str = Field(primary_key=True, max_length=36)
    client_id: str = Field(foreign_key="client.client_id", index=True, max_length=64)
    endpoint_id: int = Field(foreign_key="endpoint.id", index=True)
    purpose: str = Field(max_length=2000)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    calls_per_minute: int | None = None
    valid_from: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)

    def active_at(self, moment: datetime) -> bool:
        return validity_covers(self.valid_from, self.valid_until, self.revoked_at, moment)
