"""The registry's read model for coverage: the province's agencies, databases and contracts as they stood at a
time T. Each query is bounded by the number of agencies, databases and contracts."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from registry.agencies.models import Agency
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.databases.models import Database


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


def _within(column: object, province: str) -> object:
    return or_(column == province, col(column).startswith(province + "."))  # type: ignore[arg-type]


class RegistryHistory:
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
