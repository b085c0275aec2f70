"""Coverage cost against the size of the exchange log: a million logged exchanges over ~100 databases of 30
departments and 90 days, then `GET /api/v1/coverage` (and its trend, the dashboard, the health report) timed
through the in-process app. Coverage reads the registry and the daily rollups only, so its time should follow
the number of databases, not the million rows.

Run from the repository root: python -m benchmarks.coverage [--exchanges N] [--postgres | --database-url URL]
(default: a temporary SQLite file; --postgres starts a throwaway PostgreSQL cluster as the tests do).
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.exchangelog.models import Exchange, ExchangeRollup, ShareDelivery
from gateway.exchangelog.rollups import rollup_day
from gateway.settings import Settings
from registry.agencies.models import Agency
from registry.contracts.models import ContractVersion, Endpoint
from registry.databases.models import Database
from registry.storage import utcnow

CHUNK = 20_000
SPAN_DAYS = 90
TABLES = {
    "agency": Agency.__table__,  # type: ignore[attr-defined]
    "database": Database.__table__,  # type: ignore[attr-defined]
    "endpoint": Endpoint.__table__,  # type: ignore[attr-defined]
    "version": ContractVersion.__table__,  # type: ignore[attr-defined]
    "exchange": Exchange.__table__,  # type: ignore[attr-defined]
    "delivery": ShareDelivery.__table__,  # type: ignore[attr-defined]
    "rollup": ExchangeRollup.__table__,  # type: ignore[attr-defined]
}


@dataclass
class Tally:
    count: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class Source:
    database_id: int
    agency: str
    address: str
    kind: str
    days: int  # active over the last `days` days


async def seed_registry(engine: AsyncEngine, agencies: int, databases: int, now: datetime) -> list[Source]:
    """Departments H50.1..n, databases spread over them; most with a contract, some retired or idle."""
    long_ago = now - timedelta(days=400)
    rng = random.Random(7)
    sources = []
    async with engine.begin() as connection:
        await connection.execute(
            TABLES["agency"].insert(),
            [
                {"code": f"H50.{n}", "name": f"Sở số {n}", "tier": "department", "parent_code": "H50",
                 "created_at": long_ago, "updated_at": long_ago}
                for n in range(1, agencies + 1)
            ],
        )  # fmt: skip
        for number in range(1, databases + 1):
            agency = f"H50.{1 + (number - 1) % agencies}"
            retired = now - timedelta(days=rng.randint(1, 60)) if number % 23 == 0 else None
            database_id = (
                await connection.execute(
                    TABLES["database"].insert().returning(TABLES["database"].c.id),
                    {"agency_code": agency, "code": f"csdl-{number}", "name": f"CSDL số {number}",
                     "description": "", "status": "retired" if retired else "active", "created_at": long_ago,
                     "updated_at": long_ago, "retired_at": retired},
                )
            ).scalar_one()  # fmt: skip
            if number % 10 == 0:
                continue  # registered, no contract: never connected
            kind = "dataset" if number % 2 == 0 else "service"
            endpoint_id = (
                await connection.execute(
                    TABLES["endpoint"].insert().returning(TABLES["endpoint"].c.id),
                    {"kind": kind, "agency_code": agency, "code": f"dich-vu-{number}", "major": 1,
                     "database_id": database_id, "capture_payloads": False, "created_at": long_ago},
                )
            ).scalar_one()  # fmt: skip
            await connection.execute(
                TABLES["version"].insert(),
                {"endpoint_id": endpoint_id, "version": "1.0.0", "title": f"Dịch vụ {number}",
                 "classification": "internal", "compatibility": "backward", "status": "active", "document": {},
                 "sha256": "0" * 64, "created_at": long_ago, "created_by": "benchmark"},
            )  # fmt: skip
            active_days = rng.choice((90, 90, 90, 60, 45, 20, 7)) if number % 7 else 0
            if active_days:
                address = f"{agency}/dich-vu-{number}/v1"
                sources.append(
                    Source(
                        database_id, agency, address, "share" if kind == "dataset" else "service", active_days
                    )
                )
    return sources


def _uuid7(moment: datetime, rng: random.Random) -> str:
    """Ids ordered by time, as the gateway's (RFC 9562 UUIDv7)."""
    millis = int(moment.timestamp() * 1000)
    return str(
        uuid.UUID(
            int=(millis << 80)
            | (0x7 << 76)
            | (rng.getrandbits(12) << 64)
            | (0b10 << 62)
            | rng.getrandbits(62)
        )
    )


