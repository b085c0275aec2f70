from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from registry.contracts.models import ContractStatus


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
    latest_version: str | None
    versions: list[VersionSummary]


class ContractUpdate(BaseModel):
    """`status` applies to the version named in the path; `capture_payloads` to the whole major."""

    model_config = ConfigDict(extra="forbid")

    status: ContractStatus | None = None
    capture_payloads: bool | None = None
    sunset_at: AwareDatetime | None = None  # when a deprecated version stops; announced in `Sunset`


class CatalogueEntry(BaseModel):
    """One published service or dataset (Decree 47/2020 Art. 24-26)."""

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
