"""Where a batch of the exchange log goes, in one transaction.

On SQLite the batch is written by a private `sqlite3` connection in a thread of its own, in one hand-off:
going through aiosqlite costs a thread hop per statement, which is most of a batch's time. PostgreSQL is written
through SQLAlchemy on asyncpg. Both use the same compiled statements and rows (`statements.LogStatements`).
"""

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.exchangelog.models import EXCHANGES, OUTBOX, Outcome
from gateway.exchangelog.record import FIELD_NAMES, ExchangeRecord
from gateway.exchangelog.rollups import Delivery, tally
from gateway.exchangelog.statements import LogStatements


@dataclass(slots=True)
class PreparedBatch:
    inserts: list[ExchangeRecord] = field(
        default_factory=list
    )  # opened, or closed without having been opened
    updates: list[ExchangeRecord] = field(default_factory=list)  # closed after being opened
    closed: list[ExchangeRecord] = field(default_factory=list)
    delivered: list[Delivery] = field(default_factory=list)
    outbox: list["OutboxEntry"] = field(default_factory=list)


@dataclass(slots=True)
class OutboxEntry:
    """A share kept until the warehouse acknowledges it (in-process bus): see `ShareOutbox`."""

    exchange_id: str
    topic: str
    envelope: str
    created_at: datetime


_HEAD = (
    select(EXCHANGES.c.seq, EXCHANGES.c.hash)
    .where(EXCHANGES.c.seq.is_not(None))
    .order_by(EXCHANGES.c.seq.desc())
)


async def _pending(engine: AsyncEngine, instance: str) -> list[ExchangeRecord]:
    """This instance's records still open (outcome pending), read back through the ORM types."""
    columns = [EXCHANGES.c[name] for name in FIELD_NAMES]
    query = select(*columns).where(EXCHANGES.c.instance == instance, EXCHANGES.c.outcome == Outcome.PENDING)
    async with engine.connect() as connection:
        rows = (await connection.execute(query.order_by(EXCHANGES.c.id))).mappings().all()
    return [ExchangeRecord(**dict(row)) for row in rows]


async def outbox(engine: AsyncEngine) -> list[OutboxEntry]:
    """Every share still waiting for the warehouse's acknowledgement, oldest first."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(OUTBOX).order_by(OUTBOX.c.created_at))
        return [OutboxEntry(row.exchange_id, row.topic, row.envelope, row.created_at) for row in rows]


class LogStore(Protocol):
    async def persist(self, batch: PreparedBatch) -> None: ...

    async def head(self, instance: str) -> tuple[int, str | None]:
        """The last chained record's position and hash (0, None for an empty chain)."""

    async def pending(self, instance: str) -> list[ExchangeRecord]: ...

    async def close(self) -> None: ...


class SqlAlchemyLogStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statements = LogStatements(engine.dialect)

    async def persist(self, batch: PreparedBatch) -> None:
        statements = self.statements
        async with self.engine.begin() as connection:
            if batch.inserts:
                await connection.exec_driver_sql(statements.insert.sql, statements.insert_rows(batch.inserts))
            if batch.updates:
                await connection.exec_driver_sql(statements.update.sql, statements.update_rows(batch.updates))
            if batch.outbox:
                await connection.exec_driver_sql(statements.outbox.sql, statements.outbox_rows(batch.outbox))
            if batch.delivered:
                await connection.exec_driver_sql(
                    statements.delivered.sql, statements.delivered_rows(batch.delivered)
                )
            new = []
            for delivery in batch.delivered:  # a warehouse may acknowledge twice: only the first counts
                result = await connection.exec_driver_sql(
                    statements.delivery.sql, statements.delivery_row(delivery)
                )
                if result.rowcount:
                    new.append(delivery)
            rollups = tally(batch.closed, new)
            if rollups:
                await connection.exec_driver_sql(statements.rollup.sql, statements.rollup_rows(rollups))

    async def head(self, instance: str) -> tuple[int, str | None]:
        async with self.engine.connect() as connection:
            row = (await connection.execute(_HEAD.where(EXCHANGES.c.instance == instance).limit(1))).first()
        return (0, None) if row is None else (int(row.seq), str(row.hash))

    async def pending(self, instance: str) -> list[ExchangeRecord]:
        return await _pending(self.engine, instance)

    async def close(self) -> None:
        """The engine belongs to the platform."""


