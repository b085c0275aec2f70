from collections.abc import Sequence

from sqlmodel import col

from registry.clients.models import Client, ClientKey
from registry.repository import Repository


class ClientRepository(Repository[Client]):
    model = Client

    async def list(self, *, agency: str | None, offset: int, limit: int) -> tuple[Sequence[Client], int]:
        statement = self.select().order_by(col(Client.client_id))
        if agency is not None:
            statement = statement.where(Client.agency_code == agency)
        return await self.page(statement, offset, limit)


class ClientKeyRepository(Repository[ClientKey]):
    model = ClientKey

    async def of_client(self, client_id: str) -> Sequence[ClientKey]:
        return await self.all(
            self.select().where(ClientKey.client_id == client_id).order_by(col(ClientKey.created_at))
        )
