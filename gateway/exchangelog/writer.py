"""Group commit: records from many concurrent exchanges are written in one transaction, then their callers go on.

A caller awaits durability: its record is committed before it answers (DESIGN.md §7). The writer also chains each
complete record and adds successful exchanges to the daily rollups that coverage reads, in the same transaction.

The writer never stalls (DESIGN.md §7): a batch the database refuses is split in halves until the bad item is
alone and refused on its own; after any failure the chain head is read again from the database; each write has a
timeout, and when the database is unreachable every caller gets 503 at once (a bounded queue, no waiting) until a
probe finds it back. Records opened but not closed because the database was away, or because the gateway
crashed, are closed as `abandoned` and chained, so `lgsp log verify` counts them; exchanges refused with 503
while it was away, never opened, are written with that outcome once it is back (as many as the queue holds). The task is supervised.
"""

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.errors import LgspError
from gateway.exchangelog.chain import GENESIS, record_hash
from gateway.exchangelog.models import Outcome
from gateway.exchangelog.record import ExchangeRecord
from gateway.exchangelog.rollups import Delivery
from gateway.exchangelog.stores import OutboxEntry, PreparedBatch, log_store
from registry.storage import utcnow

log = logging.getLogger("lgsp.exchangelog")
INT32_MAX = 2**31 - 1
_ID_LENGTH = 36
_WAREHOUSE_LENGTH = 64


class LogUnavailable(LgspError):
    name, status, title = "log-unavailable", 503, "Exchange log unavailable"


class LogRefused(LgspError):
    """The database refused this one item (not the log as a whole): it is not written, the rest of its batch is."""

    name, status, title = "log-refused", 503, "Exchange log refused the record"


# What a database raises for one bad row (a foreign key, a value out of range or too long), as opposed to
# being unreachable: only these are worth splitting a batch for.
_REFUSALS: tuple[type[BaseException], ...] = (
    IntegrityError, DataError, sqlite3.IntegrityError, sqlite3.DataError, OverflowError, ValueError, TypeError,
)  # fmt: skip


def _is_refusal(exc: BaseException) -> bool:
    if isinstance(exc, _REFUSALS):
        return True
    orig = getattr(exc, "orig", None)  # asyncpg's client-side DataError arrives wrapped as a DBAPIError
    return orig is not None and type(orig).__name__ in {"DataError", "IntegrityError"}


_Item = tuple[str, object, asyncio.Future[None]]


@dataclass(slots=True)
class _Batch:
    items: list[_Item] = field(default_factory=list)

    def prepared(self) -> tuple[PreparedBatch, list[tuple[ExchangeRecord, bool]]]:
        prepared, closed = PreparedBatch(), []
        for kind, payload, _ in self.items:
            if kind == "open":
                assert isinstance(payload, ExchangeRecord)
                prepared.inserts.append(payload)
            elif kind == "close":
                assert isinstance(payload, tuple)
                record, opened, kept = payload
                closed.append((record, opened))
                if kept is not None:
                    prepared.outbox.append(kept)
                (prepared.updates if opened else prepared.inserts).append(record)
                prepared.closed.append(record)
            else:
                assert isinstance(payload, Delivery)
                prepared.delivered.append(payload)
        return prepared, closed


_STOP: _Item = ("stop", None, None)  # type: ignore[assignment]