class SqliteLogStore:
    CHECKPOINT_EVERY = 1.0  # seconds

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.path = make_url(engine.url).database or ""
        self.statements = LogStatements(engine.dialect)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-log")
        self._checkpointer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-log-checkpoint")
        self._connection: sqlite3.Connection | None = None
        self._checkpoint_connection: sqlite3.Connection | None = None
        self._checkpoint: asyncio.Future[None] | None = None
        self._last_checkpoint = 0.0

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # No automatic checkpoints on the write path: a checkpoint syncs the file, and the caller whose
            # commit crossed the threshold would wait for it. `_checkpoint_now` runs them beside the writes.
            self._connection = _open(self.path, "wal_autocheckpoint=0")
        return self._connection

    def _checkpoint_now(self) -> None:
        if self._checkpoint_connection is None:
            self._checkpoint_connection = _open(self.path)
        self._checkpoint_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _schedule_checkpoint(self) -> None:
        loop = asyncio.get_running_loop()
        if (self._checkpoint is None or self._checkpoint.done()) and (
            loop.time() - self._last_checkpoint > self.CHECKPOINT_EVERY
        ):
            self._last_checkpoint = loop.time()
            self._checkpoint = loop.run_in_executor(self._checkpointer, self._checkpoint_now)

    def _persist(self, batch: PreparedBatch) -> None:
        statements, connection = self.statements, self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            if batch.inserts:
                connection.executemany(statements.insert.sql, statements.insert_rows(batch.inserts))
            if batch.updates:
                connection.executemany(statements.update.sql, statements.update_rows(batch.updates))
            if batch.outbox:
                connection.executemany(statements.outbox.sql, statements.outbox_rows(batch.outbox))
            if batch.delivered:
                connection.executemany(statements.delivered.sql, statements.delivered_rows(batch.delivered))
            new = [
                delivery
                for delivery in batch.delivered
                if connection.execute(statements.delivery.sql, statements.delivery_row(delivery)).rowcount
            ]
            rollups = tally(batch.closed, new)
            if rollups:
                connection.executemany(statements.rollup.sql, statements.rollup_rows(rollups))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    async def persist(self, batch: PreparedBatch) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._persist, batch)
        self._schedule_checkpoint()

    def _head(self, instance: str) -> tuple[int, str | None]:
        row = (
            self._connect()
            .execute(
                "SELECT seq, hash FROM exchange WHERE instance = ? AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
                (instance,),
            )
            .fetchone()
        )
        return (0, None) if row is None else (int(row[0]), str(row[1]))

    async def head(self, instance: str) -> tuple[int, str | None]:
        # on the writer's own thread: after a write that timed out, the head is read once that write has ended
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._head, instance)

    async def pending(self, instance: str) -> list[ExchangeRecord]:
        return await _pending(self.engine, instance)

    async def close(self) -> None:
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        for connection in (self._connection, self._checkpoint_connection):
            if connection is not None:
                connection.close()  # sqlite3 objects may be closed from any thread once unused
        self._connection = self._checkpoint_connection = None
        self._thread.shutdown(wait=True)
        self._checkpointer.shutdown(wait=True)


def _open(path: str, *extra_pragmas: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=30000",
        *extra_pragmas,
    ):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def log_store(engine: AsyncEngine) -> LogStore:
    return SqliteLogStore(engine) if engine.dialect.name == "sqlite" else SqlAlchemyLogStore(engine)
