"""Sharing a dataset through the real gateway's `POST /share/...`: in batches, on a schedule, refusals pointed.

What the gateway puts on the dataset topic is read back from its bus, as the warehouse reads it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import orjson
import pytest
from pydantic import BaseModel

from connectors.sdk import ApiProblem, Connector, ConnectorRunner, GatewayClient, GatewayKeys
from connectors.sdk.connector import NotSharing
from contracts.addresses import Address
from contracts.envelope import Envelope
from tests.connectors.conftest import eventually
from tests.harness import (
    LAND_DATASET,
    LAND_DATASET_ADDRESS,
    Harness,
    land_department,
    parcel,
    register_contract,
)


@dataclass
class Warehouse:
    """Reads the dataset topic of the gateway's bus."""

    batches: list[list[dict[str, Any]]]

    @property
    def records(self) -> list[dict[str, Any]]:
        return [record for batch in self.batches for record in batch]


@dataclass
class Department:
    harness: Harness
    client_id: str
    secret: str
    warehouse: Warehouse

    def runner(self, connector: Connector, **options: Any) -> ConnectorRunner:
        runtime = self.harness.app.state.runtime
        gateway = GatewayClient(
            "http://testserver",
            self.client_id,
            self.secret,
            transport=httpx.ASGITransport(app=self.harness.app),
        )
        return ConnectorRunner(
            connector,
            runtime.bus,
            keys=GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set),
            gateway=gateway,
            **options,
        )


@pytest.fixture
async def department(gateway: Harness) -> Department:
    """H50.20 with its land dataset registered, a connector client allowed to publish it, and a reader."""
    await land_department(gateway)
    assert (await register_contract(gateway, LAND_DATASET)).status_code == 201
    client_id, secret = await gateway.create_client("H50.20", "h50-20-connector")
    grant = {"client_id": client_id, "address": LAND_DATASET_ADDRESS, "purpose": "Chia sẻ vào kho"}
    assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
    warehouse = Warehouse([])

    async def read(envelope: Envelope) -> None:
        warehouse.batches.append(orjson.loads(envelope.data)["records"])

    bus = gateway.app.state.runtime.bus
    await bus.subscribe([Address.parse(LAND_DATASET_ADDRESS).share_topic], "test-warehouse", read)
    return Department(gateway, client_id, secret, warehouse)


def land_connector() -> Connector:
    return Connector("H50.20", "csdl-dat-dai")


class TestShareNow:
    async def test_records_go_out_in_batches_and_reach_the_dataset_topic(
        self, department: Department
    ) -> None:
        connector = land_connector()
        records = [parcel(n) for n in range(1, 6)]
        async with department.runner(connector, batch_size=2):
            report = await connector.share("thua-dat", 1, records)

        assert report.records == 5
        assert len(set(report.exchange_ids)) == 3
        await eventually(lambda: len(department.warehouse.records) == 5)
        assert [len(batch) for batch in department.warehouse.batches] == [2, 2, 1]
        assert department.warehouse.records == records

    async def test_pydantic_records_are_shared_as_json(self, department: Department) -> None:
        class Parcel(BaseModel):
            parcel_id: str
            commune_code: str
            area_m2: float
            land_use: str
            updated_at: datetime

        moment = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
        connector = land_connector()
        async with department.runner(connector):
            await connector.share("thua-dat", 1, [Parcel(**{**parcel(1), "updated_at": moment})])

        await eventually(lambda: len(department.warehouse.records) == 1)
        assert department.warehouse.records[0]["updated_at"] == "2026-11-20T01:30:00Z"

    async def test_a_refused_batch_names_the_failing_record_among_all_shared(
        self, department: Department
    ) -> None:
        connector = land_connector()
        records = [parcel(n) for n in range(1, 6)]
        records[3]["area_m2"] = -1
        async with department.runner(connector, batch_size=2):
            with pytest.raises(ApiProblem) as refused:
                await connector.share("thua-dat", 1, records)

        problem = refused.value.problem
        assert refused.value.status == 422
        assert [(e["index"], e["pointer"]) for e in problem["errors"]] == [(3, "/records/3/area_m2")]
        assert problem["first_record"] == 2  # the first batch was shared
        await eventually(lambda: len(department.warehouse.records) == 2)

    async def test_without_a_gateway_client_sharing_is_refused_with_a_reason(self) -> None:
        with pytest.raises(NotSharing, match="GatewayClient"):
            await land_connector().share("thua-dat", 1, [parcel(1)])


