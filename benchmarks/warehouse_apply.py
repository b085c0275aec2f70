"""How many shared records per second the warehouse store applies (parse, key, upsert in one transaction).

Run from the repository root: python -m benchmarks.warehouse_apply [WAREHOUSE_URL]
(default: a temporary SQLite file; give a postgresql+asyncpg:// URL to measure PostgreSQL).
"""

import asyncio
import sys
import tempfile
import time
import uuid

import orjson

from contracts.addresses import Address
from contracts.envelope import utc_now
from warehouse.batch import parse_batch
from warehouse.store import WarehouseStore

ADDRESS = Address.parse("H50.20/thua-dat/v1")


def batch_data(size: int, offset: int) -> bytes:
    records = [
        {"parcel_id": f"19234-1-{n}", "commune_code": "19234", "area_m2": 100.0 + n, "land_use": "ONT"}
        for n in range(offset, offset + size)
    ]
    return orjson.dumps({"records": records})


async def measure(url: str, size: int, batches: int, distinct: bool) -> None:
    store = await WarehouseStore.open(url)
    try:
        payloads = [batch_data(size, n * size if distinct else 0) for n in range(batches)]
        started = time.perf_counter()
        for data in payloads:
            batch = parse_batch(
                str(uuid.uuid4()), ADDRESS, data, key=("parcel_id",), version="1.0.0", time=utc_now()
            )
            await store.apply(batch)
        elapsed = time.perf_counter() - started
    finally:
        await store.close()
    label = f"{batches} batches of {size} ({'new keys' if distinct else 'same keys'})"
    print(
        f"{label:<44} {batches * size / elapsed:>10,.0f} records/s  {elapsed / batches * 1000:>8.2f} ms/batch"
    )


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite+aiosqlite:///{directory}/warehouse.db"
        print(url.split("@")[-1])
        await measure(url, 1, 200, distinct=True)
        await measure(url, 100, 50, distinct=True)
        await measure(url, 1000, 10, distinct=True)
        await measure(url, 1000, 10, distinct=False)


if __name__ == "__main__":
    asyncio.run(main())
