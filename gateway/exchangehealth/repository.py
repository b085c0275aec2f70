"""Reads of the exchange log for one bounded period, through its (completed_at) and (address, completed_at)
indexes. Durations are computed in SQL; the 95th percentile by rank, which both backends can do."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, extract, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.exchangelog.models import Exchange, Outcome

EXCHANGES = Exchange.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime
    until: datetime
    visible_to: str | None = None  # an agency: only services it (or an agency below it) provides


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    address: str
    kind: str
    provider_agency: str
    outcome: str
    count: int


@dataclass(frozen=True, slots=True)
class SuccessStats:
    """Of the successful exchanges at one address: duration (ms) and sizes (bytes), min/avg/max each."""

    duration: tuple[float | None, float | None, float | None]
    request_size: tuple[float | None, float | None, float | None]
    response_size: tuple[float | None, float | None, float | None]


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

    async def outcomes(self, period: Period) -> list[OutcomeCount]:
        c = EXCHANGES.c
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(c.address, c.kind, c.provider_agency, c.outcome, func.count())
            .where(self._where(period))
            .group_by(c.address, c.kind, c.provider_agency, c.outcome)
        )
        return [OutcomeCount(*row) for row in rows.all()]

    async def success_stats(self, period: Period) -> dict[str, SuccessStats]:
        c = EXCHANGES.c
        duration = _duration_ms(self.dialect)
        columns = []
        for value in (duration, c.request_size, c.response_size):
            columns += [func.min(value), func.avg(value), func.max(value)]
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(c.address, *columns)
            .where(self._where(period), c.outcome == Outcome.OK)
            .group_by(c.address)
        )
        stats = {}
        for address, *values in rows.all():
            numbers = [None if v is None else float(v) for v in values]
            stats[address] = SuccessStats(
                duration=(numbers[0], numbers[1], numbers[2]),
                request_size=(numbers[3], numbers[4], numbers[5]),
                response_size=(numbers[6], numbers[7], numbers[8]),
            )
        return stats

    async def duration_p95(self, period: Period) -> dict[str, float]:
        """Per address, the nearest-rank 95th percentile of successful exchanges' durations (ms)."""
        c = EXCHANGES.c
        duration = _duration_ms(self.dialect).label("duration")
        ranked = (
            select(
                c.address,
                duration,
                func.row_number().over(partition_by=c.address, order_by=duration).label("rank"),
                func.count().over(partition_by=c.address).label("total"),
            )
            .where(self._where(period), c.outcome == Outcome.OK)
            .subquery()
        )
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(ranked.c.address, ranked.c.duration).where(
                ranked.c.rank == (ranked.c.total * 95 + 99) // 100
            )
        )
        return {address: float(value) for address, value in rows.all()}
