from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class ClientRole(StrEnum):
    CONSUMER = "consumer"  # calls services and publishes datasets it holds grants for
    AGENCY_ADMIN = "agency_admin"  # also manages its own agency's registry entries
    ADMIN = "admin"  # manages the whole platform


class Client(SQLModel, table=True):
    """An application of an agency, with OAuth2 client credentials. Only a hash of the secret is kept."""

    client_id: str = Field(primary_key=True, max_length=64)
    agency_code: str = Field(foreign_key="agency.code", index=True, max_length=35)
    name: str = Field(max_length=300)
    role: ClientRole = Field(default=ClientRole.CONSUMER, sa_type=String(16))
    secret_hash: str = Field(max_length=255)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    secret_rotated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClientKey(SQLModel, table=True):
    """The public half of a key a client signs bus messages with (replies, acknowledgements), as a JWK.

    Only public keys are kept. A withdrawn key stays, for the record, but no longer verifies anything."""

    __tablename__ = "client_key"

    kid: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(foreign_key="client.client_id", index=True, max_length=64)
    jwk: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
