"""Counting coverage from the registry rows and each database's activity: the rules of DESIGN.md §6."""

from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from gateway.coverage.schemas import CoverageRatio, DatabaseCounts
from gateway.exchangelog.models import ExchangeKind
from registry.agencies.models import AgencyTier
from registry.history import AgencyRow, DatabaseRow


def in_scope(agency: AgencyRow, province: str) -> bool:
    """The agencies the plans' figure is about: the province's departments (sở, ban, ngành), one code group
    below the province (H50.20 under H50)."""
    head, dot, group = agency.code.rpartition(".")
    return agency.tier == AgencyTier.DEPARTMENT and head == province and bool(dot and group)


def department_of(code: str, departments: set[str]) -> str | None:
    """The department an agency belongs to: itself, or the department its code lies under."""
    while code:
        if code in departments:
            return code
        code = code.rpartition(".")[0]
    return None


@cache
def code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Agency codes in their natural order: H50.2 before H50.10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in code.split("."))


@dataclass(slots=True)
class DatabaseState:
    row: DatabaseRow
    registered: bool
    active_contracts: int
    connected: bool
    sharing: bool
    last_exchange_at: datetime | None = None
    last_share_at: datetime | None = None


def database_state(
    row: DatabaseRow, at: datetime, active_contracts: int, exchanged: Set[str]
) -> DatabaseState:
    """`exchanged`: the kinds (service, share) with a successful exchange in the window."""
    registered = row.registered_at(at)
    return DatabaseState(
        row=row,
        registered=registered,
        active_contracts=active_contracts,
        connected=registered and active_contracts > 0 and bool(exchanged),
        sharing=registered and ExchangeKind.SHARE in exchanged,
    )


@dataclass(slots=True)
class AgencyTally:
    agency: AgencyRow
    in_scope: bool
    registered: int = 0
    connected: int = 0
    sharing: int = 0
    owns_databases: bool = False
    last_exchange_at: datetime | None = None

    def add(self, state: DatabaseState) -> None:
        self.owns_databases = True
        self.registered += state.registered
        self.connected += state.connected
        self.sharing += state.sharing
        if state.last_exchange_at and (
            self.last_exchange_at is None or state.last_exchange_at > self.last_exchange_at
        ):
            self.last_exchange_at = state.last_exchange_at

    @property
    def counts(self) -> DatabaseCounts:
        return DatabaseCounts(registered=self.registered, connected=self.connected, sharing=self.sharing)


@dataclass(slots=True)
class Tally:
    """The province's figures at one T."""

    agencies: list[AgencyTally]
    databases: DatabaseCounts
    agency_coverage: CoverageRatio
    database_coverage: CoverageRatio
    departments_with_databases: int
    province_name: str | None = None
    states: list[DatabaseState] = field(default_factory=list)


def tally(
    agencies: Sequence[AgencyRow],
    states: list[DatabaseState],
    *,
    province: str,
    at: datetime,
    target: float,
) -> Tally:
    # the structure at T: agencies merged by then are gone (their databases counted under the successor)
    by_code = {a.code: AgencyTally(a.as_at(at), in_scope(a, province)) for a in agencies if a.exists_at(at)}
    named = next((a.as_at(at).name for a in agencies if a.code == province), None)
    departments = {code for code, t in by_code.items() if t.in_scope}
    for state in states:
        # A unit below a department (a chi cục) counts towards its department's row.
        owner = by_code.get(department_of(state.row.agency, departments) or state.row.agency)
        if owner is not None:
            owner.add(state)
    listed = sorted(
        (t for t in by_code.values() if t.in_scope or t.owns_databases), key=lambda t: code_key(t.agency.code)
    )
    scope = [t for t in listed if t.in_scope]
    registered = sum(s.registered for s in states)
    sharing = sum(s.sharing for s in states)
    return Tally(
        agencies=listed,
        databases=DatabaseCounts(
            registered=registered, connected=sum(s.connected for s in states), sharing=sharing
        ),
        agency_coverage=CoverageRatio.of(sum(t.sharing > 0 for t in scope), len(scope), target),
        database_coverage=CoverageRatio.of(sharing, registered, target),
        departments_with_databases=sum(t.registered > 0 for t in scope),
        province_name=named,
        states=states,
    )
