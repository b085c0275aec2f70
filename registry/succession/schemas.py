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
    aliases: list[AliasPublic]
