from collections.abc import Sequence

from sqlmodel import col, select

from contracts.document import version_key
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.repository import Repository


class EndpointRepository(Repository[Endpoint]):
    model = Endpoint

    async def find(self, agency: str, code: str, major: int) -> Endpoint | None:
        return await self.first(
            self.select().where(
                Endpoint.agency_code == agency, Endpoint.code == code, Endpoint.major == major
            )
        )

    async def majors(self, agency: str, code: str) -> Sequence[Endpoint]:
        statement = (
            self.select()
            .where(Endpoint.agency_code == agency, Endpoint.code == code)
            .order_by(col(Endpoint.major))
        )
        return await self.all(statement)

    async def list(
        self, *, kind: str | None, agency: str | None, offset: int = 0, limit: int | None = None
    ) -> Sequence[Endpoint]:
        statement = self.select().order_by(col(Endpoint.agency_code), col(Endpoint.code), col(Endpoint.major))
        if kind is not None:
            statement = statement.where(Endpoint.kind == kind)
        if agency is not None:
            statement = statement.where(Endpoint.agency_code == agency)
        if limit is not None:
            statement = statement.offset(offset).limit(limit)
        return await self.all(statement)

    async def database_in_use(self, database_id: int) -> bool:
        return await self.exists(select(Endpoint.id).where(Endpoint.database_id == database_id))


class ContractVersionRepository(Repository[ContractVersion]):
    model = ContractVersion

    async def versions(self, endpoint_id: int) -> list[ContractVersion]:
        """All versions of one endpoint, oldest first by semantic version."""
        rows = await self.all(self.select().where(ContractVersion.endpoint_id == endpoint_id))
        return sorted(rows, key=lambda row: version_key(row.version))

    async def latest_by_endpoint(self, endpoint_ids: Sequence[int]) -> dict[int, ContractVersion]:
        """The newest non-withdrawn version of each endpoint."""
        if not endpoint_ids:
            return {}
        rows = await self.all(
            self.select().where(
                col(ContractVersion.endpoint_id).in_(endpoint_ids),
                ContractVersion.status != ContractStatus.WITHDRAWN,
            )
        )
        latest: dict[int, ContractVersion] = {}
        for row in rows:
            current = latest.get(row.endpoint_id)
            if current is None or version_key(row.version) > version_key(current.version):
                latest[row.endpoint_id] = row
        return latest
