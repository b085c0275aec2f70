from collections.abc import Sequence

from sqlalchemy import func, or_, update
from sqlmodel import col, select

from registry.access.models import AccessRequest
from registry.agencies.models import Agency
from registry.clients.models import Client
from registry.contracts.models import Endpoint
from registry.databases.models import Database
from registry.repository import Repository
from registry.succession.models import AddressAlias, AgencyChange


class SuccessionRepository(Repository[AgencyChange]):
    model = AgencyChange

    async def agencies(self, codes: Sequence[str]) -> dict[str, Agency]:
        rows = await self.session.exec(select(Agency).where(col(Agency.code).in_(codes)))
        return {row.code: row for row in rows.all()}

    async def units_below(self, codes: Sequence[str]) -> Sequence[str]:
        """Agencies under any of `codes` that are not merged (a merger must take them along or leave none)."""
        below = or_(*(col(Agency.code).startswith(code + ".") for code in codes))
        rows = await self.session.exec(select(Agency.code).where(below, col(Agency.merged_into).is_(None)))
        return rows.all()

    async def databases(self, agencies: Sequence[str]) -> Sequence[Database]:
        statement = (
            select(Database).where(col(Database.agency_code).in_(agencies)).order_by(col(Database.code))
        )
        return (await self.session.exec(statement)).all()

    async def database_codes(self, agency: str) -> set[str]:
        rows = await self.session.exec(select(Database.code).where(Database.agency_code == agency))
        return set(rows.all())

    async def endpoints(self, database_ids: Sequence[int]) -> Sequence[Endpoint]:
        statement = select(Endpoint).where(col(Endpoint.database_id).in_(database_ids))
        return (await self.session.exec(statement)).all()

    async def endpoint_keys(self, agency: str) -> set[tuple[str, int]]:
        rows = await self.session.exec(
            select(Endpoint.code, Endpoint.major).where(Endpoint.agency_code == agency)
        )
        return {(code, major) for code, major in rows.all()}

    async def clients(self, agencies: Sequence[str]) -> Sequence[Client]:
        statement = (
            select(Client).where(col(Client.agency_code).in_(agencies)).order_by(col(Client.client_id))
        )
        return (await self.session.exec(statement)).all()

    async def alias(self, address: str) -> AddressAlias | None:
        found: AddressAlias | None = await self.session.get(AddressAlias, address)
        return found

    async def move_access_requests(
        self, agencies: Sequence[str], endpoint_ids: Sequence[int], into: str
    ) -> None:
        """Requests made by the agencies' clients, and those asking for the moved endpoints, follow them."""
        await self.session.exec(
            update(AccessRequest)
            .where(col(AccessRequest.consumer_agency).in_(agencies))
            .values(consumer_agency=into)
        )
        await self.session.exec(
            update(AccessRequest)
            .where(col(AccessRequest.endpoint_id).in_(endpoint_ids))
            .values(provider_agency=into)
        )

    async def history(self) -> Sequence[AgencyChange]:
        return (await self.session.exec(select(AgencyChange).order_by(col(AgencyChange.at)))).all()

    async def endpoints_by_id(self, ids: Sequence[int]) -> Sequence[Endpoint]:
        return (await self.session.exec(select(Endpoint).where(col(Endpoint.id).in_(ids)))).all()

    async def steps(
        self, agency: str | None, kind: str | None, offset: int, limit: int
    ) -> tuple[Sequence[AgencyChange], int]:
        """The reorganisation's steps in the order they took effect; `agency`: those it took part in."""
        statement = select(AgencyChange)
        if agency is not None:
            statement = statement.where(
                or_(col(AgencyChange.agency_code) == agency, col(AgencyChange.successor_code) == agency)
            )
        if kind is not None:
            statement = statement.where(AgencyChange.kind == kind)
        total = (await self.session.exec(select(func.count()).select_from(statement.subquery()))).one()
        page = statement.order_by(col(AgencyChange.at), col(AgencyChange.id)).offset(offset).limit(limit)
        return (await self.session.exec(page)).all(), int(total)

    async def names(self, codes: Sequence[str]) -> dict[str, str]:
        rows = await self.session.exec(select(Agency.code, Agency.name).where(col(Agency.code).in_(codes)))
        return dict(rows.all())

    async def database_codes_by_id(self, ids: Sequence[int]) -> dict[int, str]:
        rows = await self.session.exec(select(Database.id, Database.code).where(col(Database.id).in_(ids)))
        return {int(id_): code for id_, code in rows.all() if id_ is not None}

    async def merged_into(self, code: str) -> Sequence[str]:
        """The agencies merged directly into `code`."""
        rows = await self.session.exec(
            select(Agency.code).where(Agency.merged_into == code).order_by(Agency.code)
        )
        return rows.all()