class TestDatasetSchedule:
    async def test_the_producer_runs_at_start_then_with_the_time_its_last_run_began(
        self, department: Department
    ) -> None:
        connector = land_connector()
        calls: list[datetime | None] = []

        @connector.dataset("thua-dat", major=1, every=timedelta(milliseconds=50))
        async def changed(since: datetime | None) -> list[dict[str, Any]]:
            calls.append(since)
            return [parcel(len(calls))]

        before = datetime.now(UTC)
        async with department.runner(connector):
            await eventually(lambda: len(calls) >= 2)
        after = datetime.now(UTC)

        assert calls[0] is None
        assert calls[1] is not None
        assert before <= calls[1] <= after
        assert all(earlier < later for earlier, later in pairwise(calls[1:]))  # type: ignore[operator]
        await eventually(lambda: len(department.warehouse.records) == len(calls))

    async def test_a_failing_run_is_tried_again_with_the_same_since(self, department: Department) -> None:
        connector = land_connector()
        calls: list[datetime | None] = []

        @connector.dataset("thua-dat", major=1, every=0.05)
        def changed(since: datetime | None) -> list[dict[str, Any]]:
            calls.append(since)
            if len(calls) == 1:
                return [{**parcel(1), "land_use": "???"}]  # refused by the gateway
            return [parcel(2)]

        async with department.runner(connector):
            await eventually(lambda: len(calls) >= 2)

        assert calls[:2] == [None, None]
        await eventually(lambda: parcel(2) in department.warehouse.records)


class TestScheduleAfterRestart:
    """A connectors process that starts again (or takes a dataset over) does not share everything again."""

    async def test_a_new_runner_waits_for_the_datasets_next_due_time(self, department: Department) -> None:
        calls: list[datetime | None] = []

        def serve_hourly() -> Connector:
            connector = land_connector()

            @connector.dataset("thua-dat", major=1, every=timedelta(hours=1))
            async def changed(since: datetime | None) -> list[dict[str, Any]]:
                calls.append(since)
                return [parcel(len(calls))]

            return connector

        async with department.runner(serve_hourly()):
            await eventually(lambda: len(calls) == 1)  # never shared: at once
        await eventually(lambda: len(department.warehouse.records) == 1)
        async with department.runner(serve_hourly()) as again:
            await eventually(lambda: all(s.runs == 0 and s.since is not None for s in again.schedules))

        assert calls == [None]

    async def test_share_now_runs_at_once_and_a_due_run_asks_for_changes_since_before_the_last_share(
        self, department: Department
    ) -> None:
        calls: list[datetime | None] = []

        def serve_every(seconds: float) -> Connector:
            connector = land_connector()

            @connector.dataset("thua-dat", major=1, every=seconds)
            async def changed(since: datetime | None) -> list[dict[str, Any]]:
                calls.append(since)
                return [parcel(len(calls))]

            return connector

        async with department.runner(serve_every(3600), share_now=True):
            await eventually(lambda: len(calls) == 1)
        async with department.runner(serve_every(3600), share_now=True):
            await eventually(lambda: len(calls) == 2)
        first_share = datetime.now(UTC)
        async with department.runner(serve_every(0.2)):
            await eventually(lambda: len(calls) == 3)

        assert calls[:2] == [None, None]
        since = calls[2]
        assert since is not None
        assert since <= first_share - timedelta(seconds=0.2)