def _ignore_outcome(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


class LogWriter:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        instance: str,
        batch_size: int = 256,
        queue_size: int = 10_000,
        write_timeout: float = 5.0,
        probe_interval: float = 1.0,
    ) -> None:
        self.engine = engine
        self.instance = instance
        self.batch_size = batch_size
        self.write_timeout = write_timeout
        self.probe_interval = probe_interval
        self.available = True
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(maxsize=queue_size)
        self._task: asyncio.Task[None] | None = None
        self._probe: asyncio.Task[None] | None = None
        self._seq = 0
        self._store = log_store(engine)
        self._head = GENESIS
        self._orphans: dict[str, ExchangeRecord] = {}  # opened, then not closed while the log was away
        # never opened: refused (503) while the log was away, written with that outcome once it is back
        self._deferred: dict[str, ExchangeRecord] = {}
        self._stopping = False
        self.written = 0
        self.refused = 0
        self.abandoned = 0
        self.restarts = 0
        self.on_written: Callable[[list[tuple[ExchangeRecord, bool]], int], None] = lambda closed, size: None

    async def start(self) -> None:
        """Read the chain head, close what a crash left open (as `abandoned`), then take records."""
        self._seq, self._head = await self._read_head()
        left_open = await self._store.pending(self.instance)
        if left_open:
            log.warning("closing %d exchange(s) a crash left open as abandoned", len(left_open))
            batch = _Batch()
            loop = asyncio.get_running_loop()
            for record in left_open:
                self._abandon(record)
                future = loop.create_future()
                future.add_done_callback(_ignore_outcome)
                batch.items.append(("close", (record, True, None), future))
            await self._write(batch)
            if not all(item[2].done() and item[2].exception() is None for item in batch.items):
                raise LogUnavailable("the exchange log cannot close the records a crash left open")
        self._stopping = False
        self._task = asyncio.create_task(self._supervise(), name="exchange-log-writer")

    async def stop(self) -> None:
        """Write everything submitted so far, then end."""
        if self._task is None:
            return
        task, self._task = self._task, None
        self._stopping = True
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)
            self._probe = None
        await self._queue.put(_STOP)
        await task
        await self._store.close()

    async def open(self, record: ExchangeRecord) -> None:
        """Durably record an exchange that has begun (outcome pending, not yet chained)."""
        await self._submit("open", record)

    async def close(
        self, record: ExchangeRecord, *, opened: bool = True, outbox: OutboxEntry | None = None
    ) -> None:
        """Durably record the exchange's outcome, chaining it; `opened=False` for one never opened; `outbox`: a
        share to keep (in the same transaction) until the warehouse acknowledges it."""
        try:
            await self._submit("close", (record, opened, outbox))
        except LogUnavailable:
            if opened:  # in the database as pending: close it as abandoned once the log is back
                self._orphans[record.id] = record
            elif not self.available and len(self._deferred) < self._queue.maxsize:
                self._deferred[record.id] = record  # the caller was answered: log it when the log is back
            raise

    async def deliver(self, delivery: Delivery) -> None:
        """Record the warehouse's acknowledgement of a share; an impossible one is refused before the database."""
        if not 0 < len(delivery.exchange_id) <= _ID_LENGTH:
            raise LogRefused(f"an exchange id has at most {_ID_LENGTH} characters")
        if not 0 <= delivery.records <= INT32_MAX:
            raise LogRefused(f"a record count is between 0 and {INT32_MAX}")
        if len(delivery.warehouse) > _WAREHOUSE_LENGTH:
            raise LogRefused(f"a warehouse name has at most {_WAREHOUSE_LENGTH} characters")
        await self._submit("deliver", delivery)

    async def _submit(self, kind: str, item: object) -> None:
        if self._task is None:
            raise LogUnavailable("the exchange log writer is not running")
        if not self.available:
            raise LogUnavailable("the exchange log's database is unreachable; the exchange is refused")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((kind, item, future))
        except asyncio.QueueFull:
            raise LogUnavailable("the exchange log is behind; try again shortly") from None
        await future

    # the writer task

    async def _supervise(self) -> None:
        while True:
            try:
                await self._run()
                return
            except Exception:
                self.restarts += 1
                log.exception("the exchange log writer failed; restarting it")
                await self._reload_head()

    async def _run(self) -> None:
        # No waiting for a batch to fill: while one batch is being written the next one queues up, so a lone
        # exchange pays for one transaction and a busy gateway for one transaction per batch.
        stopping = False
        while not stopping:
            batch = _Batch()
            item = await self._queue.get()
            while item is not _STOP:
                batch.items.append(item)
                if len(batch.items) >= self.batch_size or self._queue.empty():
                    break
                item = self._queue.get_nowait()
            stopping = item is _STOP
            if batch.items:
                try:
                    if self.available:
                        await self._write(batch)
                    else:
                        self._fail(batch, LogUnavailable("the exchange log's database is unreachable"))
                except BaseException:
                    self._fail(
                        batch, LogUnavailable("the exchange log writer failed; the exchange is refused")
                    )
                    raise

    def _fail(self, batch: _Batch, error: LgspError) -> None:
        for _, _, future in batch.items:
            if not future.done():
                future.set_exception(error)

    async def _write(self, batch: _Batch, *, retry: bool = True) -> None:
        prepared, closed = batch.prepared()
        seq, head = self._seq, self._head
        for record, _ in closed:
            seq += 1
            record.seq, record.prev_hash = seq, head
            record.hash = head = record_hash(record.row())
        try:
            async with asyncio.timeout(self.write_timeout):
                await self._store.persist(prepared)
        except Exception as exc:
            for record, _ in closed:
                record.seq = record.prev_hash = record.hash = None
            stale = (self._seq, self._head)
            await self._reload_head()
            if _is_refusal(exc) and retry and (self._seq, self._head) != stale:
                # someone else wrote on this chain (a second gateway with this instance id): chain on its head
                log.warning(
                    "exchange log: the chain of %s moved under this writer; written on its head",
                    self.instance,
                )
                await self._write(batch, retry=False)
                return
            if _is_refusal(exc):
                if len(batch.items) > 1:
                    middle = len(batch.items) // 2
                    await self._write(_Batch(batch.items[:middle]))
                    await self._write(_Batch(batch.items[middle:]))
                    return
                self.refused += 1
                log.warning("exchange log refused one %s: %s", batch.items[0][0], _short(exc))
                self._fail(batch, LogRefused("the exchange log refused this record"))
                return
            log.error("exchange log write failed: %s", _short(exc))
            self._unavailable()
            self._fail(batch, LogUnavailable("the exchange log cannot be written; the exchange is refused"))
            return
        self.available = True
        self._seq, self._head = seq, head
        self.written += len(batch.items)
        for record, _ in closed:
            self._orphans.pop(record.id, None)
            self._deferred.pop(record.id, None)
        for _, _, future in batch.items:
            if not future.done():
                future.set_result(None)
        self.on_written(closed, len(batch.items))  # metrics: each closed record, and the batch size

    # recovery

    async def _read_head(self) -> tuple[int, str]:
        async with asyncio.timeout(self.write_timeout):
            seq, head = await self._store.head(self.instance)
        return seq, head or GENESIS

    async def _reload_head(self) -> None:
        try:
            self._seq, self._head = await self._read_head()
        except Exception as exc:
            log.warning("exchange log: cannot read the chain head (%s)", _short(exc))
            self._unavailable()

    def _unavailable(self) -> None:
        self.available = False
        if (self._probe is None or self._probe.done()) and not self._stopping:
            self._probe = asyncio.create_task(self._recover(), name="exchange-log-probe")

    async def _recover(self) -> None:
        """Until the database answers: then take the chain head from it, close the orphans as abandoned and
        write the exchanges refused meanwhile with their outcome."""
        while True:
            await asyncio.sleep(self.probe_interval)
            try:
                self._seq, self._head = await self._read_head()
            except Exception:
                continue
            break
        self.available = True
        log.warning("exchange log available again")
        loop = asyncio.get_running_loop()
        for record in list(self._orphans.values()):
            self._abandon(record)
            future: asyncio.Future[None] = loop.create_future()
            future.add_done_callback(_ignore_outcome)
            try:
                self._queue.put_nowait(("close", (record, True, None), future))
            except asyncio.QueueFull:
                break  # the next start closes the rest
        for record in list(self._deferred.values()):
            future = loop.create_future()
            future.add_done_callback(_ignore_outcome)
            try:
                self._queue.put_nowait(("close", (record, False, None), future))
            except asyncio.QueueFull:
                break  # written at the next recovery, if there is one

    def _abandon(self, record: ExchangeRecord) -> None:
        self.abandoned += 1
        record.outcome = Outcome.ABANDONED
        record.completed_at = record.completed_at or utcnow()
        record.seq = record.prev_hash = record.hash = None


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
