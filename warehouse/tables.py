"""The warehouse's tables: one per dataset major version, plus the datasets and the batches applied.

A dataset table holds one row per record key: the key column(s) as the text primary key, the record as JSON
(JSONB on PostgreSQL), the exchange that last wrote it, the contract version, when the gateway shared that
batch (`shared_at`, which orders concurrent updates) and when the warehouse wrote it (`updated_at`).
"""

import hashlib
import re
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB

from contracts.addresses import Address

MAX_IDENTIFIER = 63  # PostgreSQL's limit; SQLite has none
FIXED_COLUMNS = frozenset({"record", "exchange_id", "version", "shared_at", "updated_at"})
_SAFE_COLUMN = re.compile(r"^[a-z][a-z0-9_]*$")

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone: it is restored on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _shortened(name: str, identity: str) -> str:
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha256(identity.encode()).hexdigest()[:10]
    return f"{name[: MAX_IDENTIFIER - len(digest) - 1]}_{digest}"


def table_name(address: Address) -> str:
    """`H50.20/thua-dat/v1` → `wh_h50_20__thua_dat__v1`, hashed at the end when longer than 63 characters.

    Agency codes have no `_` and codes no `_` or double `-`, so `__` separates the parts unambiguously.
    """
    agency = address.agency.lower().replace(".", "_")
    return _shortened(f"wh_{agency}__{address.code.replace('-', '_')}__v{address.major}", str(address))


def key_columns(key: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A column name for each key property: the property itself when it is a plain identifier."""
    columns = []
    for index, prop in enumerate(key):
        if _SAFE_COLUMN.match(prop) and prop not in FIXED_COLUMNS and len(prop) <= MAX_IDENTIFIER:
            columns.append(prop)
        else:
            plain = re.sub(r"[^a-z0-9_]", "_", prop.lower())[:40]
            columns.append(
                _shortened(f"key{index}_{plain}_{hashlib.sha256(prop.encode()).hexdigest()[:8]}", prop)
            )
    return tuple(columns)


metadata = MetaData()

datasets_table = Table(
    "warehouse_dataset",
    metadata,
    Column("address", String(120), primary_key=True),
    Column("table_name", String(MAX_IDENTIFIER), nullable=False, unique=True),
    Column("key", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

batches_table = Table(
    "warehouse_batch",
    metadata,
    Column("exchange_id", String(64), primary_key=True),
    Column("address", String(120), nullable=False),
    Column("records", Integer, nullable=False),
    Column("shared_at", UTCDateTime, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)


def dataset_table(name: str, columns: tuple[str, ...]) -> Table:
    """The table of one dataset major, on its own MetaData (created on demand, never by `create_all`)."""
    return Table(
        name,
        MetaData(),
        *(Column(column, Text, primary_key=True) for column in columns),
        Column("record", JSONDocument, nullable=False),
        Column("exchange_id", String(64), nullable=False),
        Column("version", String(64)),
        Column("shared_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Index(_shortened(f"{name}_updated_at", f"{name}.updated_at"), "updated_at"),
    )


dead_letters_table = Table(
    "warehouse_dead_letter",
    metadata,
    Column("exchange_id", String(64), primary_key=True),
    Column("topic", Text, nullable=False),
    Column("address", String(200)),
    Column("envelope", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
)
"""Batches the sink could not store after its retries: kept whole (the signed envelope) with why, to re-drive."""
