"""The exchange log never stalls: a bad record is refused alone, the chain survives a second writer, what a crash
left open is closed and chained, and a database that goes away gives 503 at once and is found again."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import orjson
import pytest
from sqlalchemy import bindparam, text

from contracts.addresses import SHARE_ACK_TOPIC
from contracts.envelope import SHARE_ACK, Envelope, utc_now
from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from gateway.exchangelog.rollups import Delivery
from gateway.exchangelog.verify import verify_log
from gateway.exchangelog.writer import INT32_MAX, LogRefused, LogUnavailable, LogWriter
from registry.storage import utcnow
from tests.harness import Harness, gateway_settings, land_sharing, parcel, running_gateway
from tests.services import PostgresServer, ServiceUnavailable, start_postgres

SHARE = "/share/H50.20/thua-dat/v1"


def closed_record(writer: LogWriter) -> ExchangeRecord:
    now = utcnow()
    return ExchangeRecord(
        id=new_exchange_id(), kind=ExchangeKind.SERVICE, instance=writer.instance, received_at=now,
        outcome=Outcome.OK, completed_at=now + timedelta(milliseconds=5), http_status=200,
    )  # fmt: skip


async def outcomes(gateway: Harness) -> dict[str, int]:
    async with gateway.app.state.runtime.engine.connect() as connection:
        rows = await connection.execute(text("SELECT outcome, count(*) FROM exchange GROUP BY outcome"))
        return {str(outcome): int(count) for outcome, count in rows}


async def wait_until(condition: object, within: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():  # type: ignore[operator]
        assert loop.time() < deadline, "condition still false"
        await asyncio.sleep(0.05)


class TestOneBadItemIsRefusedAlone:
    @pytest.mark.parametrize(
        "bad",
        [
            Delivery(str(uuid.uuid4()), None, utcnow(), 1, "kho"),  # no such exchange (foreign key)
            Delivery("x" * 37, None, utcnow(), 1, "kho"),  # id too long
            Delivery(str(uuid.uuid4()), None, utcnow(), INT32_MAX + 1, "kho"),  # count above int32
        ],
        ids=["unknown-id", "id-too-long", "count-above-int32"],
    )
    async def test_the_rest_of_its_batch_commits(self, gateway: Harness, bad: Delivery) -> None:
        writer: LogWriter = gateway.app.state.runtime.writer
        before, after = closed_record(writer), closed_record(writer)
        results = await asyncio.gather(
            writer.close(before, opened=False), writer.deliver(bad), writer.close(after, opened=False),
            return_exceptions=True,
        )  # fmt: skip
        assert results[0] is None
        assert results[2] is None
        assert isinstance(results[1], LogRefused)
        assert writer.available
        assert (await outcomes(gateway)).get(Outcome.OK) == 2
        report = await verify_log(gateway.app.state.runtime.engine)
        assert report.intact
        assert report.checked == 2

    async def test_malformed_acknowledgements_on_the_bus_do_not_stall_shares(self, gateway: Harness) -> None:
        headers = await land_sharing(gateway)
        runtime = gateway.app.state.runtime
        for data, exchange_id in (
            (b"not json", str(uuid.uuid4())),
            (orjson.dumps({"records": INT32_MAX + 1, "warehouse": "kho"}), str(uuid.uuid4())),
            (orjson.dumps({"records": 1, "warehouse": "kho"}), "y" * 40),
            (orjson.dumps({"records": 1, "warehouse": "kho"}), str(uuid.uuid4())),  # unknown exchange
        ):
            forged = Envelope(
                id=exchange_id, source="urn:x", type=SHARE_ACK, subject="H50.20/thua-dat/v1", data=data,
                time=utc_now(),
            )  # fmt: skip
            await runtime.bus.publish(SHARE_ACK_TOPIC, forged)
        for number in range(5):
            response = await gateway.http.post(SHARE, json={"records": [parcel(number)]}, headers=headers)
            assert response.status_code == 202, response.text
        assert (await verify_log(runtime.engine)).intact


class TestTheChainHeadIsReadAgain:
    async def test_a_second_writer_on_the_same_chain_does_not_break_it(self, gateway: Harness) -> None:
        writer: LogWriter = gateway.app.state.runtime.writer
        await writer.close(closed_record(writer), opened=False)
        other = LogWriter(gateway.app.state.runtime.engine, instance=writer.instance)
        await other.start()
        try:
            await other.close(closed_record(other), opened=False)
        finally:
            await other.stop()
        await writer.close(closed_record(writer), opened=False)  # its head is stale: read again, then chained
        report = await verify_log(gateway.app.state.runtime.engine)
        assert report.intact
        assert report.checked == 3


class TestRecordsLeftOpenAreAbandoned:
    async def test_on_start_they_are_closed_and_chained(self, database_url: str, tmp_path: Path) -> None:
        settings = gateway_settings(database_url, tmp_path)
        async with running_gateway(settings) as gateway:
            writer: LogWriter = gateway.app.state.runtime.writer
            record = ExchangeRecord(
                id=new_exchange_id(),
                kind=ExchangeKind.SERVICE,
                instance=writer.instance,
                received_at=utcnow(),
            )
            await writer.open(record)  # then the gateway "crashes": nothing closes it
        async with running_gateway(settings) as gateway:
            assert await outcomes(gateway) == {Outcome.ABANDONED: 1}
            report = await verify_log(gateway.app.state.runtime.engine)
            assert report.intact
            assert report.checked == 1

    async def test_a_result_that_cannot_be_kept_closes_the_call(self, gateway: Harness) -> None:
        from gateway.exchangelog.results import ResultStore

        runtime = gateway.app.state.runtime
        with pytest.raises(LogUnavailable):  # the foreign key: no such exchange, as a store failure would be
            await ResultStore(runtime.sessionmaker, runtime.cipher).save(str(uuid.uuid4()), b"{}")


# PostgreSQL stopped and started again: a private cluster, so the suite's shared one is never stopped


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


def _pg_ctl(server: PostgresServer, *args: str) -> None:
    subprocess.run(
        [*server._as_postgres, str(server._pg_bin / "pg_ctl"), "-D", str(server.directory / "data"), *args],
        capture_output=True,
        check=True,
    )


def halt(server: PostgresServer) -> None:
    _pg_ctl(server, "-m", "immediate", "stop")


def restart(server: PostgresServer) -> None:
    options = f"-p {server.port} -k {server.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    _pg_ctl(server, "-o", options, "-l", str(server.directory / "log"), "-w", "start")


@pytest.fixture
async def postgres_gateway(private_postgres: PostgresServer, tmp_path: Path) -> AsyncIterator[Harness]:
    name = f"lgsp_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(private_postgres.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    settings = gateway_settings(private_postgres.url(name), tmp_path, log_write_timeout_seconds=2)
    async with running_gateway(settings) as gateway:
        yield gateway


class TestPostgresStoppedAndStarted:
    async def test_503_at_once_while_it_is_away_then_the_log_recovers(
        self, postgres_gateway: Harness, private_postgres: PostgresServer
    ) -> None:
        gateway = postgres_gateway
        headers = await land_sharing(gateway)
        writer: LogWriter = gateway.app.state.runtime.writer
        assert (
            await gateway.http.post(SHARE, json={"records": [parcel(1)]}, headers=headers)
        ).status_code == 202

        await asyncio.to_thread(halt, private_postgres)
        try:
            first = await gateway.http.post(SHARE, json={"records": [parcel(2)]}, headers=headers)
            assert first.status_code == 503
            assert first.headers["content-type"].startswith("application/problem+json")
            assert not writer.available  # so every caller now gets 503 without waiting on the database
            queued_before = writer._queue.qsize()
            refused_ids = []
            for number in range(3, 8):
                refused = await gateway.http.post(SHARE, json={"records": [parcel(number)]}, headers=headers)
                assert refused.status_code == 503
                assert refused.json()["type"] == "urn:lgsp:error:log-unavailable"
                refused_ids.append(refused.headers["X-Exchange-ID"])
            assert writer._queue.qsize() == queued_before  # refused at the door, nothing queued
            ready = await gateway.http.get("/readyz")
            assert ready.json()["checks"]["exchange_log"] == "unavailable"
        finally:
            await asyncio.to_thread(restart, private_postgres)

        async def log_back() -> bool:
            return bool(writer.available)

        await wait_until(log_back)
        again = await gateway.http.post(SHARE, json={"records": [parcel(9)]}, headers=headers)
        assert again.status_code == 202, again.text

        async def logged() -> dict[str, tuple[str, int]]:
            async with gateway.app.state.runtime.engine.connect() as connection:
                rows = await connection.execute(
                    text("SELECT id, outcome, http_status FROM exchange WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": [first.headers["X-Exchange-ID"], *refused_ids]},
                )
                return {row.id: (row.outcome, row.http_status) for row in rows}

        async def all_logged() -> bool:
            return len(await logged()) == 1 + len(refused_ids)

        await wait_until(all_logged)  # the callers were answered 503: the log says so once it is back
        held = await logged()
        assert held[first.headers["X-Exchange-ID"]] in {(Outcome.UNAVAILABLE, 503), (Outcome.ABANDONED, 503)}
        assert {held[exchange] for exchange in refused_ids} == {(Outcome.UNAVAILABLE, 503)}
        assert Outcome.PENDING not in await outcomes(gateway)
        assert (await verify_log(gateway.app.state.runtime.engine)).intact


class TestTheWriterIsSupervised:
    async def test_a_crash_of_its_task_restarts_it(self, gateway: Harness) -> None:
        writer: LogWriter = gateway.app.state.runtime.writer
        metrics = writer.on_written

        def broken(closed: object, size: int) -> None:
            writer.on_written = metrics
            raise RuntimeError("a bug after the commit")

        writer.on_written = broken
        await writer.close(closed_record(writer), opened=False)
        await writer.close(closed_record(writer), opened=False)
        assert writer.restarts == 1
        report = await verify_log(gateway.app.state.runtime.engine)
        assert report.intact
        assert report.checked == 2
