"""Coverage's queries: the registry as it stood at a time T, and the daily rollups, never the exchange log.

Each query is bounded by the number of agencies, databases and contracts, and the rollups by databases × days
(the `IN` list of database ids walks the rollup table's primary key (database_id, day, kind)).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.coverage.window import Window
from gateway.exchangelog.models import ExchangeRollup
from registry.agencies.models import Agency
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.databases.models import Database

ROLLUPS = ExchangeRollup.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class AgencyRow:
    code: str
    name: str
    name_en: str | None
    tier: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DatabaseRow:
    id: int
    agency: str
    agency_name: str
    code: str
    name: str
    status: str
    created_at: datetime
    retired_at: datetime | None

    def registered_at(self, moment: datetime) -> bool:
        return self.created_at <= moment and (self.retired_at is None or self.retired_at > moment)


@dataclass(frozen=True, slots=True)
class Activity:
    """One database's successful exchanges of one kind, as the window and the time T see them."""

    database_id: int
    kind: str
    in_window: bool
    last_at: datetime | None


@dataclass(frozen=True, slots=True)
class RollupDay:
    database_id: int
    day: date
    kind: str
    count: int
    first_at: datetime
    last_at: datetime


def _within(column: object, province: str) -> object:
    return or_(column == province, col(column).startswith(province + "."))  # type: ignore[arg-type]


class CoverageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def agencies(self, province: str) -> list[AgencyRow]:
        """The province and every agency under it (with when each was registered)."""
        rows = await self.session.exec(
            select(Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.created_at)  # type: ignore[call-overload]
            .where(_within(Agency.code, province))
            .order_by(Agency.code)
        )
        return [AgencyRow(*row) for row in rows.all()]

    async def databases(self, province: str, at: datetime) -> list[DatabaseRow]:
        """Databases of the province's agencies created at or before `at` (retired ones too)."""
        columns = (
            Database.id, Database.agency_code, Agency.name, Database.code, Database.name, Database.status,
            Database.created_at, Database.retired_at,
        )  # fmt: skip
        rows = await self.session.exec(
            select(*columns)  # type: ignore[call-overload]
            .join(Agency, col(Agency.code) == Database.agency_code)
            .where(_within(Database.agency_code, province), col(Database.created_at) <= at)
            .order_by(Database.agency_code, Database.code)
        )
        return [DatabaseRow(*row) for row in rows.all()]

    async def active_contracts(self, at: datetime) -> dict[int, int]:
        """Per database, its endpoints with a version in use at `at` (created by then and not withdrawn)."""
        rows = await self.session.exec(
            select(Endpoint.database_id, func.count(func.distinct(Endpoint.id)))  # type: ignore[call-overload]
            .join(ContractVersion, col(ContractVersion.endpoint_id) == Endpoint.id)
            .where(
                col(Endpoint.created_at) <= at,
                col(ContractVersion.created_at) <= at,
                ContractVersion.status != ContractStatus.WITHDRAWN,
            )
            .group_by(Endpoint.database_id)
        )
        return {int(database_id): int(count) for database_id, count in rows.all()}

    async def contracts_since(self, at: datetime) -> dict[int, datetime]:
        """Per database, the first moment (at or before `at`) it had a contract version in use."""
        rows = await self.session.exec(
            select(Endpoint.database_id, Endpoint.created_at, ContractVersion.created_at)  # type: ignore[call-overload]
            .join(Endpoint, col(ContractVersion.endpoint_id) == Endpoint.id)
            .where(
                col(Endpoint.created_at) <= at,
                col(ContractVersion.created_at) <= at,
                ContractVersion.status != ContractStatus.WITHDRAWN,
            )
        )
        first: dict[int, datetime] = {}
        for database_id, endpoint_created, version_created in rows.all():
            moment = max(endpoint_created, version_created)
            if database_id not in first or moment < first[database_id]:
                first[database_id] = moment
        return first

    async def activity(self, database_ids: Sequence[int], window: Window) -> list[Activity]:
        """Per database and kind: any successful exchange in the window (the rule of DESIGN.md §6), and the
        last one at or before T. On the day holding T, exchanges after T hide the last one before it; the
        day's first exchange (at or before T) stands for it then, the nearest the rollup can tell."""
        if not database_ids:
            return []
        r = ROLLUPS.c
        first_day, last_day = window.first_day, window.last_day
        in_window = or_(
            and_(r.day > first_day, r.day < last_day),
            and_(r.day == first_day, r.last_at > window.start),
            and_(r.day == last_day, r.first_at <= window.at),
        )
        statement = (
            select(
                r.database_id,
                r.kind,
                func.max(case((and_(r.day >= first_day, in_window), 1), else_=0)),
                func.max(case((r.last_at <= window.at, r.last_at), else_=r.first_at)),
            )
            .where(
                r.database_id.in_(database_ids),
                r.day <= last_day,
                r.count > 0,
                r.first_at <= window.at,
            )
            .group_by(r.database_id, r.kind)
        )
        rows = await self.session.exec(statement)  # type: ignore[call-overload]
        return [Activity(int(d), str(k), bool(active), last) for d, k, active, last in rows.all()]

    async def rollup_days(self, database_ids: Sequence[int], first: date, last: date) -> list[RollupDay]:
        if not database_ids:
            return []
        r = ROLLUPS.c
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(r.database_id, r.day, r.kind, r.count, r.first_at, r.last_at).where(
                r.database_id.in_(database_ids), r.day >= first, r.day <= last, r.count > 0
            )
        )
        return [RollupDay(*row) for row in rows.all()]
