from collections.abc import Sequence

from sqlalchemy import or_, update
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
