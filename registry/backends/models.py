from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from registry.storage import JSONDocument, UTCDateTime, utcnow


class ServiceBackend(SQLModel, table=True):
    """The HTTP backend a service major is bound to. Secrets (header values, password, client secret) are kept
    only in `sealed`, a Fernet token of `{"headers": {...}, "secret": ...}`; `auth` holds the rest."""

    __tablename__ = "service_backend"

    endpoint_id: int = Field(foreign_key="endpoint.id", primary_key=True)
    url: str = Field(max_length=2000)
    timeout_seconds: float
    header_names: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))
    auth: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    sealed: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(max_length=64)
