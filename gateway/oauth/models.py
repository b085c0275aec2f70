from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class SigningKey(SQLModel, table=True):
    """A key the gateway signs tokens and bus messages with. The newest unretired key signs; retired keys stay
    published in the JWKS until every token they signed has expired."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(max_length=16)
    # the `iss` of the tokens it was made to sign (LGSP_ISSUER when created); a gateway configured otherwise
    # warns at start, since its tokens and the other gateways' would refuse each other
    issuer: str | None = Field(default=None, max_length=255)
    private_jwk: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
