"""The shared data warehouse: shares reach the warehouse store by key, once, and are acknowledged.

The store runs on both backends (`database_url`); the end-to-end tests run the real gateway and the sink on the
in-process bus and on Apache Kafka. Each test shares its own dataset, so Kafka topics never carry another
test's batches.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from joserfc.jwk import ECKey

from bus import Bus, InProcessBus
from bus.errors import BusUnavailable
from connectors.sdk.client import GatewayClient
from contracts.addresses import SHARE_ACK_TOPIC, Address
from contracts.document import ContractDocument, Kind
from contracts.envelope import SHARE_RECORDS, Envelope, utc_now
from contracts.signing import MessageSigner, sign_envelope
from gateway.app import create_app
from tests.delivery.signers import register_signer, write_key_file
from tests.harness import LAND_DATASET, Harness, basic, gateway_settings, land_department, parcel, run_cli
from tests.kafka.broker import KafkaBroker
from tests.services import free_port
from warehouse import (
    GatewayCatalogue,
    WarehouseSink,
    WarehouseStore,
    gateway_jwks,
    start_embedded_sink,
)
from warehouse.batch import parse_batch
from warehouse.tables import MAX_IDENTIFIER

# helpers


async def wait_until(condition: Callable[[], Awaitable[bool] | bool], *, within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = condition()
        if await result if isinstance(result, Awaitable) else result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition still false after {within}s")
        await asyncio.sleep(0.02)


def kafka_bus(bootstrap: str, role: str) -> Bus:
    from bus.kafka import KafkaBus

    return KafkaBus(
        bootstrap, f"{role}-{uuid.uuid4().hex[:10]}", session_timeout_ms=2000, metadata_max_age_ms=1000
    )


WAREHOUSE_CLIENT = "kho-test-client"  # the warehouse's own client: it signs the acknowledgements


@dataclass(kw_only=True)
class Department:
    """The land department on a gateway, with a connector allowed to share a dataset of its own."""

    gateway: Harness
    secret: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    address: str = ""

    async def join(self) -> None:
        await land_department(self.gateway)
        _client_id, self.secret = await self.gateway.create_client("H50.20", "h50-20-connector")
        self.address = await self.register_dataset(f"thua-dat-{uuid.uuid4().hex[:8]}")

    async def register_dataset(self, code: str) -> str:
        """A copy of the land dataset under `code`, granted to the department's connector."""
        document = LAND_DATASET.read_text().replace("code: thua-dat\n", f"code: {code}\n")
        response = await self.gateway.http.post(
            "/api/v1/contracts",
            content=document.encode(),
            headers={**await self.gateway.admin(), "Content-Type": "application/yaml"},
        )
        assert response.status_code == 201, response.text
        address = f"H50.20/{code}/v1"
        grant = await self.gateway.post(
            "/api/v1/grants",
            {"client_id": "h50-20-connector", "address": address, "purpose": "Chia sẻ vào kho"},
        )
        assert grant.status_code == 201, grant.text
        # a token carries the grants of its time: take a new one
        token = await self.gateway.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers=basic("h50-20-connector", self.secret),
        )
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return address

    async def share(self, records: list[dict[str, Any]], address: str | None = None) -> str:
        response = await self.gateway.http.post(
            f"/share/{address or self.address}", json={"records": records}, headers=self.headers
        )
        assert response.status_code == 202, response.text
        return str(response.json()["exchange_id"])

    async def delivered(self, exchange_id: str) -> bool:
        response = await self.gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=self.headers)
        return response.json()["delivered_at"] is not None


