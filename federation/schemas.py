from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from federation.models import MemberStatus

SIGNED = Field(min_length=10, max_length=2_000_000, description="a compact JWS (RFC 7515)")


class JoinRequest(BaseModel):
    """What a joining platform sends: a JWS by one of the keys it names, of `{code, name, base_url, keys, iat}`."""

    model_config = ConfigDict(extra="forbid")
    request: str = SIGNED


class JoinCreate(BaseModel):
    """A member's operator asks its own gateway to join (the name shown in the directory)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=300)


class MemberPublic(BaseModel):
    code: str
    name: str
    base_url: str
    keys: list[dict[str, Any]]
    status: MemberStatus
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class ServiceReport(BaseModel):
    """A member's report of a service it shares nationally (or withdraws): a JWS by its federation key."""

    model_config = ConfigDict(extra="forbid")
    report: str = SIGNED


class PublicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field(max_length=140, description="AGENCY/CODE/vMAJOR of a service of this platform")
    national: bool = Field(default=True, description="true shares it beyond the province, false withdraws it")


class RemoteServicePublic(BaseModel):
    member: str
    address: str
    title: str
    version: str
    published_at: datetime
    specification: str


class DirectoryState(BaseModel):
    version: int | None
    issued_at: datetime | None
    expires_at: datetime | None
    source: str = Field(description="national (fetched and verified), disk (the last good copy) or none")
    fetched_at: datetime | None
    last_error: str | None
    members: int


class FederationStatus(BaseModel):
    tier: str
    member_code: str
    national_url: str | None
    member_status: str | None = Field(description="this platform's status in the verified directory")
    directory: DirectoryState
