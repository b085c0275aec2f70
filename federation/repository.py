from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col

from federation.models import (
    FederationMember,
    FederationService,
    FederationVersion,
    MemberStatus,
    NationalService,
    SeenMessage,
)
from registry.repository import Repository
from registry.storage import utcnow


class MemberRepository(Repository[FederationMember]):
    model = FederationMember

    async def listed(self, status: MemberStatus | None = None) -> Sequence[FederationMember]:
        statement = self.select().order_by(col(FederationMember.code))
        if status is not None:
            statement = statement.where(FederationMember.status == status)
        return await self.all(statement)


class PublishedServiceRepository(Repository[FederationService]):
    model = FederationService

    async def listed(self) -> Sequence[FederationService]:
        return await self.all(self.select().order_by(col(FederationService.address)))


class NationalServiceRepository(Repository[NationalService]):
    model = NationalService

    async def listed(self) -> Sequence[NationalService]:
        return await self.all(self.select().order_by(col(NationalService.address)))


class VersionRepository(Repository[FederationVersion]):
    model = FederationVersion

    async def current(self) -> int:
        row = await self.get(1)
        return row.version if row else 0

    async def bump(self) -> int:
        """The next version, in the caller's transaction (the row is written with the change it counts)."""
        row = await self.session.get(FederationVersion, 1, with_for_update=True)
        row = row or FederationVersion(id=1, version=0)
        row.version += 1
        row.changed_at = utcnow()
        await self.add(row)
        return row.version


class SeenMessageRepository(Repository[SeenMessage]):
    model = SeenMessage

    async def prune(self, moment: datetime) -> None:
        await self.session.execute(delete(SeenMessage).where(col(SeenMessage.expires_at) < moment))