@dataclass(kw_only=True)
class Scene(Department):
    """The department on a gateway (its own SQLite database), a bus, and a warehouse store on `database_url`."""

    gateway_bus: Bus
    sink_bus: Bus
    warehouse_url: str
    store: WarehouseStore
    sinks: list[WarehouseSink] = field(default_factory=list)
    acks: list[Envelope] = field(default_factory=list)
    signer: MessageSigner | None = (
        None  # the warehouse client's key: a gateway on Kafka believes no other ack
    )

    def acks_of(self, exchange_id: str) -> list[Any]:
        """The acknowledgements of one exchange (the Kafka ack topic also holds other tests')."""
        return [orjson.loads(ack.data) for ack in self.acks if ack.id == exchange_id]

    def api(self) -> GatewayClient:
        return GatewayClient("http://testserver", transport=httpx.ASGITransport(app=self.gateway.app))

    async def start_sink(self, store: WarehouseStore | None = None) -> WarehouseSink:
        api = self.api()
        sink = WarehouseSink(
            self.sink_bus, store or self.store, keys=gateway_jwks(api), catalogue=GatewayCatalogue(api),
            name="kho-test", group=f"lgsp.warehouse.{uuid.uuid4().hex[:8]}" if not self.sinks else self.sinks[0].group,
            signer=self.signer,
        )  # fmt: skip
        await sink.start()
        self.sinks.append(sink)
        return sink


@asynccontextmanager
async def gateway_on(bus: Bus, data_dir: Path) -> AsyncIterator[Harness]:
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{data_dir / 'gateway.db'}", data_dir, warehouse_client_id=WAREHOUSE_CLIENT
    )
    app = create_app(settings, bus=bus)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Harness(app=app, http=http, settings=settings)


@asynccontextmanager
async def buses(kind: str, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Bus, Bus]]:
    if kind == "memory":
        bus = InProcessBus("wh-test")
        await bus.start()
        yield bus, bus
        await bus.stop()
        return
    broker: KafkaBroker = request.getfixturevalue("kafka_broker")
    gateway, sink = kafka_bus(broker.bootstrap, "gw"), kafka_bus(broker.bootstrap, "wh")
    await gateway.start()
    await sink.start()
    try:
        yield gateway, sink
    finally:
        await sink.stop()
        await gateway.stop()


