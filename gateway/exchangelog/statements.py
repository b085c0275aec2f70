"""The log writer's statements, compiled once per database dialect and fed plain positional rows.

On the hot path SQLAlchemy's per-value bind processing costs more than the database's own work, so rows are
built here in the driver's native form: UTC datetimes and ISO dates as SQLAlchemy stores them in SQLite,
aware datetimes and dates for asyncpg. Reading goes through the ORM types as usual.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import Compiled

from gateway.exchangelog.models import DELIVERIES, EXCHANGES, OUTBOX, ROLLUPS
from gateway.exchangelog.record import FIELD_NAMES, ExchangeRecord
from gateway.exchangelog.rollups import Delivery, RollupRow

_TIMES = frozenset(
    {
        "received_at",
        "sent_at",
        "replied_at",
        "completed_at",
        "delivered_at",
        "first_at",
        "last_at",
        "created_at",
    }
)
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # the format of SQLAlchemy's SQLite DATETIME


def _converters(dialect: Dialect) -> tuple[Callable[[datetime], Any], Callable[[date], Any]]:
    if dialect.name == "sqlite":
        return (lambda moment: moment.astimezone(UTC).strftime(_SQLITE_TIME)), (lambda day: day.isoformat())
    return (lambda moment: moment), (lambda day: day)


def _upsert(dialect: Dialect) -> Any:
    inserting = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(ROLLUPS)
    least, greatest = (func.least, func.greatest) if dialect.name == "postgresql" else (func.min, func.max)
    return inserting.on_conflict_do_update(
        index_elements=["database_id", "day", "kind"],
        set_={
            "count": ROLLUPS.c.count + inserting.excluded.count,
            "first_at": least(ROLLUPS.c.first_at, inserting.excluded.first_at),
            "last_at": greatest(ROLLUPS.c.last_at, inserting.excluded.last_at),
        },
    )


def _delivery(dialect: Dialect) -> Any:
    inserting = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(DELIVERIES)
    return inserting.on_conflict_do_nothing(index_elements=["exchange_id"])


class _Statement:
    def __init__(self, compiled: Compiled) -> None:
        self.sql = str(compiled)
        self.order = tuple(compiled.positiontup or ())  # type: ignore[attr-defined]


class LogStatements:
    def __init__(self, dialect: Dialect) -> None:
        self.insert = _Statement(insert(EXCHANGES).compile(dialect=dialect))
        self.update = _Statement(
            update(EXCHANGES)
            .where(EXCHANGES.c.id == bindparam("key"))
            .values({name: bindparam(name) for name in FIELD_NAMES if name != "id"})
            .compile(dialect=dialect)
        )
        self.rollup = _Statement(_upsert(dialect).compile(dialect=dialect))
        self.delivery = _Statement(_delivery(dialect).compile(dialect=dialect))
        self.outbox = _Statement(insert(OUTBOX).compile(dialect=dialect))
        self.delivered = _Statement(
            delete(OUTBOX).where(OUTBOX.c.exchange_id == bindparam("exchange_id")).compile(dialect=dialect)
        )
        if set(self.insert.order) != set(FIELD_NAMES):
            raise RuntimeError("the exchange table and ExchangeRecord no longer have the same fields")
        self._time, self._day = _converters(dialect)

    def _row(self, source: object, order: Sequence[str]) -> tuple[Any, ...]:
        values = []
        for name in order:
            value = getattr(source, "id" if name == "key" else name)
            if value is not None and name in _TIMES:
                value = self._time(value)
            elif isinstance(value, date) and not isinstance(value, datetime):
                value = self._day(value)
            values.append(value)
        return tuple(values)

    def insert_rows(self, records: Sequence[ExchangeRecord]) -> list[tuple[Any, ...]]:
        return [self._row(record, self.insert.order) for record in records]

    def update_rows(self, records: Sequence[ExchangeRecord]) -> list[tuple[Any, ...]]:
        return [self._row(record, self.update.order) for record in records]

    def rollup_rows(self, rows: Sequence[RollupRow]) -> list[tuple[Any, ...]]:
        return [self._row(row, self.rollup.order) for row in rows]

    def delivery_row(self, delivery: Delivery) -> tuple[Any, ...]:
        return self._row(delivery, self.delivery.order)

    def outbox_rows(self, entries: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [self._row(entry, self.outbox.order) for entry in entries]

    def delivered_rows(self, deliveries: Sequence[Delivery]) -> list[tuple[Any, ...]]:
        return [self._row(delivery, self.delivered.order) for delivery in deliveries]
