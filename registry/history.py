"""The registry's read model for coverage: the province's agencies, databases and contracts as they stood at a
time T. Each query is bounded by the number of agencies, databases and contracts."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import col
from sqlmodel import select as select_models
from sqlmodel.ext.asyncio.session import AsyncSession

from registry.agencies.models import Agency
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.databases.models import Database
from registry.succession.models import AgencyChange, ChangeKind


@dataclass(frozen=True, slots=True)
class AgencyRow:
    code: str
    name: str
    name_en: str | None
    tier: str
    created_at: datetime  # from when it counts: registered, or the date of a merger into it if earlier
    merged_at: datetime | None = None  # it counts until then
    renames: tuple[tuple[datetime, str, str | None], ...] = ()  # (from when, the names before), oldest first

    def exists_at(self, moment: datetime) -> bool:
        return self.created_at <= moment and (self.merged_at is None or self.merged_at > moment)

    def as_at(self, moment: datetime) -> "AgencyRow":
        """The row with the names it had at `moment`."""
        for at, name, name_en in self.renames:
            if at > moment:
                return replace(self, name=name, name_en=name_en)
        return self


@dataclass(frozen=True, slots=True)
class Move:
    at: datetime
    agency: str
    agency_name: str
    successor: str
    successor_name: str


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
    moves: tuple[Move, ...] = ()  # between agencies, oldest first
    entered_at: datetime | None = None  # moved in from an agency outside the province (a provinces' merger)

    def as_at(self, moment: datetime) -> "DatabaseRow":
        """The row with the agency that owned the database at `moment`."""
        if not self.moves:
            return self
        owner = (self.moves[0].agency, self.moves[0].agency_name)
        for move in self.moves:
            if move.at <= moment:
                owner = (move.successor, move.successor_name)
        return (
            self
            if owner == (self.agency, self.agency_name)
            else replace(self, agency=owner[0], agency_name=owner[1])
        )

    def registered_at(self, moment: datetime) -> bool:
        """Registered, and the province's, at `moment`: a database of another province counts from its move."""
        entered = self.entered_at is None or self.entered_at <= moment
        return entered and self.created_at <= moment and (self.retired_at is None or self.retired_at > moment)


def _within(column: object, province: str) -> object:
    return or_(column == province, col(column).startswith(province + "."))  # type: ignore[arg-type]


def _entered(moves: list[Move], province: str) -> datetime | None:
    """When a database first came under `province`, if it was another province's when registered."""
    if _under(moves[0].agency, province):
        return None
    return next((m.at for m in moves if _under(m.successor, province)), None)


def _under(code: str, province: str) -> bool:
    return code == province or code.startswith(province + ".")


class RegistryHistory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def agencies(self, province: str) -> list[AgencyRow]:
        """The province and every agency under it, with when each counts from and until, and its renames."""
        columns = (Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.created_at, Agency.merged_at)
        rows = await self.session.exec(
            select(*columns).where(_within(Agency.code, province)).order_by(Agency.code)  # type: ignore[call-overload]
        )
        changes = await self._changes((ChangeKind.MERGE, ChangeKind.RENAME))
        since: dict[str, datetime] = {}
        renames: dict[str, list[tuple[datetime, str, str | None]]] = {}
        for change in changes:
            if change.kind == ChangeKind.MERGE and change.successor_code is not None:
                earliest = since.get(change.successor_code)
                since[change.successor_code] = change.at if earliest is None else min(earliest, change.at)
            elif change.kind == ChangeKind.RENAME:
                renames.setdefault(change.agency_code, []).append(
                    (change.at, change.former_name or "", change.former_name_en)
                )
        return [
            AgencyRow(
                code,
                name,
                name_en,
                tier,
                min(created, since.get(code, created)),
                merged,
                tuple(renames.get(code, ())),
            )
            for code, name, name_en, tier, created, merged in rows.all()
        ]

    async def _changes(self, kinds: tuple[ChangeKind, ...]) -> list[AgencyChange]:
        statement = (
            select_models(AgencyChange)
            .where(col(AgencyChange.kind).in_(kinds))
            .order_by(col(AgencyChange.at), col(AgencyChange.id))
        )
        return list((await self.session.exec(statement)).all())

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
        databases = [DatabaseRow(*row) for row in rows.all()]
        moves = await self._changes((ChangeKind.MOVE,))
        if not moves:
            return databases
        agencies = await self.session.exec(select(Agency.code, Agency.name))  # type: ignore[call-overload]
        names: dict[str, str] = dict(agencies.all())
        by_database: dict[int, list[Move]] = {}
        for change in moves:
            if change.database_id is not None and change.successor_code is not None:
                by_database.setdefault(change.database_id, []).append(
                    Move(
                        change.at, change.agency_code, names.get(change.agency_code, change.agency_code),
                        change.successor_code, names.get(change.successor_code, change.successor_code),
                    )
                )  # fmt: skip
        rows_at = [
            replace(
                row, moves=tuple(by_database[row.id]), entered_at=_entered(by_database[row.id], province)
            ).as_at(at)
            if row.id in by_database
            else row
            for row in databases
        ]
        return [row for row in rows_at if _under(row.agency, province)]  # not another province's at `at`

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


@dataclass(frozen=True, slots=True)
class EndpointRow:
    """A service or dataset of the province as it stood at T: its newest title, and whether a version is in use."""

    database_id: int
    kind: str
    address: str
    agency: str
    agency_name: str
    agency_name_en: str | None
    title: str
    in_use: bool


class EndpointHistory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def endpoints(self, province: str, at: datetime) -> list[EndpointRow]:
        """Every service and dataset of the province's agencies registered at or before `at`."""
        columns = (
            Endpoint.id, Endpoint.database_id, Endpoint.kind, Endpoint.agency_code, Endpoint.code, Endpoint.major,
            Agency.name, Agency.name_en, ContractVersion.title, ContractVersion.status, ContractVersion.created_at,
        )  # fmt: skip
        rows = await self.session.exec(
            select(*columns)  # type: ignore[call-overload]
            .join(Agency, col(Agency.code) == Endpoint.agency_code)
            .join(ContractVersion, col(ContractVersion.endpoint_id) == Endpoint.id)
            .where(
                _within(Endpoint.agency_code, province),
                col(Endpoint.created_at) <= at,
                col(ContractVersion.created_at) <= at,
            )
            .order_by(Endpoint.agency_code, Endpoint.code, Endpoint.major, ContractVersion.created_at)
        )
        found: dict[int, EndpointRow] = {}
        for id_, database_id, kind, agency, code, major, name, name_en, title, status, _ in rows.all():
            in_use = status != ContractStatus.WITHDRAWN or (id_ in found and found[id_].in_use)
            found[id_] = EndpointRow(
                database_id, kind, f"{agency}/{code}/v{major}", agency, name, name_en, title, in_use
            )  # the newest version's title
        return list(found.values())