async def _scene(
    kind: str, request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[Scene]:
    async with buses(kind, request) as (gateway_bus, sink_bus), gateway_on(gateway_bus, tmp_path) as gateway:
        store = await WarehouseStore.open(database_url)
        scene = Scene(
            gateway=gateway,
            gateway_bus=gateway_bus,
            sink_bus=sink_bus,
            warehouse_url=database_url,
            store=store,
        )
        await scene.join()
        await gateway.create_client("H50", WAREHOUSE_CLIENT)
        scene.signer = await register_signer(gateway, WAREHOUSE_CLIENT)
        observer = await gateway_bus.subscribe(
            [SHARE_ACK_TOPIC], f"test-ack-observer-{uuid.uuid4().hex[:8]}", _collect(scene.acks)
        )
        await observer.ready()
        try:
            yield scene
        finally:
            await observer.stop()
            for sink in scene.sinks:
                await sink.stop()
            await store.close()


@pytest.fixture(params=["memory", "kafka"])
async def scene(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> AsyncIterator[Scene]:
    """The scene on each bus (and, through `database_url`, each store backend)."""
    async for value in _scene(request.param, request, database_url, tmp_path):
        yield value


@pytest.fixture
async def local_scene(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[Scene]:
    """The scene on the in-process bus only."""
    async for value in _scene("memory", request, database_url, tmp_path):
        yield value


def _collect(into: list[Envelope]) -> Callable[[Envelope], Awaitable[None]]:
    async def collect(envelope: Envelope) -> None:
        into.append(envelope)

    return collect


async def observe(scene: Scene, address: str | None = None) -> list[Envelope]:
    """Envelopes on the dataset topic, as the sink receives them (an observer group that stops with the bus)."""
    seen: list[Envelope] = []
    topic = Address.parse(address or scene.address).share_topic
    subscription = await scene.gateway_bus.subscribe(
        [topic], f"test-observer-{uuid.uuid4().hex[:8]}", _collect(seen)
    )
    await subscription.ready()
    return seen


def land(number: int, **changes: Any) -> dict[str, Any]:
    return {**parcel(number), **changes}


# behaviour


class TestShareReachesTheWarehouse:
    async def test_records_are_stored_by_key_and_the_share_is_marked_delivered(self, scene: Scene) -> None:
        sink = await scene.start_sink()

        exchange_id = await scene.share([land(1), land(2), land(3)])

        await wait_until(lambda: scene.delivered(exchange_id))
        stored = await scene.store.records(scene.address)
        assert [record["parcel_id"] for record in stored] == ["19234-1-1", "19234-1-2", "19234-1-3"]
        assert stored[1] == land(2)
        assert scene.acks_of(exchange_id) == [{"records": 3, "warehouse": "kho-test"}]
        assert sink.stats.records == 3


class TestRedelivery:
    async def test_the_same_signed_batch_twice_stores_each_record_once_unchanged(
        self, local_scene: Scene
    ) -> None:
        scene = local_scene
        sink = await scene.start_sink()
        seen = await observe(scene)
        exchange_id = await scene.share([land(1), land(2)])
        await wait_until(lambda: scene.delivered(exchange_id))
        records, datasets = await scene.store.records(scene.address), await scene.store.datasets()
        assert [(d.address, d.rows) for d in datasets] == [(scene.address, 2)]

        await scene.gateway_bus.publish(Address.parse(scene.address).share_topic, seen[0])

        await wait_until(lambda: sink.stats.duplicates == 1)
        assert await scene.store.records(scene.address) == records
        assert await scene.store.datasets() == datasets  # same count, same last update: nothing written
        assert len(scene.acks_of(exchange_id)) == 2  # acknowledged again


class TestUpdate:
    async def test_a_later_batch_replaces_the_record_of_the_same_key(self, local_scene: Scene) -> None:
        scene = local_scene
        await scene.start_sink()
        first = await scene.share([land(1), land(2)])
        await wait_until(lambda: scene.delivered(first))

        second = await scene.share([land(2, area_m2=555.5, land_use="ODT"), land(3)])

        await wait_until(lambda: scene.delivered(second))
        stored = {record["parcel_id"]: record for record in await scene.store.records(scene.address)}
        assert set(stored) == {"19234-1-1", "19234-1-2", "19234-1-3"}
        assert stored["19234-1-2"] == land(2, area_m2=555.5, land_use="ODT")
        assert stored["19234-1-1"] == land(1)


class TestRestart:
    async def test_a_new_sink_on_the_same_store_loses_nothing_and_doubles_nothing(self, scene: Scene) -> None:
        first_sink = await scene.start_sink()
        seen = await observe(scene)
        before = await scene.share([land(1), land(2)])
        await wait_until(lambda: scene.delivered(before))
        await first_sink.stop()

        during = await scene.share([land(2, area_m2=222.0), land(3)])  # nobody consumes now
        store = await WarehouseStore.open(scene.warehouse_url)
        second_sink = await scene.start_sink(store)
        try:
            await wait_until(lambda: scene.delivered(during))
            await wait_until(lambda: len(seen) == 2)
            for envelope in list(seen):  # as after a crash before the offsets were committed
                await scene.gateway_bus.publish(Address.parse(scene.address).share_topic, envelope)
            await wait_until(lambda: second_sink.stats.duplicates == 2)

            stored = await store.records(scene.address)
        finally:
            await second_sink.stop()
            await store.close()
        assert [(r["parcel_id"], r["area_m2"]) for r in stored] == [
            ("19234-1-1", 101.0),
            ("19234-1-2", 222.0),
            ("19234-1-3", 103.0),
        ]


class TestForgedBatch:
    async def test_unsigned_foreign_and_tampered_batches_are_neither_stored_nor_acknowledged(
        self, local_scene: Scene
    ) -> None:
        scene = local_scene
        sink = await scene.start_sink()
        seen = await observe(scene)
        genuine = await scene.share([land(1)])
        await wait_until(lambda: scene.delivered(genuine))
        topic = Address.parse(scene.address).share_topic
        data = orjson.dumps({"records": [land(9)]})
        unsigned = Envelope(
            id=str(uuid.uuid4()), source="urn:intruder", type=SHARE_RECORDS, subject=scene.address,
            data=data, time=utc_now(),
        )  # fmt: skip
        foreign = sign_envelope(replace(unsigned, id=str(uuid.uuid4())), ECKey.generate_key("P-256"), "k1")
        tampered = replace(seen[0], id=str(uuid.uuid4()), data=data)  # the gateway's signature, other data

        for envelope in (unsigned, foreign, tampered):
            await scene.gateway_bus.publish(topic, envelope)

        await wait_until(lambda: sink.stats.rejected == 3)
        assert [record["parcel_id"] for record in await scene.store.records(scene.address)] == ["19234-1-1"]
        assert [len(scene.acks_of(e.id)) for e in (unsigned, foreign, tampered)] == [0, 0, 0]
        assert len(scene.acks_of(genuine)) == 1


class TestNewDataset:
    async def test_a_dataset_registered_after_the_sink_started_is_consumed(self, scene: Scene) -> None:
        sink = await scene.start_sink()
        later = await scene.register_dataset(f"bien-dong-{uuid.uuid4().hex[:8]}")

        await wait_until(lambda: later in sink.datasets)
        exchange_id = await scene.share([land(7)], address=later)

        await wait_until(lambda: scene.delivered(exchange_id))
        assert [record["parcel_id"] for record in await scene.store.records(later)] == ["19234-1-7"]
        assert await scene.store.count(scene.address) == 0


# the store on its own


ADDRESS = Address.parse("H50.20/thua-dat/v1")


def batch(
    exchange_id: str, records: list[dict[str, Any]], time: str, key: tuple[str, ...] = ("parcel_id",)
) -> Any:
    return parse_batch(
        exchange_id, ADDRESS, orjson.dumps({"records": records}), key=key, version="1.0.0", time=time
    )


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[WarehouseStore]:
    store = await WarehouseStore.open(database_url)
    yield store
    await store.close()


class TestStoreOrdering:
    async def test_an_older_batch_applied_late_does_not_replace_a_newer_record(
        self, store: WarehouseStore
    ) -> None:
        await store.apply(batch("new", [land(1, area_m2=300.0)], "2026-11-20T10:00:00.000002Z"))
        await store.apply(batch("old", [land(1, area_m2=100.0), land(2)], "2026-11-20T17:00:00.000001+07:00"))

        assert [(r["parcel_id"], r["area_m2"]) for r in await store.records(ADDRESS)] == [
            ("19234-1-1", 300.0),
            ("19234-1-2", 102.0),
        ]


class TestStoreKeys:
    async def test_a_record_without_its_key_is_skipped_and_the_last_of_a_key_wins(
        self, store: WarehouseStore
    ) -> None:
        keyless = land(2)
        del keyless["parcel_id"]
        applied = await store.apply(
            batch("b1", [land(1), keyless, land(1, land_use="CLN")], "2026-11-20T10:00:00Z")
        )

        assert (applied.records, applied.duplicate) == (1, False)
        assert await store.records(ADDRESS) == [land(1, land_use="CLN")]

    async def test_a_composite_key_on_a_long_address_gets_a_table_of_its_own(
        self, store: WarehouseStore
    ) -> None:
        long = Address("H50.20.1.2.3.4.5.6.7.8.9.10.11", "co-so-du-lieu-" + "rat-dai-" * 5 + "x", 12)
        records = [{"commune": "19234", "no": n, "v": n} for n in (1, 2)] + [
            {"commune": "19235", "no": 1, "v": 3}
        ]
        applied = await store.apply(
            parse_batch(
                "c1", long, orjson.dumps({"records": records}), key=("commune", "no"), version="12.0.0",
                time="2026-11-20T10:00:00Z",
            )
        )  # fmt: skip

        assert applied.records == 3
        summary = {d.address: d for d in await store.datasets()}[str(long)]
        assert (summary.rows, len(summary.table) <= MAX_IDENTIFIER) == (3, True)
        assert await store.count(ADDRESS) == 0


class TestStoreDuplicates:
    async def test_a_batch_seen_before_changes_nothing_and_reports_its_records(
        self, store: WarehouseStore
    ) -> None:
        first = await store.apply(batch("b1", [land(1), land(2)], "2026-11-20T10:00:00Z"))
        again = await store.apply(batch("b1", [land(1, area_m2=999.0)], "2026-11-20T11:00:00Z"))

        assert (first.duplicate, again.duplicate, again.records) == (False, True, 2)
        assert [r["area_m2"] for r in await store.records(ADDRESS)] == [101.0, 102.0]


class TestStoreAcrossInstances:
    async def test_two_stores_on_one_database_share_tables_and_batches(self, database_url: str) -> None:
        one, two = await WarehouseStore.open(database_url), await WarehouseStore.open(database_url)
        try:
            results = await asyncio.gather(
                one.apply(batch("b1", [land(1)], "2026-11-20T10:00:00Z")),
                two.apply(batch("b1", [land(1)], "2026-11-20T10:00:00Z")),
            )
            await two.apply(batch("b2", [land(2)], "2026-11-20T10:00:01Z"))
            assert sorted(result.duplicate for result in results) == [False, True]
            assert await one.count(ADDRESS) == 2
        finally:
            await one.close()
            await two.close()


# the command line


class TestWarehouseCommands:
    async def test_status_lists_each_dataset_with_its_records(
        self, store: WarehouseStore, database_url: str
    ) -> None:
        await store.apply(batch("b1", [land(1), land(2)], "2026-11-20T10:00:00Z"))

        result = await run_cli(
            ["warehouse", "status"], {"LGSP_WAREHOUSE_URL": database_url, "COLUMNS": "200"}
        )

        assert result.exit_code == 0, result.output
        line = next(line for line in result.output.splitlines() if "H50.20/thua-dat/v1" in line)
        assert "wh_h50_20__thua_dat__v1" in line
        assert " 2 " in line

    async def test_status_never_cuts_a_name_and_comes_as_json_or_csv(
        self, store: WarehouseStore, database_url: str
    ) -> None:
        await store.apply(batch("b1", [land(1), land(2)], "2026-11-20T10:00:00Z"))
        env = {"LGSP_WAREHOUSE_URL": database_url, "COLUMNS": "40"}

        narrow = await run_cli(["warehouse", "status"], env)
        as_json = await run_cli(["warehouse", "status", "--format", "json"], env)
        as_csv = await run_cli(["warehouse", "status", "--format", "csv"], env)

        assert narrow.exit_code == as_json.exit_code == as_csv.exit_code == 0, narrow.output
        assert "H50.20/thua-dat/v1" in narrow.stdout
        assert "wh_h50_20__thua_dat__v1" in narrow.stdout
        assert "…" not in narrow.stdout
        [dataset] = [
            entry for entry in json.loads(as_json.stdout) if entry["dataset"] == "H50.20/thua-dat/v1"
        ]
        assert dataset["records"] == 2
        assert "H50.20/thua-dat/v1,wh_h50_20__thua_dat__v1,2," in as_csv.stdout

    async def test_run_without_kafka_is_a_one_line_error(self) -> None:
        result = await run_cli(["warehouse", "run"], {"LGSP_KAFKA_BOOTSTRAP": ""})

        assert result.exit_code == 1
        assert "LGSP_KAFKA_BOOTSTRAP" in result.output
        assert "Traceback" not in result.output

    async def test_run_with_an_unreachable_gateway_is_a_one_line_error(self) -> None:
        url = f"http://127.0.0.1:{free_port()}"
        result = await run_cli(["--url", url, "warehouse", "run"], {"LGSP_KAFKA_BOOTSTRAP": "127.0.0.1:9"})

        assert result.exit_code == 1
        assert f"cannot reach the gateway at {url}" in result.output
        assert "Traceback" not in result.output


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The gateway over real HTTP (uvicorn in a thread), for a warehouse process to reach; yields its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class TestWarehouseProcess:
    async def test_run_consumes_shares_until_sigterm_then_stops_cleanly(
        self, kafka_broker: KafkaBroker, database_url: str, tmp_path: Path
    ) -> None:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}", tmp_path,
            kafka_bootstrap=kafka_broker.bootstrap, instance_id=f"gw-{uuid.uuid4().hex[:8]}",
            warehouse_client_id=WAREHOUSE_CLIENT,
        )  # fmt: skip
        app = create_app(settings)
        with served(app) as url:
            async with httpx.AsyncClient(base_url=url) as http:
                department = Department(gateway=Harness(app=app, http=http, settings=settings))
                await department.join()
                await department.gateway.create_client("H50", WAREHOUSE_CLIENT)
                signer = await register_signer(department.gateway, WAREHOUSE_CLIENT)
                key_file = write_key_file(signer, tmp_path / "warehouse-key.jwk")
                output = (tmp_path / "warehouse.log").open("wb")
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", "from gateway.cli import main; main()",
                    "warehouse", "run", "--group", f"lgsp.warehouse.{uuid.uuid4().hex[:8]}",
                    stdout=output, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2],
                    env={
                        **os.environ, "LGSP_URL": url, "LGSP_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
                        "LGSP_WAREHOUSE_URL": database_url, "LGSP_MESSAGE_KEY_FILE": str(key_file),
                        "LGSP_INSTANCE_ID": f"wh-{uuid.uuid4().hex[:8]}",
                    },
                )  # fmt: skip
                try:
                    exchange_id = await department.share([land(1), land(2)])
                    await wait_until(
                        lambda: process.returncode is not None or department.delivered(exchange_id), within=60
                    )
                    assert process.returncode is None, (tmp_path / "warehouse.log").read_text()
                finally:
                    if process.returncode is None:
                        process.send_signal(signal.SIGTERM)
                    code = await asyncio.wait_for(process.wait(), timeout=30)
                    output.close()
        log = (tmp_path / "warehouse.log").read_text()
        assert code == 0, log
        assert "stopped: 1 batches" in log
        store = await WarehouseStore.open(database_url)
        try:
            assert [r["parcel_id"] for r in await store.records(department.address)] == [
                "19234-1-1",
                "19234-1-2",
            ]
        finally:
            await store.close()


