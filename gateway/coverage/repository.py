"""Coverage's queries of the daily rollups, never the exchange log (the registry as it stood at a time T comes
from the registry's own read model, `registry.history`).

The rollups are read for databases × days (the `IN` list of database ids walks the rollup table's primary key
(database_id, day, kind)).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.coverage.window import Window
from gateway.exchangelog.models import ROLLUPS


@dataclass(frozen=True, slots=True)
class Activity:
    """One database's successful exchanges of one kind, as the window and the time T see them."""

    database_id: int
    kind: str
    in_window: bool
    last_at: datetime | None


@dataclass(frozen=True, slots=True)
class RollupDay:
    database_id: int
    day: date
    kind: str
    count: int
    first_at: datetime
    last_at: datetime


class CoverageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def activity(self, database_ids: Sequence[int], window: Window) -> list[Activity]:
        """Per database and kind: any successful exchange in the window (the rule of DESIGN.md §6), and the
        last one at or before T. On the day holding T, exchanges after T hide the last one before it; the
        day's first exchange (at or before T) stands for it then, the nearest the rollup can tell."""
        if not database_ids:
            return []
        r = ROLLUPS.c
        first_day, last_day = window.first_day, window.last_day
        in_window = or_(
            and_(r.day > first_day, r.day < last_day),
            and_(r.day == first_day, r.last_at > window.start),
            and_(r.day == last_day, r.first_at <= window.at),
        )
        statement = (
            select(
                r.database_id,
                r.kind,
                func.max(case((and_(r.day >= first_day, in_window), 1), else_=0)),
                func.max(case((r.last_at <= window.at, r.last_at), else_=r.first_at)),
            )
            .where(
                r.database_id.in_(database_ids),
                r.day <= last_day,
                r.count > 0,
                r.first_at <= window.at,
            )
            .group_by(r.database_id, r.kind)
        )
        rows = await self.session.exec(statement)  # type: ignore[call-overload]
        return [Activity(int(d), str(k), bool(active), last) for d, k, active, last in rows.all()]

    async def rollup_days(self, database_ids: Sequence[int], first: date, last: date) -> list[RollupDay]:
        if not database_ids:
            return []
        r = ROLLUPS.c
        rows = await self.session.exec(  # type: ignore[call-overload]
            select(r.database_id, r.day, r.kind, r.count, r.first_at, r.last_at).where(
                r.database_id.in_(database_ids), r.day >= first, r.day <= last, r.count > 0
            )
        )
        return [RollupDay(*row) for row in rows.all()]
