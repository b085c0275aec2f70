"""Reads of the exchange log for one bounded period, through its (completed_at) and (address, completed_at)
indexes. Durations are computed in SQL; the 95th percentile by rank, which both backends can do."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, extract, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.exchangelog.models import DELIVERIES, EXCHANGES, ExchangeKind, Outcome


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime
    until: datetime
    visible_to: str | None = None  # an agency: only services it (or an agency below it) provides


Triple = tuple[float | None, float | None, float | None]  # min, avg, max


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    """The exchanges at one address with one outcome: their count, and min/avg/max of duration (ms), request
    size and response size (bytes)."""

    address: str
    kind: str
    provider_agency: str
    outcome: str
    count: int
    duration: Triple
    request_size: Triple
    response_size: Triple


def _duration_ms(dialect: str) -> ColumnElement[Any]:
    c = EXCHANGES.c
    if dialect == "postgresql":
        return cast(extract("epoch", c.completed_at - c.received_at) * 1000, Float)
    return (func.julianday(c.completed_at) - func.julianday(c.received_at)) * 86_400_000.0


class HealthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def _where(self, period: Period) -> ColumnElement[bool]:
        c = EXCHANGES.c
        condition = and_(
            c.completed_at >= period.since, c.completed_at < period.until, c.provider_agency.is_not(None)
        )
        if period.visible_to is not None:
            agency = period.visible_to
            condition = and_(
                condition, or_(c.provider_agency == agency, c.provider_agency.startswith(agency + "."))
            )
        return condition

    async def groups(self, period: Period) -> list[OutcomeGroup]:
        c = EXCHANGES.c
        columns = []
        for value in (_duration_ms(self.dialect), c.request_size, c.response_size):
            columns += [func.min(value), func.avg(value), func.max(value)]
        # The outcome is grouped on, not filtered on: a condition on it would steer the planner to the
        # outcome index (most rows are ok) instead of the period's range on completed_at.
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(c.address, c.kind, c.provider_agency, c.outcome, func.count(), *columns)
            .where(self._where(period))
            .group_by(c.address, c.kind, c.provider_agency, c.outcome)
        )
        groups = []
        for address, kind, provider, outcome, count, *values in rows.all():
            n = [None if v is None else float(v) for v in values]
            triples = ((n[0], n[1], n[2]), (n[3], n[4], n[5]), (n[6], n[7], n[8]))
            groups.append(OutcomeGroup(address, kind, provider, outcome, int(count), *triples))
        return groups

    async def duration_p95(self, period: Period) -> dict[str, float]:
        """Per address, the nearest-rank 95th percentile of successful exchanges' durations (ms)."""
        c = EXCHANGES.c
        duration = _duration_ms(self.dialect).label("duration")
        # A computed flag rather than the outcome column: a condition on the outcome pushed into the subquery
        # would again steer the planner to the outcome index.
        ok = case((c.outcome == Outcome.OK, 1), else_=0).label("ok")
        ranked = (
            select(
                c.address,
                ok,
                duration,
                func.row_number().over(partition_by=(c.address, ok), order_by=duration).label("rank"),
                func.count().over(partition_by=(c.address, ok)).label("total"),
            )
            .where(self._where(period))
            .subquery()
        )
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(ranked.c.address, ranked.c.duration).where(
                ranked.c.ok == 1, ranked.c.rank == (ranked.c.total * 95 + 99) // 100
            )
        )
        return {address: float(value) for address, value in rows.all()}

    async def last_success(self, addresses: dict[str, str], at: datetime) -> dict[str, datetime]:
        """Per address (kind by address): the last successful call at or before `at`, or for a dataset the
        last share the warehouse acknowledged by then. One index walk per address, newest first."""
        c, d = EXCHANGES.c, DELIVERIES.c
        found: dict[str, datetime] = {}
        for address, kind in addresses.items():
            if kind != ExchangeKind.SERVICE:  # a dataset's address carries shares
                statement = (
                    select(d.delivered_at)
                    .select_from(EXCHANGES.join(DELIVERIES, d.exchange_id == c.id))
                    .where(c.address == address, c.completed_at <= at, d.delivered_at <= at)
                )
            else:
                statement = select(c.completed_at).where(
                    c.address == address, c.completed_at <= at, c.outcome == Outcome.OK
                )
            rows = await self.session.exec(  # type: ignore[call-overload]
                statement.order_by(c.completed_at.desc()).limit(1)
            )
            moment = rows.first()
            if moment is not None:
                found[address] = moment[0]
        return found
