from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field

from contracts.addresses import is_code
from registry.agencies.schemas import AgencyCode
from registry.databases.models import DatabaseStatus
from registry.schemas import PatchBody


def _code(value: str) -> str:
    if not is_code(value):
        raise ValueError(
            "must be lower-case letters, digits and single hyphens (e.g. csdl-dat-dai), at most 63"
        )
    return value


Code = Annotated[str, AfterValidator(_code)]
Description = Annotated[str, Field(max_length=5000)]


class DatabaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency: AgencyCode
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=300)]
    description: Description = ""
    status: DatabaseStatus = DatabaseStatus.ACTIVE


class DatabaseUpdate(PatchBody):
    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    description: Description | None = None
    status: DatabaseStatus | None = None


class DatabasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    agency: str = Field(validation_alias=AliasChoices("agency_code", "agency"))
    code: str
    name: str
    description: str
    status: DatabaseStatus
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None
