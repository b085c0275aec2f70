"""The log writer's INSERT and UPDATE, compiled once per database dialect and fed plain positional rows.

On the hot path SQLAlchemy's per-value bind processing costs more than SQLite's own work, so rows are built
here in the driver's native form: UTC datetimes as SQLAlchemy stores them in SQLite, aware datetimes for
asyncpg. Reading goes through the ORM types as usual.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Dialect

from gateway.exchangelog.models import Exchange
from gateway.exchangelog.record import FIELD_NAMES, ExchangeRecord

EXCHANGES = Exchange.__table__  # type: ignore[attr-defined]
_TIMES = frozenset({"received_at", "sent_at", "replied_at", "completed_at"})
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # the format of SQLAlchemy's SQLite DATETIME


def _time_for(dialect: Dialect) -> Callable[[datetime], Any]:
    if dialect.name == "sqlite":
        return lambda moment: moment.astimezone(UTC).strftime(_SQLITE_TIME)
    return lambda moment: moment


class ExchangeStatements:
    def __init__(self, dialect: Dialect) -> None:
        inserting = insert(EXCHANGES).compile(dialect=dialect)
        updating = (
            update(EXCHANGES)
            .where(EXCHANGES.c.id == bindparam("key"))
            .values({name: bindparam(name) for name in FIELD_NAMES if name != "id"})
            .compile(dialect=dialect)
        )
        self.insert_sql, self._insert_order = str(inserting), tuple(inserting.positiontup or ())
        self.update_sql, self._update_order = str(updating), tuple(updating.positiontup or ())
        if set(self._insert_order) != set(FIELD_NAMES):
            raise RuntimeError("the exchange table and ExchangeRecord no longer have the same fields")
        self._time = _time_for(dialect)

    def _row(self, record: ExchangeRecord, order: Sequence[str]) -> tuple[Any, ...]:
        values = []
        for name in order:
            value = getattr(record, name if name != "key" else "id")
            values.append(self._time(value) if name in _TIMES and value is not None else value)
        return tuple(values)

    def insert_rows(self, records: Sequence[ExchangeRecord]) -> list[tuple[Any, ...]]:
        return [self._row(record, self._insert_order) for record in records]

    def update_rows(self, records: Sequence[ExchangeRecord]) -> list[tuple[Any, ...]]:
        return [self._row(record, self._update_order) for record in records]
