"""The demo province file (`province.yaml`): agencies, their databases and the coverage target, each with
the source document that names it."""

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.addresses import AGENCY_CODE, AGENCY_CODE_MAX, CODE, CODE_MAX, parent_agency_code

AgencyCode = Annotated[str, StringConstraints(max_length=AGENCY_CODE_MAX, pattern=AGENCY_CODE.pattern)]
Code = Annotated[str, StringConstraints(max_length=CODE_MAX, pattern=CODE.pattern)]


class Tier(StrEnum):
    NATIONAL = "national"
    MINISTRY = "ministry"
    PROVINCE = "province"
    DEPARTMENT = "department"


class DatabaseStatus(StrEnum):
    ACTIVE = "active"
    PLANNED = "planned"  # named in the plans, not yet built or connected
    RETIRED = "retired"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceDocument(_Entry):
    id: Code
    number: str
    issued: date
    issuer: str
    title: str


class Citation(_Entry):
    """Where a fact comes from: a document of `sources` and the part of it."""

    document: str
    part: str = Field(min_length=1)


class AgencyEntry(_Entry):
    code: AgencyCode
    name: str = Field(min_length=1)
    name_en: str | None = None
    tier: Tier
    parent: AgencyCode | None = None
    source: Citation
    note: str | None = None


class DatabaseEntry(_Entry):
    agency: AgencyCode
    code: Code
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    status: DatabaseStatus
    source: Citation


class CoverageTarget(_Entry):
    """The share of agencies that should share a database through the LGSP by `year`."""

    province: AgencyCode
    agency_coverage: float = Field(gt=0, le=1)
    year: int
    statement: str
    source: Citation


class Merger(_Entry):
    """Agencies merged into a successor on a date (the successor renamed then, if `name` is given); their
    contracts' former addresses answer for `sunset_days` after it."""

    at: date
    merge: list[AgencyCode] = Field(min_length=1)
    into: AgencyCode
    name: str | None = None
    name_en: str | None = None
    sunset_days: int = Field(default=180, ge=0, le=3650)
    source: Citation


class Province(_Entry):
    code: AgencyCode
    name: str
    since: date | None = None  # the structure of `agencies` is the one registered from this date (else today)
    sources: list[SourceDocument]
    target: CoverageTarget | None = None  # the national tier's file names none
    agencies: list[AgencyEntry]
    databases: list[DatabaseEntry]
    reorganisation: list[Merger] = []

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = _duplicates("agency", [a.code for a in self.agencies])
        problems += _duplicates("database", [f"{d.agency}/{d.code}" for d in self.databases])
        problems += _duplicates("source", [s.id for s in self.sources])
        codes = {a.code for a in self.agencies}
        for agency in self.agencies:
            if agency.parent is not None and agency.parent not in codes:
                problems.append(f"agency {agency.code}: parent {agency.parent} is not an agency of the file")
            if agency.parent is not None and parent_agency_code(agency.code) != agency.parent:
                problems.append(
                    f"agency {agency.code}: its code does not extend its parent's {agency.parent}"
                )
        merged: set[str] = set()
        for step in self.reorganisation:
            for code in [*step.merge, step.into]:
                if code not in codes:
                    problems.append(f"reorganisation at {step.at}: {code} is not an agency of the file")
                elif code in merged:
                    problems.append(f"reorganisation at {step.at}: {code} was merged before")
            merged.update(step.merge)
        problems += [
            f"database {d.agency}/{d.code}: no agency {d.agency}"
            for d in self.databases
            if d.agency not in codes
        ]
        known = {s.id for s in self.sources}
        citations = (
            ([self.target.source] if self.target else [])
            + [a.source for a in self.agencies]
            + [d.source for d in self.databases]
            + [m.source for m in self.reorganisation]
        )
        problems += sorted({f"unknown source '{c.document}'" for c in citations if c.document not in known})
        if self.target is not None and self.target.province != self.code:
            problems.append(f"the target is for {self.target.province}, not {self.code}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def agency(self, code: str) -> AgencyEntry:
        return next(a for a in self.agencies if a.code == code)

    def databases_of(self, agency: str) -> list[DatabaseEntry]:
        return [d for d in self.databases if d.agency == agency]

    def database(self, agency: str, code: str) -> DatabaseEntry | None:
        return next((d for d in self.databases if (d.agency, d.code) == (agency, code)), None)

    @property
    def departments(self) -> list[AgencyEntry]:
        """The agencies under the province as registered from `since`: the ones its coverage target counted."""
        return [a for a in self.agencies if a.parent == self.code]

    def successor(self, code: str) -> str:
        """The agency that holds today what `code` held (itself, unless merged)."""
        for step in self.reorganisation:
            if code in step.merge:
                code = step.into
        return code

    def current_names(self, code: str) -> tuple[str, str | None]:
        """The agency's names today: as in `agencies`, unless a merger renamed it."""
        entry = self.agency(code)
        names = (entry.name, entry.name_en)
        for step in self.reorganisation:
            if step.into == code and step.name is not None:
                names = (step.name, step.name_en)
        return names

    def database_today(self, agency: str, code: str) -> DatabaseEntry | None:
        """The database `agency` holds today: its own, or one of an agency merged into it."""
        return next((d for d in self.databases if (self.successor(d.agency), d.code) == (agency, code)), None)

    @property
    def current_departments(self) -> list[AgencyEntry]:
        """The departments today, after the reorganisation, with their current names."""
        merged = {code for step in self.reorganisation for code in step.merge}
        return [
            entry.model_copy(
                update=dict(zip(("name", "name_en"), self.current_names(entry.code), strict=True))
            )
            for entry in self.departments
            if entry.code not in merged
        ]


def _duplicates(what: str, values: list[str]) -> list[str]:
    return [f"{what} {value} appears more than once" for value, n in sorted(Counter(values).items()) if n > 1]
