from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class FederationReport(SQLModel, table=True):
    """A member's signed coverage report as the national tier accepted it; every report is kept (the trend)."""

    __tablename__ = "federation_report"

    id: int | None = Field(default=None, primary_key=True)
    member_code: str = Field(foreign_key="federation_member.code", index=True, max_length=35)
    reported_at: datetime = Field(sa_type=UTCDateTime, description="T of the member's figures, by its clock")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    agency_covered: int
    agency_total: int
    database_covered: int
    database_total: int
    registered: int
    connected: int
    sharing: int
    federation_calls: int = 0
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONDocument, nullable=False))
