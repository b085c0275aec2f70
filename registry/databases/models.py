from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.storage import UTCDateTime, utcnow


class DatabaseStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    RETIRED = "retired"


class Database(SQLModel, table=True):
    """A specialised database (CSDL chuyên ngành) owned by one agency."""

    __tablename__ = "registered_database"
    __table_args__ = (UniqueConstraint("agency_code", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_code: str = Field(foreign_key="agency.code", index=True, max_length=35)
    code: str = Field(max_length=63)
    name: str = Field(max_length=300)
    description: str = Field(default="", max_length=5000)
    status: DatabaseStatus = Field(default=DatabaseStatus.ACTIVE, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
