from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from registry.storage import UTCDateTime, utcnow


class ChangeKind(StrEnum):
    MERGE = "merge"  # an agency merged into its successor
    RENAME = "rename"  # an agency's name changed
    MOVE = "move"  # a database passed from one agency to another (on its own, or with a merger)


class AgencyChange(SQLModel, table=True):
    """One step of the province's reorganisation, at the date it took effect: the history coverage reads to count
    the old structure before that date and the new one after it."""

    __tablename__ = "agency_change"

    id: int | None = Field(default=None, primary_key=True)
    kind: ChangeKind = Field(sa_type=String(16))
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    agency_code: str = Field(foreign_key="agency.code", index=True, max_length=35)
    successor_code: str | None = Field(default=None, foreign_key="agency.code", index=True, max_length=35)
    database_id: int | None = Field(default=None, foreign_key="registered_database.id", index=True)
    # a rename: the names before it (the agency row holds the names after it)
    former_name: str | None = Field(default=None, max_length=300)
    former_name_en: str | None = Field(default=None, max_length=300)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=64)


class AddressAlias(SQLModel, table=True):
    """A former address of an endpoint whose agency changed: answered by the endpoint, with `Deprecation` from
    `deprecated_at`, until `sunset_at`; refused after it, naming the endpoint's address."""

    __tablename__ = "address_alias"

    address: str = Field(primary_key=True, max_length=200)
    endpoint_id: int = Field(foreign_key="endpoint.id", index=True)
    deprecated_at: datetime = Field(sa_type=UTCDateTime)
    sunset_at: datetime = Field(sa_type=UTCDateTime)
