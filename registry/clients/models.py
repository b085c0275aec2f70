from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from registry.storage import UTCDateTime, utcnow


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
