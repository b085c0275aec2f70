from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from contracts.maintenance import MaintenanceWindow
from registry.contracts.models import ContractStatus


class MaintenancePublic(BaseModel):
    """A service's maintenance window, shown while announced or current."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    starts: datetime = Field(alias="from")
    until: datetime
    notice: str

    @classmethod
    def of(cls, window: MaintenanceWindow | None) -> "MaintenancePublic | None":
        return None if window is None else cls(starts=window.starts, until=window.ends, notice=window.notice)


class MaintenanceUpdate(BaseModel):
    """A maintenance window to announce: calls from `from` until `until` are answered 503."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    starts: AwareDatetime = Field(alias="from")
    until: AwareDatetime
    notice: str = Field(min_length=1, max_length=500, description="what consumers are told, e.g. why")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> "MaintenanceUpdate":
        if self.until <= self.starts:
            raise ValueError("the window's until must be after its from")
        return self

    def window(self) -> MaintenanceWindow:
        return MaintenanceWindow(self.starts, self.until, self.notice)


class ContractPublic(BaseModel):
    address: str
    kind: str
    provider: str
    database: str
    code: str
    major: int
    version: str
    title: str
    classification: str
    compatibility: str
    status: ContractStatus
    sha256: str
    created_at: datetime
    created_by: str
    deprecated_at: datetime | None = None
    sunset_at: datetime | None = None
    maintenance: MaintenancePublic | None = None  # services only; once over, no longer shown
    document: dict[str, Any]


class VersionSummary(BaseModel):
    version: str
    title: str
    status: ContractStatus
    created_at: datetime


class EndpointPublic(BaseModel):
    address: str
    kind: str
    provider: str
    code: str
    major: int
    database: str
    capture_payloads: bool
    maintenance: MaintenancePublic | None = None
    latest_version: str | None
    versions: list[VersionSummary]


class ContractUpdate(BaseModel):
    """`status` applies to the version named in the path; `capture_payloads` and `maintenance` to the whole
    major. `"maintenance": null` clears the window; leaving it out leaves it as it is."""

    model_config = ConfigDict(extra="forbid")

    status: ContractStatus | None = None
    capture_payloads: bool | None = None
    sunset_at: AwareDatetime | None = None  # when a deprecated version stops; announced in `Sunset`
    maintenance: MaintenanceUpdate | None = None  # services only


class CatalogueEntry(BaseModel):
    """One published service or dataset of the catalogue (see docs/legal.md)."""

    address: str
    kind: str
    provider: str
    provider_name: str
    database: str
    database_name: str
    title: str
    description: str
    classification: str
    version: str
    status: ContractStatus
    specification: str
    maintenance: MaintenancePublic | None = None  # announced or current; once over, not shown
