from collections.abc import Sequence

from sqlmodel import col

from registry.clients.models import Client
from registry.repository import Repository


class ClientRepository(Repository[Client]):
    model = Client

    async def list(self, *, agency: str | None, offset: int, limit: int) -> tuple[Sequence[Client], int]:
        statement = self.select().order_by(col(Client.client_id))
        if agency is not None:
            statement = statement.where(Client.agency_code == agency)
        return await self.page(statement, offset, limit)
