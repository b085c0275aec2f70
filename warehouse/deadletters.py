"""Dead letters: share batches the sink could not store after its retries, kept whole with their reason.

A dead letter holds the signed envelope as the gateway sent it, so re-driving it (`lgsp warehouse redrive`, or
`POST /api/v1/warehouse/dead-letters/{id}/redrive`) puts it back on its topic unchanged and the sink checks it
again like any batch.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import Envelope, envelope_document, envelope_from_document
from warehouse.tables import dead_letters_table


@dataclass(frozen=True, slots=True)
class DeadLetter:
    exchange_id: str
    topic: str
    address: str | None
    reason: str
    attempts: int
    failed_at: datetime
    envelope: Envelope

    def public(self) -> dict[str, Any]:
        """What the API shows: never the batch's records."""
        return {
            "exchange_id": self.exchange_id, "topic": self.topic, "address": self.address, "reason": self.reason,
            "attempts": self.attempts, "failed_at": self.failed_at.isoformat(),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeadLetterCount:
    """Dead letters of one dataset: how many, and since when (what the public dashboard may show)."""

    address: str | None
    batches: int
    oldest: datetime


class DeadLetters:
    def __init__(self, engine: AsyncEngine, insert: Any) -> None:
        self._engine = engine
        self._insert = insert  # the dialect's INSERT (for ON CONFLICT)

    async def put(self, topic: str, envelope: Envelope, reason: str, attempts: int) -> None:
        """Keep the batch; a batch dead-lettered again replaces its earlier entry."""
        values = {
            "exchange_id": envelope.id[:64], "topic": topic, "address": (envelope.subject or "")[:200] or None,
            "envelope": envelope_document(envelope), "reason": reason[:2000], "attempts": attempts,
            "failed_at": datetime.now(UTC),
        }  # fmt: skip
        statement = self._insert(dead_letters_table).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["exchange_id"], set_={k: v for k, v in values.items() if k != "exchange_id"}
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def counts(self) -> list[DeadLetterCount]:
        table = dead_letters_table.c
        query = (
            select(table.address, func.count(), func.min(table.failed_at))
            .group_by(table.address)
            .order_by(func.min(table.failed_at))
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [DeadLetterCount(address, batches, _aware(oldest)) for address, batches, oldest in rows]

    async def list(self, limit: int = 100) -> list[DeadLetter]:
        query = select(dead_letters_table).order_by(dead_letters_table.c.failed_at).limit(limit)
        async with self._engine.connect() as connection:
            return [self._of(row) for row in (await connection.execute(query)).mappings()]

    async def get(self, exchange_id: str) -> DeadLetter | None:
        query = select(dead_letters_table).where(dead_letters_table.c.exchange_id == exchange_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return None if row is None else self._of(row)

    async def remove(self, exchange_id: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(dead_letters_table).where(dead_letters_table.c.exchange_id == exchange_id)
            )

    @staticmethod
    def _of(row: Any) -> DeadLetter:
        return DeadLetter(
            exchange_id=row["exchange_id"], topic=row["topic"], address=row["address"], reason=row["reason"],
            attempts=row["attempts"], failed_at=row["failed_at"], envelope=envelope_from_document(row["envelope"]),
        )  # fmt: skip


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives it back naive
