from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlmodel import col, select

from registry.agencies.models import Agency, AgencyTier
from registry.clients.models import Client
from registry.databases.models import Database
from registry.repository import Repository
from registry.succession.models import AgencyChange


class AgencyRepository(Repository[Agency]):
    model = Agency

    async def list(
        self, *, parent: str | None, tier: AgencyTier | None, offset: int, limit: int
    ) -> tuple[Sequence[Agency], int]:
        statement = self.select().order_by(col(Agency.code))
        if parent is not None:
            statement = statement.where(Agency.parent_code == parent)
        if tier is not None:
            statement = statement.where(Agency.tier == tier)
        return await self.page(statement, offset, limit)

    async def references(self, code: str) -> dict[str, int]:
        """What still points at an agency, by kind, leaving out kinds with none."""
        counts = {
            "agencies": select(func.count()).where(Agency.parent_code == code),
            "databases": select(func.count()).where(Database.agency_code == code),
            "clients": select(func.count()).where(Client.agency_code == code),
            "reorganisation records": select(func.count()).where(
                or_(col(AgencyChange.agency_code) == code, col(AgencyChange.successor_code) == code)
            ),
        }
        found = {what: int(await self.session.scalar(query) or 0) for what, query in counts.items()}
        return {what: count for what, count in found.items() if count}
