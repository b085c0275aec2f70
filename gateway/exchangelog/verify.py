"""`lgsp log verify`: walk each instance's chain and name the first record that does not fit."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.exchangelog.chain import GENESIS, record_hash
from gateway.exchangelog.models import EXCHANGES
from gateway.exchangelog.record import FIELD_NAMES


@dataclass(frozen=True)
class ChainBreak:
    instance: str
    seq: int
    exchange_id: str
    reason: str


@dataclass
class VerifyReport:
    checked: int = 0
    instances: list[str] = field(default_factory=list)
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


async def _chain(engine: AsyncEngine, instance: str, page: int) -> AsyncIterator[dict[str, object]]:
    after = 0
    columns = [EXCHANGES.c[name] for name in FIELD_NAMES]
    while True:
        async with engine.connect() as connection:
            rows = (
                (
                    await connection.execute(
                        select(*columns)
                        .where(EXCHANGES.c.instance == instance, EXCHANGES.c.seq > after)
                        .order_by(EXCHANGES.c.seq)
                        .limit(page)
                    )
                )
                .mappings()
                .all()
            )
        if not rows:
            return
        for row in rows:
            yield dict(row)
        after = int(rows[-1]["seq"])


async def verify_log(engine: AsyncEngine, *, page: int = 5000) -> VerifyReport:
    report = VerifyReport()
    async with engine.connect() as connection:
        instances = (
            (
                await connection.execute(
                    select(EXCHANGES.c.instance).where(EXCHANGES.c.seq.is_not(None)).distinct()
                )
            )
            .scalars()
            .all()
        )
    report.instances = sorted(instances)
    for instance in report.instances:
        expected_seq, previous = 1, GENESIS
        async for row in _chain(engine, instance, page):
            report.checked += 1
            seq, exchange_id = int(row["seq"]), str(row["id"])  # type: ignore[call-overload]
            reason = None
            if seq != expected_seq:
                reason = f"expected chain position {expected_seq}, found {seq} (a record is missing)"
            elif row["prev_hash"] != previous:
                reason = "its previous-hash does not match the record before it"
            elif record_hash(row) != row["hash"]:
                reason = "its contents do not match its hash (the record was altered)"
            if reason:
                report.breaks.append(ChainBreak(instance, seq, exchange_id, reason))
                break
            expected_seq, previous = seq + 1, str(row["hash"])
    return report
