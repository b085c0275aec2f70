from collections.abc import Sequence

from sqlmodel import col, select

from registry.agencies.models import Agency
from registry.contracts.models import Endpoint
from registry.databases.models import Database
from registry.repository import Repository


class CatalogueRepository(Repository[Endpoint]):
    model = Endpoint

    async def endpoints_with_owners(self, kind: str | None) -> Sequence[tuple[Endpoint, str, str, str]]:
        """Each endpoint with its provider's name and its database's code and name."""
        statement = (
            select(Endpoint, Agency.name, Database.code, Database.name)
            .join(Agency, col(Endpoint.agency_code) == col(Agency.code))
            .join(Database, col(Endpoint.database_id) == col(Database.id))
            .order_by(col(Endpoint.agency_code), col(Endpoint.code), col(Endpoint.major))
        )
        if kind is not None:
            statement = statement.where(Endpoint.kind == kind)
        return (await self.session.exec(statement)).all()
