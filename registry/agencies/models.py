from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from registry.storage import UTCDateTime, utcnow


class AgencyTier(StrEnum):
    NATIONAL = "national"
    MINISTRY = "ministry"
    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"


class Agency(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=35)
    name: str = Field(max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    tier: AgencyTier = Field(sa_type=String(16))
    parent_code: str | None = Field(default=None, foreign_key="agency.code", index=True, max_length=35)
    # a merged agency stays, for the record and for coverage before the merger: its successor and when
    merged_into: str | None = Field(default=None, foreign_key="agency.code", max_length=35)
    merged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
