from collections.abc import Sequence

from contracts.errors import Conflict, InUse, NotFound
from registry.agencies.repository import AgencyRepository
from registry.agencies.service import require_current
from registry.auth import Principal
from registry.contracts.repository import EndpointRepository
from registry.databases.models import Database, DatabaseStatus
from registry.databases.repository import DatabaseRepository
from registry.databases.schemas import DatabaseCreate, DatabaseUpdate
from registry.events import RegistryEvent
from registry.service import RegistryService
from registry.storage import utcnow


class DatabaseService(RegistryService):
    @property
    def databases(self) -> DatabaseRepository:
        return DatabaseRepository(self.session)

    async def get(self, agency: str, code: str) -> Database:
        database = await self.databases.find(agency, code)
        if database is None:
            raise NotFound(f"database {agency}/{code} is not registered")
        return database

    async def list(
        self,
        *,
        agency: str | None = None,
        status: DatabaseStatus | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[Sequence[Database], int]:
        return await self.databases.list(agency=agency, status=status, offset=offset, limit=limit)

    async def create(self, data: DatabaseCreate, principal: Principal) -> Database:
        principal.require_manage(data.agency)
        require_current(await AgencyRepository(self.session).get(data.agency), data.agency)
        if await self.databases.find(data.agency, data.code) is not None:
            raise Conflict(f"database {data.code} is already registered for agency {data.agency}")
        now = utcnow()
        database = Database(
            agency_code=data.agency,
            code=data.code,
            name=data.name,
            description=data.description,
            status=data.status,
            retired_at=now if data.status is DatabaseStatus.RETIRED else None,
        )
        await self.databases.add(database)
        await self.commit(RegistryEvent("database.created", f"{data.agency}/{data.code}"))
        return database

    async def update(self, agency: str, code: str, data: DatabaseUpdate, principal: Principal) -> Database:
        database = await self.get(agency, code)
        principal.require_manage(agency)
        changes = data.model_dump(exclude_unset=True)
        for name, value in changes.items():
            setattr(database, name, value)
        if "status" in changes:
            retiring = data.status is DatabaseStatus.RETIRED
            database.retired_at = (database.retired_at or utcnow()) if retiring else None
        database.updated_at = utcnow()
        await self.databases.add(database)
        await self.commit(RegistryEvent("database.updated", f"{agency}/{code}", {"status": database.status}))
        return database

    async def delete(self, agency: str, code: str, principal: Principal) -> None:
        database = await self.get(agency, code)
        principal.require_manage(agency)
        assert database.id is not None
        if await EndpointRepository(self.session).database_in_use(database.id):
            raise InUse(
                f"database {agency}/{code} is exposed by registered contracts; retire it instead "
                "(PATCH status=retired), which keeps its history for coverage"
            )
        await self.databases.delete(database)
        await self.commit(RegistryEvent("database.deleted", f"{agency}/{code}"))
