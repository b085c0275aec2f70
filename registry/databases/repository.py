from collections.abc import Sequence

from sqlmodel import col

from registry.databases.models import Database, DatabaseStatus
from registry.repository import Repository


class DatabaseRepository(Repository[Database]):
    model = Database

    async def find(self, agency: str, code: str) -> Database | None:
        return await self.first(self.select().where(Database.agency_code == agency, Database.code == code))

    async def find_code_elsewhere(self, agency: str, code: str) -> Database | None:
        return await self.first(self.select().where(Database.agency_code != agency, Database.code == code))

    async def list(
        self, *, agency: str | None, status: DatabaseStatus | None, offset: int, limit: int
    ) -> tuple[Sequence[Database], int]:
        statement = self.select().order_by(col(Database.agency_code), col(Database.code))
        if agency is not None:
            statement = statement.where(Database.agency_code == agency)
        if status is not None:
            statement = statement.where(Database.status == status)
        return await self.page(statement, offset, limit)