def exchange_rows(sources: list[Source], count: int, now: datetime, rng: random.Random) -> Any:
    """Batches of (exchange rows, deliveries) and the rollup tallies, as the log writer would have kept them."""
    rollups: dict[tuple[int, date, str], Tally] = {}
    chunks = -(-count // CHUNK)
    span = timedelta(days=SPAN_DAYS) / chunks
    produced = 0
    for chunk in range(chunks):
        # The log is appended in time order: each chunk is the next slice of the 90 days, sorted.
        size = min(CHUNK, count - produced)
        opens = now - timedelta(days=SPAN_DAYS) + span * chunk
        active = [s for s in sources if now - opens <= timedelta(days=s.days)] or sources
        times = sorted(opens + span * rng.random() for _ in range(size))
        exchanges, deliveries = [], []
        for completed in times:
            source = rng.choice(active)
            received = completed - timedelta(milliseconds=rng.uniform(5, 400))
            ok = rng.random() < (0.96 if source.kind == "service" else 1.0)
            exchange_id = _uuid7(completed, rng)
            exchanges.append(
                {"id": exchange_id, "kind": source.kind, "instance": "bench", "consumer_agency": "H50.1",
                 "client_id": "bench", "provider_agency": source.agency, "address": source.address,
                 "database_id": source.database_id, "received_at": received, "completed_at": completed,
                 "outcome": "ok" if ok else "timeout", "http_status": (202 if source.kind == "share" else 200)
                 if ok else 504, "request_size": rng.randint(100, 3000), "response_size": rng.randint(200, 9000)}
            )  # fmt: skip
            moment = None
            if source.kind == "service" and ok:
                moment = completed
            elif source.kind == "share" and rng.random() < 0.97:
                moment = completed + timedelta(milliseconds=rng.uniform(20, 900))
                if moment <= now:
                    deliveries.append(
                        {
                            "exchange_id": exchange_id,
                            "delivered_at": moment,
                            "records": 50,
                            "warehouse": "kho",
                        }
                    )
                else:
                    moment = None
            if moment is not None:
                key = (source.database_id, rollup_day(moment), source.kind)
                tally = rollups.get(key)
                if tally is None:
                    rollups[key] = Tally(1, moment, moment)
                else:
                    tally.count += 1
                    tally.first, tally.last = min(tally.first, moment), max(tally.last, moment)
        produced += size
        yield exchanges, deliveries, None
    yield [], [], rollups


async def seed_log(engine: AsyncEngine, sources: list[Source], count: int, now: datetime) -> int:
    rng = random.Random(11)
    rollup_rows = 0
    for exchanges, deliveries, rollups in exchange_rows(sources, count, now, rng):
        async with engine.begin() as connection:
            if exchanges:
                await connection.execute(TABLES["exchange"].insert(), exchanges)
            if deliveries:
                await connection.execute(TABLES["delivery"].insert(), deliveries)
            if rollups:
                rows = [
                    {"database_id": d, "day": day, "kind": kind, "count": t.count, "first_at": t.first,
                     "last_at": t.last}
                    for (d, day, kind), t in rollups.items()
                ]  # fmt: skip
                await connection.execute(TABLES["rollup"].insert(), rows)
                rollup_rows = len(rows)
    return rollup_rows


async def timed(http: httpx.AsyncClient, path: str, calls: int, **params: Any) -> tuple[float, float]:
    for _ in range(2):  # warm caches and the connection pool
        response = await http.get(path, params=params)
        response.raise_for_status()
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        response = await http.get(path, params=params)
        durations.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return statistics.median(durations), max(durations)


async def main(arguments: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="lgsp-bench-"))
    url = arguments.database_url or f"sqlite+aiosqlite:///{data / 'lgsp.db'}"
    server = None
    if arguments.postgres:
        from tests.services import start_postgres

        server = start_postgres()
        url = server.url()
    try:
        await measure(arguments, url, data)
    finally:
        if server is not None:
            server.stop()


async def measure(arguments: argparse.Namespace, url: str, data: Path) -> None:
    settings = Settings(
        database_url=url, data_dir=data, admin_client_id="bench", admin_client_secret="bench-secret",  # type: ignore[arg-type]
        secret_hash_time_cost=1, secret_hash_memory_kib=1024,
    )  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        engine: AsyncEngine = app.state.runtime.engine
        now = utcnow()
        started = time.perf_counter()
        sources = await seed_registry(engine, arguments.agencies, arguments.databases, now)
        rollups = await seed_log(engine, sources, arguments.exchanges, now)
        print(
            f"seeded {arguments.exchanges:,} exchanges, {rollups:,} rollup rows, {arguments.databases} databases "
            f"of {arguments.agencies} departments over 90 days on {engine.dialect.name} "
            f"in {time.perf_counter() - started:.0f} s"
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            token = (
                await http.post(
                    "/oauth/token", data={"grant_type": "client_credentials"}, auth=("bench", "bench-secret")
                )
            ).json()["access_token"]
            report = (await http.get("/api/v1/coverage")).json()
            print(
                f"coverage now: agencies {report['agency_coverage']['covered']}/{report['agency_coverage']['total']}, "
                f"databases {report['database_coverage']['covered']}/{report['database_coverage']['total']} sharing, "
                f"{report['databases']['connected']} connected"
            )
            print(f"{'request':<44} {'p50 ms':>8} {'max ms':>8}   ({arguments.calls} calls each)")
            for label, path, params in (
                ("GET /api/v1/coverage", "/api/v1/coverage", {}),
                ("GET /api/v1/coverage?at=<45 days ago>", "/api/v1/coverage", {"at": (now - timedelta(days=45)).isoformat()}),
                ("GET /api/v1/coverage.csv", "/api/v1/coverage.csv", {}),
                ("GET /api/v1/coverage/trend?days=30", "/api/v1/coverage/trend", {"days": 30}),
                ("GET /metrics", "/metrics", {}),
                ("GET /dashboard", "/dashboard", {}),
            ):  # fmt: skip
                p50, worst = await timed(http, path, arguments.calls, **params)
                print(f"{label:<44} {p50:>8.1f} {worst:>8.1f}")
            http.headers["Authorization"] = f"Bearer {token}"
            p50, worst = await timed(http, "/api/v1/health/services", max(3, arguments.calls // 4))
            print(f"{'GET /api/v1/health/services (24 h of log)':<44} {p50:>8.1f} {worst:>8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=1_000_000)
    parser.add_argument("--databases", type=int, default=100)
    parser.add_argument("--agencies", type=int, default=30)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--postgres", action="store_true", help="start a throwaway PostgreSQL and measure there"
    )
    asyncio.run(main(parser.parse_args()))
