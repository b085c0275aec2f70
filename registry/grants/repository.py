from collections.abc import Sequence

from sqlmodel import col, select

from registry.clients.models import Client
from registry.contracts.models import Endpoint
from registry.grants.models import Grant
from registry.repository import Repository


class GrantRepository(Repository[Grant]):
    model = Grant

    async def with_endpoints(
        self,
        *,
        client_id: str | None = None,
        client_agency: str | None = None,
        provider: str | None = None,
        endpoint_id: int | None = None,
        offset: int = 0,
        limit: int = 10_000,
    ) -> tuple[Sequence[tuple[Grant, Endpoint]], int]:
        statement = (
            select(Grant, Endpoint)
            .join(Endpoint, col(Grant.endpoint_id) == col(Endpoint.id))
            .order_by(col(Grant.created_at), col(Grant.id))
        )
        if client_id is not None:
            statement = statement.where(Grant.client_id == client_id)
        if client_agency is not None:
            statement = statement.join(Client, col(Grant.client_id) == col(Client.client_id)).where(
                Client.agency_code == client_agency
            )
        if provider is not None:
            statement = statement.where(Endpoint.agency_code == provider)
        if endpoint_id is not None:
            statement = statement.where(Grant.endpoint_id == endpoint_id)
        total = await self.count(statement)
        rows = (await self.session.exec(statement.offset(offset).limit(limit))).all()
        return rows, total

    async def client_has_grants(self, client_id: str) -> bool:
        return await self.exists(select(Grant.id).where(Grant.client_id == client_id))

    async def endpoint_has_grants(self, endpoint_id: int) -> bool:
        return await self.exists(select(Grant.id).where(Grant.endpoint_id == endpoint_id))
