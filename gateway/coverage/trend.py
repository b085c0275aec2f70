"""The daily trend: coverage at the end of each day, from one read of the rollups those windows span.

The rollup rule is evaluated here in Python, as the repository's `activity` query does in SQL for one window.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gateway.coverage.repository import CoverageRepository, RollupDay
from gateway.coverage.schemas import TrendPoint
from gateway.coverage.tally import database_state, tally
from gateway.coverage.window import Window, day_end
from gateway.exchangelog.models import ExchangeKind
from registry.history import AgencyRow, DatabaseRow

KINDS = (ExchangeKind.SERVICE, ExchangeKind.SHARE)


@dataclass(frozen=True, slots=True)
class _Edges:
    """A window's edges, worked out once per trend point rather than once per database."""

    start: datetime
    at: datetime
    first_day: date
    last_day: date

    @classmethod
    def of(cls, window: Window) -> "_Edges":
        return cls(window.start, window.at, window.first_day, window.last_day)


@dataclass(slots=True)
class _History:
    """One database's successful exchanges of one kind, by day."""

    by_day: dict[date, RollupDay] = field(default_factory=dict)
    days: list[date] = field(default_factory=list)  # sorted

    def active_in(self, window: _Edges) -> bool:
        first, last = window.first_day, window.last_day
        edge = self.by_day.get(first)
        if edge is not None and edge.last_at > window.start:
            return True
        edge = self.by_day.get(last)
        if edge is not None and edge.first_at <= window.at:
            return True
        after_first = bisect_right(self.days, first)
        return after_first < len(self.days) and self.days[after_first] < last


async def trend_points(
    repository: CoverageRepository,
    agencies: list[AgencyRow],
    databases: list[DatabaseRow],
    contracts_since: dict[int, datetime],
    *,
    days: int,
    window: Window,
    province: str,
    target: float,
) -> list[TrendPoint]:
    last_day = window.last_day
    point_days = [last_day - timedelta(days=n) for n in range(days - 1, -1, -1)]
    windows = [Window(min(day_end(day), window.at), window.days) for day in point_days]
    rows = await repository.rollup_days([d.id for d in databases], windows[0].first_day, last_day)
    histories: dict[tuple[int, str], _History] = defaultdict(_History)
    per_day: dict[tuple[date, str], int] = defaultdict(int)
    for row in sorted(rows, key=lambda r: r.day):
        history = histories[row.database_id, row.kind]
        history.by_day[row.day] = row
        history.days.append(row.day)
        per_day[row.day, row.kind] += row.count
    points = []
    for day, point in zip(point_days, map(_Edges.of, windows), strict=True):
        states = []
        for database in databases:
            if database.created_at > point.at:
                continue
            since = contracts_since.get(database.id)
            active = 1 if since is not None and since <= point.at else 0
            exchanged = {
                kind for kind in KINDS if (h := histories.get((database.id, kind))) and h.active_in(point)
            }
            states.append(database_state(database.as_at(point.at), point.at, active, exchanged))
        figures = tally(agencies, states, province=province, at=point.at, target=target)
        points.append(
            TrendPoint(
                day=day,
                at=point.at,
                agency_coverage=figures.agency_coverage,
                database_coverage=figures.database_coverage,
                databases=figures.databases,
                service_exchanges=per_day[day, ExchangeKind.SERVICE],
                share_deliveries=per_day[day, ExchangeKind.SHARE],
            )
        )
    return points
