from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class KeyPurpose(StrEnum):
    TOKEN = "token"  # access tokens, published at /.well-known/jwks.json
    ENVELOPE = "envelope"  # bus request envelopes, published at /.well-known/envelope-jwks.json


class SigningKey(SQLModel, table=True):
    """A key the gateway signs access tokens or bus envelopes with (never both). Of each purpose, the newest key
    published long enough for every gateway to have it signs; retired keys stay published until what they signed
    has expired."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(max_length=16)
    purpose: KeyPurpose = Field(default=KeyPurpose.TOKEN, sa_type=String(16))
    # the `iss` of the tokens it was made to sign (LGSP_ISSUER when created); a gateway configured otherwise
    # warns at start, since its tokens and the other gateways' would refuse each other
    issuer: str | None = Field(default=None, max_length=255)
    private_jwk: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
