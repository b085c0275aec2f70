from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, or_, select

from gateway.exchangelog.models import Exchange, ShareDelivery
from registry.repository import Repository


@dataclass(frozen=True, slots=True)
class ExchangeFilter:
    address: str | None = None
    consumer: str | None = None
    client_id: str | None = None
    provider: str | None = None
    outcome: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    visible_to: str | None = None  # an agency: only exchanges it took part in (as consumer or provider)


class ExchangeRepository(Repository[Exchange]):
    model = Exchange

    async def search(self, where: ExchangeFilter, offset: int, limit: int) -> tuple[Sequence[Exchange], int]:
        statement = self.select().order_by(col(Exchange.received_at).desc(), col(Exchange.id))
        conditions = {
            Exchange.address: where.address,
            Exchange.consumer_agency: where.consumer,
            Exchange.client_id: where.client_id,
            Exchange.provider_agency: where.provider,
            Exchange.outcome: where.outcome,
            Exchange.kind: where.kind,
        }
        for column, value in conditions.items():
            if value is not None:
                statement = statement.where(column == value)
        if where.since is not None:
            statement = statement.where(col(Exchange.received_at) >= where.since)
        if where.until is not None:
            statement = statement.where(col(Exchange.received_at) < where.until)
        if where.visible_to is not None:
            statement = statement.where(
                or_(
                    Exchange.consumer_agency == where.visible_to, Exchange.provider_agency == where.visible_to
                )
            )
        return await self.page(statement, offset, limit)

    async def deliveries(self, exchange_ids: Sequence[str]) -> dict[str, datetime]:
        if not exchange_ids:
            return {}
        rows = await self.session.exec(
            select(ShareDelivery.exchange_id, ShareDelivery.delivered_at).where(
                col(ShareDelivery.exchange_id).in_(exchange_ids)
            )
        )
        return dict(rows.all())

    async def count_crossing(self, since: datetime, until: datetime) -> int:
        """Calls across the federation this platform took part in (as origin or provider) that succeeded."""
        return await self.count(
            self.select().where(
                col(Exchange.role).in_(("origin", "provider")),
                Exchange.outcome == "ok",
                col(Exchange.completed_at) >= since,
                col(Exchange.completed_at) < until,
            )
        )
