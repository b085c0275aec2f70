"""Daily rollups of successful exchanges per database (Vietnam days): what coverage is computed from."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord

VIETNAM = timezone(timedelta(hours=7))


def rollup_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


@dataclass(slots=True)
class Delivery:
    """The warehouse's acknowledgement of a share."""

    exchange_id: str
    database_id: int | None
    delivered_at: datetime
    records: int
    warehouse: str


@dataclass(slots=True)
class RollupRow:
    database_id: int
    day: date
    kind: str
    count: int
    first_at: datetime
    last_at: datetime


def tally(closed: Iterable[ExchangeRecord], delivered: Iterable[Delivery]) -> list[RollupRow]:
    """One row per (database, day, kind): service calls answered ok, and shares delivered."""
    rows: dict[tuple[int, date, str], RollupRow] = {}

    def add(database_id: int | None, moment: datetime | None, kind: str) -> None:
        if database_id is None or moment is None:
            return
        key = (database_id, rollup_day(moment), kind)
        row = rows.get(key)
        if row is None:
            rows[key] = RollupRow(database_id, key[1], kind, 1, moment, moment)
        else:
            row.count += 1
            row.first_at = min(row.first_at, moment)
            row.last_at = max(row.last_at, moment)

    for record in closed:
        if record.outcome == Outcome.OK and record.kind == ExchangeKind.SERVICE:
            add(record.database_id, record.completed_at, ExchangeKind.SERVICE)
    for delivery in delivered:
        add(delivery.database_id, delivery.delivered_at, ExchangeKind.SHARE)
    return list(rows.values())
