from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from registry.access.models import AccessStatus
from registry.clients.schemas import ClientId
from registry.grants.schemas import Pointer

# Written text that must say something: blank or whitespace-only is refused (422), as a missing one is.
Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LegalBasis = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    Field(examples=["Điều 16 Nghị định 194/2025/NĐ-CP"]),
]
Rate = Annotated[int, Field(ge=1, le=1_000_000)]


def _check_period(valid_from: datetime | None, valid_until: datetime | None) -> None:
    if valid_from and valid_until and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")


class AccessRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    address: Annotated[str, Field(max_length=200, examples=["H50.20/tra-cuu-thua-dat/v1"])]
    purpose: Purpose
    fields: list[Pointer] = Field(default_factory=list, max_length=200)
    calls_per_minute: Rate | None = None
    legal_basis: LegalBasis
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _period(self) -> "AccessRequestCreate":
        _check_period(self.valid_from, self.valid_until)
        return self


class AccessApproval(BaseModel):
    """What the provider grants: the request's terms, or narrower ones (fewer fields, a lower rate, a shorter
    period). Whatever is left out is granted as asked."""

    model_config = ConfigDict(extra="forbid")

    fields: list[Pointer] | None = Field(default=None, max_length=200)
    calls_per_minute: Rate | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _period(self) -> "AccessApproval":
        _check_period(self.valid_from, self.valid_until)
        return self


class AccessRefusal(BaseModel):
    """A refusal says why and on what legal ground (Decree 194/2025/NĐ-CP Art. 16): both are required."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    legal_basis: LegalBasis


class AccessRequestPublic(BaseModel):
    id: str
    status: AccessStatus
    client_id: str
    consumer_agency: str
    provider_agency: str
    address: str
    kind: str
    purpose: str
    fields: list[str]
    calls_per_minute: int | None
    legal_basis: str
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime
    created_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    decision_legal_basis: str | None
    grant_id: str | None
