"""Group commit: records from many concurrent exchanges are written in one transaction, then their callers go on.

A caller awaits durability: its record is committed before it answers (DESIGN.md §7). The writer also chains each
complete record and adds successful exchanges to the daily rollups that coverage reads, in the same transaction.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.errors import LgspError
from gateway.exchangelog.chain import GENESIS, record_hash
from gateway.exchangelog.models import EXCHANGES
from gateway.exchangelog.record import ExchangeRecord
from gateway.exchangelog.rollups import Delivery
from gateway.exchangelog.stores import PreparedBatch, log_store

log = logging.getLogger("lgsp.exchangelog")


class LogUnavailable(LgspError):
    name, status, title = "log-unavailable", 503, "Exchange log unavailable"


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
        self._store = log_store(engine)
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
        await self._store.close()

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
        prepared = PreparedBatch(
            inserts=batch.opened + [record for record, opened in batch.closed if not opened],
            updates=[record for record, opened in batch.closed if opened],
            closed=[record for record, _ in batch.closed],
            delivered=batch.delivered,
        )
        try:
            await self._store.persist(prepared)
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
