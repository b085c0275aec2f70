from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import col, select

from registry.access.models import AccessRequest, AccessStatus
from registry.contracts.models import Endpoint
from registry.repository import Repository


class AccessRequestRepository(Repository[AccessRequest]):
    model = AccessRequest

    async def with_endpoints(
        self,
        *,
        status: AccessStatus | None = None,
        agency: str | None = None,
        visible_to: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[Sequence[tuple[AccessRequest, Endpoint]], int]:
        """Requests with their endpoints, newest first. `agency`: where it is the consumer or the provider;
        `visible_to`: likewise, for that agency and the agencies below it."""
        statement = (
            select(AccessRequest, Endpoint)
            .join(Endpoint, col(AccessRequest.endpoint_id) == col(Endpoint.id))
            .order_by(col(AccessRequest.created_at).desc(), col(AccessRequest.id))
        )
        if status is not None:
            statement = statement.where(AccessRequest.status == status)
        if agency is not None:
            statement = statement.where(
                or_(
                    col(AccessRequest.consumer_agency) == agency, col(AccessRequest.provider_agency) == agency
                )
            )
        if visible_to is not None:
            below = visible_to + ".%"
            statement = statement.where(
                or_(
                    col(AccessRequest.consumer_agency) == visible_to,
                    col(AccessRequest.consumer_agency).like(below),
                    col(AccessRequest.provider_agency) == visible_to,
                    col(AccessRequest.provider_agency).like(below),
                )
            )
        total = await self.count(statement)
        rows = (await self.session.exec(statement.offset(offset).limit(limit))).all()
        return rows, total

    async def pending_by_provider(self) -> list[tuple[str, int, datetime]]:
        """Per provider agency: how many requests wait for its decision, and since when the oldest."""
        statement = (
            select(AccessRequest.provider_agency, func.count(), func.min(AccessRequest.created_at))
            .where(AccessRequest.status == AccessStatus.PENDING)
            .group_by(col(AccessRequest.provider_agency))
            .order_by(col(AccessRequest.provider_agency))
        )
        rows = (await self.session.exec(statement)).all()
        return [(agency, int(count), oldest) for agency, count, oldest in rows]

    async def pending_for_provider(self, agency: str) -> list[tuple[str, int, datetime]]:
        """Per address of one provider (and the units below it): the requests waiting, the oldest one's time."""
        endpoint = (col(Endpoint.agency_code), col(Endpoint.code), col(Endpoint.major))
        statement = (
            select(*endpoint, func.count(), func.min(AccessRequest.created_at))  # type: ignore[call-overload]
            .join(Endpoint, col(AccessRequest.endpoint_id) == col(Endpoint.id))
            .where(
                AccessRequest.status == AccessStatus.PENDING,
                or_(
                    col(AccessRequest.provider_agency) == agency,
                    col(AccessRequest.provider_agency).like(agency + ".%"),
                ),
            )
            .group_by(*endpoint)
            .order_by(func.min(AccessRequest.created_at))
        )
        rows = (await self.session.exec(statement)).all()
        return [(f"{agency}/{code}/v{major}", int(n), oldest) for agency, code, major, n, oldest in rows]

    async def client_has_requests(self, client_id: str) -> bool:
        return await self.exists(select(AccessRequest.id).where(AccessRequest.client_id == client_id))

    async def endpoint_has_requests(self, endpoint_id: int) -> bool:
        return await self.exists(select(AccessRequest.id).where(AccessRequest.endpoint_id == endpoint_id))
