from datetime import UTC, datetime
from email.utils import format_datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.maintenance import MaintenanceWindow
from registry.storage import JSONDocument, UTCDateTime, utcnow


class ContractStatus(StrEnum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    WITHDRAWN = "withdrawn"


class Endpoint(SQLModel, table=True):
    """One address `{agency}/{code}/v{major}`: a major version of a service or a dataset."""

    __table_args__ = (UniqueConstraint("agency_code", "code", "major"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(16))
    agency_code: str = Field(foreign_key="agency.code", index=True, max_length=35)
    code: str = Field(max_length=63)
    major: int
    database_id: int = Field(foreign_key="registered_database.id", index=True)
    capture_payloads: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the provider's announced maintenance window of a service; kept once over (nobody needs to clear it)
    maintenance_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    maintenance_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    maintenance_notice: str | None = Field(default=None, max_length=500)

    @property
    def address(self) -> str:
        return f"{self.agency_code}/{self.code}/v{self.major}"

    @property
    def maintenance(self) -> MaintenanceWindow | None:
        if self.maintenance_from is None or self.maintenance_until is None:
            return None
        return MaintenanceWindow(self.maintenance_from, self.maintenance_until, self.maintenance_notice or "")

    def maintenance_shown(self, moment: datetime) -> MaintenanceWindow | None:
        """The window while it is announced or current; None once it is over."""
        window = self.maintenance
        return None if window is None or window.over(moment) else window


class ContractVersion(SQLModel, table=True):
    """One registered version of a contract document; versions are immutable once registered."""

    __tablename__ = "contract_version"
    __table_args__ = (UniqueConstraint("endpoint_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="endpoint.id", index=True)
    version: str = Field(max_length=64)
    title: str = Field(max_length=300)
    classification: str = Field(sa_type=String(16))
    compatibility: str = Field(sa_type=String(24))
    status: ContractStatus = Field(default=ContractStatus.ACTIVE, sa_type=String(16))
    document: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)
    deprecated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # announced as `Deprecation`
    sunset_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # announced as `Sunset`

    def notice(self) -> dict[str, str]:
        """The headers announcing a deprecated version (RFC 9745 `Deprecation`, RFC 8594 `Sunset`)."""
        if self.status != ContractStatus.DEPRECATED:
            return {}
        headers = {"Deprecation": f"@{int((self.deprecated_at or self.created_at).timestamp())}"}
        if self.sunset_at is not None:
            headers["Sunset"] = format_datetime(self.sunset_at.astimezone(UTC), usegmt=True)
        return headers
