"""Group commit: records from many concurrent exchanges are written in one transaction, then their callers go on.

A caller awaits durability: its record is committed before it answers (DESIGN.md §7). The writer also chains each
complete record and adds successful exchanges to the daily rollups that coverage reads, in the same transaction.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.errors import LgspError
from gateway.exchangelog.chain import GENESIS, record_hash
from gateway.exchangelog.models import Exchange, ExchangeKind, ExchangeRollup, Outcome, ShareDelivery
from gateway.exchangelog.record import ExchangeRecord
from gateway.exchangelog.statements import ExchangeStatements

log = logging.getLogger("lgsp.exchangelog")
VIETNAM = timezone(timedelta(hours=7))
EXCHANGES = Exchange.__table__  # type: ignore[attr-defined]
ROLLUPS = ExchangeRollup.__table__  # type: ignore[attr-defined]
DELIVERIES = ShareDelivery.__table__  # type: ignore[attr-defined]


class LogUnavailable(LgspError):
    name, status, title = "log-unavailable", 503, "Exchange log unavailable"


def rollup_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


@dataclass(slots=True)
class Delivery:
    exchange_id: str
    database_id: int | None
    delivered_at: datetime
    records: int
    warehouse: str


@dataclass(slots=True)
class _Tally:
    count: int
    first: datetime
    last: datetime


@dataclass(slots=True)
class _Batch:
    opened: list[ExchangeRecord] = field(default_factory=list)
    closed: list[tuple[ExchangeRecord, bool]] = field(default_factory=list)  # (record, was opened before)
    delivered: list[Delivery] = field(default_factory=list)
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


_STOP = object()
_Item = tuple[str, object, asyncio.Future[None]] | object


class LogWriter:
    def __init__(self, engine: AsyncEngine, *, instance: str, batch_size: int = 256) -> None:
        self.engine = engine
        self.instance = instance
        self.batch_size = batch_size
        self.available = True
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._seq = 0
        self._statements: ExchangeStatements | None = None
        self._head = GENESIS
        self.written = 0
        self.on_written: Callable[[list[tuple[ExchangeRecord, bool]], int], None] = lambda closed, size: None

    async def start(self) -> None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(EXCHANGES.c.seq, EXCHANGES.c.hash)
                    .where(EXCHANGES.c.instance == self.instance, EXCHANGES.c.seq.is_not(None))
                    .order_by(EXCHANGES.c.seq.desc())
                    .limit(1)
                )
            ).first()
        if row is not None:
            self._seq, self._head = int(row.seq), str(row.hash)
        self._task = asyncio.create_task(self._run(), name="exchange-log-writer")

    async def stop(self) -> None:
        """Write everything submitted so far, then end."""
        if self._task is None:
            return
        task, self._task = self._task, None
        self._queue.put_nowait(_STOP)
        await task

    async def open(self, record: ExchangeRecord) -> None:
        """Durably record an exchange that has begun (outcome pending, not yet chained)."""
        await self._submit("open", record)

    async def close(self, record: ExchangeRecord, *, opened: bool = True) -> None:
        """Durably record the exchange's outcome, chaining it; `opened=False` for one never opened."""
        await self._submit("close", (record, opened))

    async def deliver(self, delivery: Delivery) -> None:
        await self._submit("deliver", delivery)

    async def _submit(self, kind: str, item: object) -> None:
        if self._task is None:
            raise LogUnavailable("the exchange log writer is not running")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((kind, item, future))
        await future

    async def _run(self) -> None:
        # No waiting for a batch to fill: while one batch is being written the next one queues up, so a lone
        # exchange pays for one transaction and a busy gateway for one transaction per batch.
        stopping = False
        while not stopping:
            batch = _Batch()
            item = await self._queue.get()
            while item is not _STOP:
                self._add(batch, item)
                if len(batch.waiters) >= self.batch_size or self._queue.empty():
                    break
                item = self._queue.get_nowait()
            stopping = item is _STOP
            if batch.waiters:
                await self._write(batch)

    @staticmethod
    def _add(batch: _Batch, item: _Item) -> None:
        assert isinstance(item, tuple)
        kind, payload, future = item
        if kind == "open":
            assert isinstance(payload, ExchangeRecord)
            batch.opened.append(payload)
        elif kind == "close":
            assert isinstance(payload, tuple)
            batch.closed.append(payload)
        else:
            assert isinstance(payload, Delivery)
            batch.delivered.append(payload)
        batch.waiters.append(future)

    async def _write(self, batch: _Batch) -> None:
        seq, head = self._seq, self._head
        for record, _ in batch.closed:
            seq += 1
            record.seq, record.prev_hash = seq, head
            record.hash = head = record_hash(record.row())
        try:
            async with self.engine.begin() as connection:
                await self._persist(connection, batch)
        except Exception as exc:
            log.error("exchange log write failed: %s", exc)
            self.available = False
            for record, _ in batch.closed:
                record.seq = record.prev_hash = record.hash = None
            for future in batch.waiters:
                if not future.done():
                    future.set_exception(
                        LogUnavailable("the exchange log cannot be written; the exchange is refused")
                    )
            return
        self.available = True
        self._seq, self._head = seq, head
        self.written += len(batch.waiters)
        for future in batch.waiters:
            if not future.done():
                future.set_result(None)
        self.on_written(batch.closed, len(batch.waiters))  # metrics: each closed record, and the batch size

    async def _persist(self, connection: AsyncConnection, batch: _Batch) -> None:
        statements = self._statements or ExchangeStatements(connection.dialect)
        self._statements = statements
        inserts = batch.opened + [record for record, opened in batch.closed if not opened]
        if inserts:
            await connection.exec_driver_sql(statements.insert_sql, statements.insert_rows(inserts))
        updates = [record for record, opened in batch.closed if opened]
        if updates:
            await connection.exec_driver_sql(statements.update_sql, statements.update_rows(updates))
        if batch.delivered:
            batch.delivered = await self._new_deliveries(connection, batch.delivered)
        if batch.delivered:
            await connection.execute(
                DELIVERIES.insert(),
                [
                    {
                        "exchange_id": d.exchange_id,
                        "delivered_at": d.delivered_at,
                        "records": d.records,
                        "warehouse": d.warehouse,
                    }
                    for d in batch.delivered
                ],
            )
        await self._roll_up(connection, batch)

    @staticmethod
    async def _new_deliveries(connection: AsyncConnection, deliveries: list[Delivery]) -> list[Delivery]:
        """A warehouse may acknowledge a share more than once (redelivery): only the first one counts."""
        unique = list({d.exchange_id: d for d in reversed(deliveries)}.values())
        known = set(
            (
                await connection.execute(
                    select(DELIVERIES.c.exchange_id).where(
                        DELIVERIES.c.exchange_id.in_([d.exchange_id for d in unique])
                    )
                )
            ).scalars()
        )
        return [d for d in unique if d.exchange_id not in known]

    async def _roll_up(self, connection: AsyncConnection, batch: _Batch) -> None:
        tallies: dict[tuple[int, date, str], _Tally] = {}

        def add(database_id: int | None, moment: datetime | None, kind: str) -> None:
            if database_id is None or moment is None:
                return
            key = (database_id, rollup_day(moment), kind)
            tally = tallies.get(key)
            if tally is None:
                tallies[key] = _Tally(1, moment, moment)
            else:
                tally.count += 1
                tally.first = min(tally.first, moment)
                tally.last = max(tally.last, moment)

        for record, _ in batch.closed:
            if record.outcome == Outcome.OK and record.kind == ExchangeKind.SERVICE:
                add(record.database_id, record.completed_at, ExchangeKind.SERVICE)
        for delivery in batch.delivered:
            add(delivery.database_id, delivery.delivered_at, ExchangeKind.SHARE)
        if not tallies:
            return
        rows = [
            {
                "database_id": database_id,
                "day": day,
                "kind": kind,
                "count": t.count,
                "first_at": t.first,
                "last_at": t.last,
            }
            for (database_id, day, kind), t in tallies.items()
        ]
        dialect = connection.dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ROLLUPS)
        least, greatest = (func.least, func.greatest) if dialect == "postgresql" else (func.min, func.max)
        statement = insert.on_conflict_do_update(
            index_elements=["database_id", "day", "kind"],
            set_={
                "count": ROLLUPS.c.count + insert.excluded.count,
                "first_at": least(ROLLUPS.c.first_at, insert.excluded.first_at),
                "last_at": greatest(ROLLUPS.c.last_at, insert.excluded.last_at),
            },
        )
        await connection.execute(statement, rows)
