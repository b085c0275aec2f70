from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from registry.agencies.schemas import AgencyCode, Name

VIETNAM = timezone(timedelta(hours=7))


def _moment(value: object) -> object:
    """A date alone is the start of that day, and a time without an offset is Vietnam time (as in coverage)."""
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value) if value[4] == "-" else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(), VIETNAM)
    return value


EARLIEST = datetime(2000, 1, 1, tzinfo=VIETNAM)  # no reorganisation the platform records is older


def _aware(value: datetime) -> datetime:
    value = value if value.tzinfo is not None else value.replace(tzinfo=VIETNAM)
    if value < EARLIEST:
        raise ValueError("must be a date since 2000-01-01")
    return value


Moment = Annotated[datetime, BeforeValidator(_moment), AfterValidator(_aware)]
SunsetDays = Annotated[int, Field(ge=0, le=3650)]


class MergeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_: Annotated[list[AgencyCode], Field(alias="from", min_length=1, max_length=100)]
    into: AgencyCode
    at: Moment
    sunset_days: SunsetDays = 180


class RenameCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    name_en: Name | None = None
    at: Moment


class MoveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: AgencyCode
    at: Moment
    sunset_days: SunsetDays = 180


class AliasPublic(BaseModel):
    address: str
    successor: str
    deprecated_at: datetime
    sunset_at: datetime


class ChangePublic(BaseModel):
    """What one reorganisation did: the agencies and databases it changed, and the former addresses it kept."""

    kind: str
    at: datetime
    agencies: list[str]
    successor: str | None
    databases: list[str]
    clients: list[str]
    demoted: list[str] = Field(
        default=[], description="clients that were admins of a merged agency: they pass as consumers"
    )
    aliases: list[AliasPublic]


class ReorganisationPublic(BaseModel):
    """One step of the reorganisation, at the date it took effect."""

    id: int
    kind: str = Field(description="merge, rename or move")
    at: datetime
    agency: str = Field(description="the agency merged or renamed, or the database's former holder (a move)")
    agency_name: str = Field(description="its name now (a rename: the name after it)")
    successor: str | None = Field(
        description="merge: the agency merged into; move: the database's new holder"
    )
    successor_name: str | None
    database: str | None = Field(description="move: the database's code")
    former_name: str | None = Field(description="rename: the name before it")
    former_name_en: str | None


class SuccessionPublic(BaseModel):
    """An agency's place in the reorganisation: what it became, what merged into it, and the steps it took part
    in."""

    code: str
    name: str
    merged_into: str | None
    merged_at: datetime | None
    held_by: str = Field(description="the agency that holds today what this one held (itself unless merged)")
    predecessors: list[str] = Field(description="agencies merged directly into it")
    changes: list[ReorganisationPublic]
