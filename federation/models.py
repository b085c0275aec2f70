from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"
    SUSPENDED = "suspended"


class FederationMember(SQLModel, table=True):
    """A provincial or ministerial platform that asked to join the national tier, and the operator's decision."""

    __tablename__ = "federation_member"

    code: str = Field(primary_key=True, max_length=35)
    name: str = Field(max_length=300)
    base_url: str = Field(max_length=500)
    keys: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    status: MemberStatus = Field(default=MemberStatus.PENDING, sa_type=String(16), index=True)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FederationService(SQLModel, table=True):
    """A service version a member shares beyond its province, as it reported it (with its OpenAPI)."""

    __tablename__ = "federation_service"

    address: str = Field(primary_key=True, max_length=140)
    member_code: str = Field(foreign_key="federation_member.code", index=True, max_length=35)
    title: str = Field(max_length=300)
    version: str = Field(max_length=64)
    openapi: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONDocument, nullable=False))
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FederationVersion(SQLModel, table=True):
    """The directory's version: one row, increased in the same transaction as every change."""

    __tablename__ = "federation_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NationalService(SQLModel, table=True):
    """A service version of the national tier's own registry (a national database's) published into the
    directory, answered by the national tier's connector; listed in the directory with `member` = its code."""

    __tablename__ = "national_service"

    address: str = Field(primary_key=True, max_length=140)
    title: str = Field(max_length=300)
    version: str = Field(max_length=64)
    openapi: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONDocument, nullable=False))
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SeenMessage(SQLModel, table=True):
    """A signed join request or report the national tier accepted, by its `jti`, until its freshness window ends:
    the same message sent again is a replay, also after a restart (rows past `expires_at` are pruned)."""

    __tablename__ = "federation_seen_jti"

    jti: str = Field(primary_key=True, max_length=100)
    kind: str = Field(max_length=16)  # join | publication | report
    member_code: str = Field(max_length=35)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
