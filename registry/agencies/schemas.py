from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.addresses import is_agency_code
from registry.agencies.models import AgencyTier
from registry.schemas import PatchBody


def _agency_code(value: str) -> str:
    if not is_agency_code(value):
        raise ValueError(
            "must be an agency code as in Decision 20/2020/QĐ-TTg: dot-separated groups of 0-9 A-Z, "
            "the first a letter A-Y and two digits (e.g. H50 or H50.20), at most 35 characters"
        )
    return value


AgencyCode = Annotated[str, AfterValidator(_agency_code)]
Name = Annotated[str, Field(min_length=1, max_length=300)]


class AgencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: AgencyCode
    name: Name
    name_en: Name | None = None
    tier: AgencyTier


class AgencyUpdate(PatchBody):
    nullable = frozenset({"name_en"})

    name: Name | None = None
    name_en: Name | None = None
    tier: AgencyTier | None = None


class AgencyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    name_en: str | None
    tier: AgencyTier
    parent_code: str | None
    merged_into: str | None = None  # a merged agency: its successor, and since when
    merged_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
