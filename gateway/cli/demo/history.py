"""The demo's past: weeks of exchanges written into an empty log, so the dashboard has a trend to show.

The records are synthetic but real log records: chained, rolled up and verifiable like any other, and marked
with request ids `demo-history-*`. Departments join the platform on different days; a few have gone quiet.
"""

import asyncio
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from contracts.document import Kind
from gateway.exchange.directory import Route
from gateway.exchangelog.models import Exchange, ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from gateway.exchangelog.rollups import Delivery
from gateway.runtime import GatewayRuntime
from registry.demo.backdate import backdate_registry
from registry.storage import utcnow

DAYS = 45
CHUNK = 512
BULK_WRITE_TIMEOUT = 120.0
_FAILURES = (
    (Outcome.CLIENT_ERROR, 422, "request-invalid"),
    (Outcome.REJECTED, 429, "rate-limited"),
    (Outcome.PROVIDER_ERROR, 502, "provider-error"),
    (Outcome.TIMEOUT, 504, "timeout"),
)


@dataclass(frozen=True)
class Consumer:
    client_id: str
    agency: str


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def active_days(address: str) -> range:
    """Days ago on which an address had traffic: most joined weeks ago; one in seven has gone quiet."""
    joined = 6 + _stable(address) % (DAYS - 8)
    if _stable("quiet:" + address) % 7 == 0:
        return range(DAYS, 34, -1)
    return range(joined, 0, -1)


async def log_is_empty(runtime: GatewayRuntime) -> bool:
    async with runtime.engine.connect() as connection:
        return (await connection.execute(select(Exchange.id).limit(1))).first() is None  # type: ignore[call-overload]


def _service_day(
    route: Route, day: datetime, consumers: list[Consumer], rng: random.Random, instance: str
) -> list[ExchangeRecord]:
    records = []
    for _ in range(rng.randint(15, 90)):
        consumer = rng.choice(consumers)
        received = day + timedelta(seconds=rng.uniform(7 * 3600, 18 * 3600))  # office hours, Vietnam time
        duration = timedelta(milliseconds=rng.lognormvariate(3.6, 0.6))
        roll = rng.random()
        outcome, status, error = (Outcome.OK, 200, None) if roll > 0.05 else rng.choice(_FAILURES)
        record = ExchangeRecord(
            id=new_exchange_id(), kind=ExchangeKind.SERVICE, instance=instance, received_at=received,
            outcome=outcome, consumer_agency=consumer.agency, client_id=consumer.client_id,
            provider_agency=route.agency, address=route.address, database_id=route.database_id,
            contract_version=route.version, request_id=f"demo-history-{rng.getrandbits(40):010x}",
            completed_at=received + duration, http_status=status, error_type=error,
            request_size=rng.randint(60, 200),
        )  # fmt: skip
        if outcome is not Outcome.CLIENT_ERROR and outcome is not Outcome.REJECTED:
            record.sent_at = received + timedelta(milliseconds=2)
        if outcome is Outcome.OK:
            record.replied_at = record.completed_at
            record.response_size = rng.randint(300, 1500)
        records.append(record)
    return records


def _share(
    route: Route, day: datetime, rng: random.Random, instance: str, sharer: Consumer
) -> ExchangeRecord:
    received = day + timedelta(seconds=rng.uniform(1 * 3600, 5 * 3600))
    return ExchangeRecord(
        id=new_exchange_id(), kind=ExchangeKind.SHARE, instance=instance, received_at=received, outcome=Outcome.OK,
        consumer_agency=sharer.agency, client_id=sharer.client_id, provider_agency=route.agency,
        address=route.address, database_id=route.database_id, contract_version=route.version,
        request_id=f"demo-history-{rng.getrandbits(40):010x}", sent_at=received + timedelta(milliseconds=5),
        completed_at=received + timedelta(milliseconds=40), http_status=202, record_count=rng.randint(20, 500),
        request_size=rng.randint(10_000, 200_000),
    )  # fmt: skip


async def backfill(runtime: GatewayRuntime, consumers: dict[str, list[Consumer]], sharer: Consumer) -> int:
    """Write the demo's history into an empty log; returns how many exchanges it wrote (0 if not empty)."""
    if not await log_is_empty(runtime):
        return 0
    rng = random.Random(2025)
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(hours=7)  # Vietnam day
    records: list[ExchangeRecord] = []
    for address in sorted(runtime.directory.routes):
        route = runtime.directory.routes[address]
        for days_ago in active_days(address):
            day = midnight - timedelta(days=days_ago)
            if route.kind is Kind.SERVICE and consumers.get(address):
                records.extend(
                    _service_day(route, day, consumers[address], rng, runtime.settings.instance_id)
                )
            elif route.kind is Kind.DATASET and days_ago % 2 == 0:
                records.append(_share(route, day, rng, runtime.settings.instance_id, sharer))
    records.sort(key=lambda record: record.completed_at or record.received_at)
    published = {
        address: midnight - timedelta(days=max(active_days(address))) for address in runtime.directory.routes
    }
    async with runtime.sessionmaker() as session:
        await backdate_registry(session, midnight - timedelta(days=DAYS + 14), published)
    await runtime.directory.refresh()
    writer = runtime.writer
    # a bulk seed may wait on a busy database longer than an exchange should: the hot path's write timeout
    # (seconds) failed the demo's start on a loaded machine
    hot_path_timeout = writer.write_timeout
    writer.write_timeout = max(hot_path_timeout, BULK_WRITE_TIMEOUT)
    try:
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            await asyncio.gather(*(writer.close(record, opened=False) for record in chunk))
        deliveries = [
            Delivery(r.id, r.database_id, (r.completed_at or r.received_at) + timedelta(seconds=3),
                     r.record_count or 0, "kho-dung-chung")
            for r in records
            if r.kind == ExchangeKind.SHARE
        ]  # fmt: skip
        for start in range(0, len(deliveries), CHUNK):
            await asyncio.gather(*(writer.deliver(d) for d in deliveries[start : start + CHUNK]))
    finally:
        writer.write_timeout = hot_path_timeout
    return len(records)
