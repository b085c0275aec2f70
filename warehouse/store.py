"""The warehouse store: SQLAlchemy Core on SQLite (aiosqlite) or PostgreSQL (asyncpg), one table per dataset.

A batch is applied in one transaction: its exchange id is recorded in `warehouse_batch` first, so a batch seen
before changes nothing, then its records are upserted by key. A stored record is replaced only by a record
shared at the same time or later, so batches applied out of order (Kafka partitions, concurrent handlers)
still leave the newest record.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Insert, Table, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.schema import CreateIndex, CreateTable

from contracts.addresses import Address
from warehouse.batch import Batch
from warehouse.deadletters import DeadLetters
from warehouse.tables import (
    batches_table,
    dataset_table,
    datasets_table,
    key_columns,
    metadata,
    table_name,
)

_REPLACED = ("record", "exchange_id", "version", "shared_at", "updated_at")


@dataclass(frozen=True, slots=True)
class Applied:
    exchange_id: str
    records: int
    """Records the batch delivered (those with a key), now or when it was first applied."""
    duplicate: bool


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    address: str
    table: str
    rows: int
    last_update: datetime | None


def create_engine(url: str) -> AsyncEngine:
    """An engine for the warehouse URL; a SQLite file's directory is created."""
    options: dict[str, Any] = {"json_serializer": lambda value: orjson.dumps(value).decode()}
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **options)
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # `lgsp warehouse status` reads beside the sink
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


class WarehouseStore:
    def __init__(self, engine: AsyncEngine, *, owns_engine: bool = False) -> None:
        self.engine = engine
        self._owns_engine = owns_engine
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"the warehouse runs on SQLite or PostgreSQL, not {dialect}")
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # SQLite has one writer at a time: queue writers here instead of meeting "database is locked".
        self._write_lock: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if dialect == "sqlite" else contextlib.nullcontext()
        )
        self._tables: dict[str, Table] = {}
        self.dead_letters = DeadLetters(engine, self._insert)
        self._upserts: dict[str, Insert] = {}
        self._creating = asyncio.Lock()

    @classmethod
    async def open(cls, url: str) -> "WarehouseStore":
        """A store on its own engine for `url`, its tables ready; `close()` disposes of the engine."""
        store = cls(create_engine(url), owns_engine=True)
        try:
            await store.prepare()
        except BaseException:
            await store.close()
            raise
        return store

    async def prepare(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    async def close(self) -> None:
        if self._owns_engine:
            await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        async with self._write_lock, self.engine.begin() as connection:
            yield connection

    # writing

    async def apply(self, batch: Batch) -> Applied:
        """Record the batch and upsert its records in one transaction; a batch seen before changes nothing."""
        table = await self._dataset(batch.address, batch.key)
        now = datetime.now(UTC)
        async with self._writing() as connection:
            claimed = await connection.scalar(
                self._insert(batches_table)
                .values(
                    exchange_id=batch.exchange_id,
                    address=str(batch.address),
                    records=len(batch.records),
                    shared_at=batch.shared_at,
                    applied_at=now,
                )
                .on_conflict_do_nothing()
                .returning(batches_table.c.exchange_id)
            )
            if claimed is None:
                records = await connection.scalar(
                    select(batches_table.c.records).where(batches_table.c.exchange_id == batch.exchange_id)
                )
                return Applied(batch.exchange_id, int(records or 0), duplicate=True)
            if batch.records:
                columns = [column.name for column in table.primary_key.columns]
                common: dict[str, Any] = {
                    "exchange_id": batch.exchange_id,
                    "version": batch.version,
                    "shared_at": batch.shared_at,
                    "updated_at": now,
                }
                rows = [
                    {**dict(zip(columns, key, strict=True)), "record": record, **common}
                    for key, record in batch.records.items()
                ]
                await connection.execute(self._upsert(table), rows)
        return Applied(batch.exchange_id, len(batch.records), duplicate=False)

    def _upsert(self, table: Table) -> Insert:
        statement = self._upserts.get(table.name)
        if statement is None:
            insert = self._insert(table)
            statement = insert.on_conflict_do_update(
                index_elements=list(table.primary_key.columns),
                set_={name: insert.excluded[name] for name in _REPLACED},
                where=table.c.shared_at <= insert.excluded.shared_at,
            )
            self._upserts[table.name] = statement
        return statement

    async def _dataset(self, address: Address, key: tuple[str, ...]) -> Table:
        """The table of a dataset major, created on first use (by this or another sink instance)."""
        table = await self._known_table(str(address))
        if table is not None:
            return table
        async with self._creating:
            if (table := await self._known_table(str(address))) is not None:
                return table
            table = dataset_table(table_name(address), key_columns(key))
            for attempt in range(3):
                try:
                    await self._create(table, address, key)
                    break
                except DBAPIError:
                    # PostgreSQL: another instance's CREATE TABLE IF NOT EXISTS committed between check and create.
                    if attempt == 2:
                        raise
            self._tables[str(address)] = table
            return table

    async def _create(self, table: Table, address: Address, key: tuple[str, ...]) -> None:
        async with self._writing() as connection:
            await connection.execute(CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                await connection.execute(CreateIndex(index, if_not_exists=True))
            await connection.execute(
                self._insert(datasets_table)
                .values(
                    address=str(address), table_name=table.name, key=list(key), created_at=datetime.now(UTC)
                )
                .on_conflict_do_nothing()
            )

    async def _known_table(self, address: str) -> Table | None:
        if (table := self._tables.get(address)) is not None:
            return table
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(datasets_table.c.table_name, datasets_table.c.key).where(
                        datasets_table.c.address == address
                    )
                )
            ).first()
        if row is None:
            return None
        table = dataset_table(row.table_name, key_columns(row.key))
        self._tables[address] = table
        return table

    # reading

    async def count(self, address: Address | str) -> int:
        """How many records the dataset holds (0 for a dataset never shared)."""
        table = await self._known_table(str(address))
        if table is None:
            return 0
        async with self.engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table)) or 0)

    async def records(self, address: Address | str, limit: int = 100) -> list[dict[str, Any]]:
        """Up to `limit` records of the dataset, in key order."""
        table = await self._known_table(str(address))
        if table is None:
            return []
        statement = select(table.c.record).order_by(*table.primary_key.columns).limit(limit)
        async with self.engine.connect() as connection:
            return [row.record for row in await connection.execute(statement)]

    async def datasets(self) -> list[DatasetSummary]:
        """Each dataset in the warehouse with its row count and last update, by address."""
        async with self.engine.connect() as connection:
            known = (
                await connection.execute(select(datasets_table).order_by(datasets_table.c.address))
            ).all()
            summaries = []
            for row in known:
                table = self._tables.get(row.address)
                if table is None:
                    table = dataset_table(row.table_name, key_columns(row.key))
                rows, last = (
                    await connection.execute(
                        select(func.count(), func.max(table.c.updated_at)).select_from(table)
                    )
                ).one()
                summaries.append(DatasetSummary(row.address, row.table_name, int(rows), last))
        return summaries