class TestEmbeddedSink:
    async def test_the_embedded_sink_runs_on_the_gateways_in_process_bus(
        self, database_url: str, tmp_path: Path
    ) -> None:
        from registry.catalogue.service import CatalogueService

        bus = InProcessBus("embedded")
        await bus.start()
        try:
            async with gateway_on(bus, tmp_path) as gateway:
                department = Department(gateway=gateway)
                await department.join()
                runtime = gateway.app.state.runtime

                async def catalogue() -> list[ContractDocument]:  # as `lgsp up` reads its own registry
                    async with runtime.sessionmaker() as session:
                        return [doc for _, doc in await CatalogueService(session).entries(Kind.DATASET)]

                sink = await start_embedded_sink(
                    bus, database_url, lambda: runtime.keyring.envelopes.key_set, catalogue
                )
                try:
                    exchange_id = await department.share([land(1), land(2)])
                    await wait_until(lambda: department.delivered(exchange_id))
                finally:
                    await sink.stop()
        finally:
            await bus.stop()
        store = await WarehouseStore.open(database_url)
        try:
            assert await store.count(department.address) == 2
        finally:
            await store.close()


class TestAcknowledgementThroughAnOutage:
    async def test_an_acknowledgement_the_bus_refuses_is_sent_again_until_it_goes_through(
        self, local_scene: Scene, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The batch's message is consumed once handled: an acknowledgement dropped during a broker outage would
        leave an accepted share unacknowledged for ever (the Kafka fault campaign once found three)."""
        refusals = 2
        publish = local_scene.sink_bus.publish

        async def broker_down_for_acks(topic: str, envelope: Envelope, *, key: bytes | None = None) -> None:
            nonlocal refusals
            if topic == SHARE_ACK_TOPIC and refusals:
                refusals -= 1
                raise BusUnavailable("the broker is down")
            await publish(topic, envelope, key=key)

        monkeypatch.setattr(local_scene.sink_bus, "publish", broker_down_for_acks)
        await local_scene.start_sink()

        exchange_id = await local_scene.share([land(1)])

        await wait_until(lambda: local_scene.delivered(exchange_id))
        assert refusals == 0
        assert len(local_scene.acks_of(exchange_id)) == 1
