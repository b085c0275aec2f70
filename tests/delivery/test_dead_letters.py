"""The warehouse acknowledges a share only once it is stored: failures are retried, then kept as dead letters
with their reason, listed to admins and re-driven."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from bus import InProcessBus
from gateway.platform import published_datasets
from tests.harness import Harness, gateway_settings, parcel, running_gateway
from tests.warehouse.test_warehouse import Department, wait_until
from warehouse import WarehouseSink, WarehouseStore
from warehouse.batch import Batch
from warehouse.store import Applied


@dataclass
class FlakyStore:
    """The real store, failing its writes while `failing` is set."""

    store: WarehouseStore
    failing: bool = True
    failures: int = 0

    def __post_init__(self) -> None:
        self._apply = self.store.apply
        self.store.apply = self.apply  # type: ignore[method-assign]

    async def apply(self, batch: Batch) -> Applied:
        if self.failing:
            self.failures += 1
            raise OperationalError("INSERT INTO warehouse_batch", {}, Exception("disk I/O error"))
        return await self._apply(batch)


@asynccontextmanager
async def scene(
    database_url: str, tmp_path: Path, attempts: int
) -> AsyncIterator[tuple[Department, WarehouseSink, FlakyStore]]:
    bus = InProcessBus("gw")
    await bus.start()
    try:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path, warehouse_url=database_url
        )
        async with running_gateway(settings, bus=bus) as gateway:
            department = Department(gateway=gateway)
            await department.join()
            runtime = gateway.app.state.runtime
            store = await WarehouseStore.open(database_url)
            flaky = FlakyStore(store)
            sink = WarehouseSink(
                bus, store, keys=lambda: runtime.keyring.envelopes.key_set, catalogue=published_datasets(runtime),
                store_attempts=attempts, retry_delay=0.01, max_retry_delay=0.05, owns_store=True,
            )  # fmt: skip
            await sink.start()
            try:
                yield department, sink, flaky
            finally:
                await sink.stop()
    finally:
        await bus.stop()


async def dead_letters(gateway: Harness, **headers: Any) -> Any:
    return await gateway.http.get("/api/v1/warehouse/dead-letters", headers=headers or await gateway.admin())


class TestRetriedThenStored:
    async def test_a_short_outage_delays_the_acknowledgement_only(
        self, database_url: str, tmp_path: Path
    ) -> None:
        async with scene(database_url, tmp_path, attempts=1000) as (department, sink, flaky):
            exchange_id = await department.share([parcel(1)])
            await wait_until(lambda: flaky.failures >= 3)
            assert not await department.delivered(exchange_id)  # not stored: not acknowledged
            flaky.failing = False
            await wait_until(lambda: department.delivered(exchange_id))
            assert await sink.store.count(department.address) == 1
            assert sink.stats.dead_letters == 0


class TestDeadLetters:
    async def test_kept_with_reason_listed_to_admins_and_redriven(
        self, database_url: str, tmp_path: Path
    ) -> None:
        async with scene(database_url, tmp_path, attempts=3) as (department, sink, flaky):
            gateway = department.gateway
            exchange_id = await department.share([parcel(1), parcel(2)])
            await wait_until(lambda: sink.stats.dead_letters == 1)
            assert flaky.failures == 3
            assert not await department.delivered(exchange_id)

            listed = await dead_letters(gateway)
            assert listed.status_code == 200, listed.text
            [letter] = listed.json()
            assert letter["exchange_id"] == exchange_id
            assert letter["attempts"] == 3
            assert "disk I/O error" in letter["reason"]
            assert "19234-1-1" not in listed.text  # never the records
            refused = await dead_letters(gateway, **department.headers)
            assert refused.status_code == 403

            flaky.failing = False
            redriven = await gateway.http.post(
                f"/api/v1/warehouse/dead-letters/{exchange_id}/redrive", headers=await gateway.admin()
            )
            assert redriven.status_code == 202, redriven.text
            await wait_until(lambda: department.delivered(exchange_id))
            assert await sink.store.count(department.address) == 2
            assert (await dead_letters(gateway)).json() == []

    async def test_redriving_an_unknown_one_is_a_404_problem(self, database_url: str, tmp_path: Path) -> None:
        async with scene(database_url, tmp_path, attempts=3) as (department, _sink, _flaky):
            gateway = department.gateway
            response = await gateway.http.post(
                "/api/v1/warehouse/dead-letters/nope/redrive", headers=await gateway.admin()
            )
            assert response.status_code == 404
            assert response.headers["content-type"].startswith("application/problem+json")


class TestDeadLettersOnTheDashboard:
    async def test_the_public_dashboard_counts_them_per_dataset_without_reasons_or_records(
        self, database_url: str, tmp_path: Path
    ) -> None:
        async with scene(database_url, tmp_path, attempts=2) as (department, sink, _flaky):
            await department.share([parcel(1)])
            await wait_until(lambda: sink.stats.dead_letters == 1)

            page = await department.gateway.http.get("/dashboard", params={"lang": "en"})

        assert page.status_code == 200
        assert "1 share batches the warehouse could not store" in page.text
        assert f'<tr data-address="{department.address}">' in page.text
        assert "disk I/O error" not in page.text
        assert "19234-1-1" not in page.text


class TestRedriveCommand:
    async def test_without_ids_or_all_it_says_what_to_give(self) -> None:
        from tests.harness import run_cli

        result = await run_cli(["warehouse", "redrive"])
        assert result.exit_code != 0
        assert "--all" in result.output
        assert "Traceback" not in result.output
