from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from registry.clients.schemas import ClientId

Pointer = Annotated[str, Field(pattern=r"^(/[^/]+)+$", max_length=300)]


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    address: Annotated[str, Field(max_length=200, examples=["H50.20/tra-cuu-thua-dat/v1"])]
    purpose: Annotated[str, Field(min_length=3, max_length=2000)]
    fields: list[Pointer] = Field(default_factory=list, max_length=200)
    calls_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _period(self) -> "GrantCreate":
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class GrantPublic(BaseModel):
    id: str
    client_id: str
    address: str
    kind: str
    purpose: str
    fields: list[str]
    calls_per_minute: int | None
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    active: bool
    created_at: datetime
    created_by: str
