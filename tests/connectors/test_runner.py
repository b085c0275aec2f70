"""How a runner serves connectors: bounded concurrency, clean stop, duplicate deliveries, contracts."""

import asyncio

import orjson
import pytest

from bus import BusTimeout
from connectors.sdk import Connector, ConnectorRunner, RequestContext
from connectors.sdk.documents import ContractMismatch, ContractUnavailable
from contracts.addresses import Address
from contracts.loading import load_contract
from tests.connectors.conftest import Stage, eventually
from tests.connectors.parcels import CONTRACT, PARCELS, parcel_connector

PARCEL = PARCELS[("19234", 12, 345)]


def blocking_connector(release: asyncio.Event, running: list[int], peak: list[int]) -> Connector:
    connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT])

    @connector.service("tra-cuu-thua-dat", major=1)
    async def handler(request: dict, context: RequestContext) -> dict:
        running.append(1)
        peak.append(len(running))
        try:
            await release.wait()
        finally:
            running.pop()
        return PARCEL

    return connector


class TestBoundedConcurrency:
    async def test_at_most_concurrency_handlers_run_at_once(self, stage: Stage) -> None:
        release, running, peak = asyncio.Event(), [], []  # type: ignore[var-annotated]
        async with stage.runner(blocking_connector(release, running, peak), concurrency=2):
            calls = [asyncio.create_task(stage.gateway.call()) for _ in range(6)]
            await eventually(lambda: len(running) == 2)
            await asyncio.sleep(0.05)  # room for a third handler to start if the bound were not kept
            assert len(running) == 2
            release.set()
            replies = await asyncio.gather(*calls)

        assert [status for status, _ in replies] == ["ok"] * 6
        assert max(peak) == 2


class TestCleanStop:
    async def test_the_handler_in_flight_finishes_and_its_reply_goes_out(self, any_stage: Stage) -> None:
        release, running, peak = asyncio.Event(), [], []  # type: ignore[var-annotated]
        runner = any_stage.runner(blocking_connector(release, running, peak))
        await runner.start()
        call = asyncio.create_task(any_stage.gateway.call())
        await eventually(lambda: len(running) == 1)

        stopping = asyncio.create_task(runner.stop())
        await asyncio.sleep(0.1)
        assert not stopping.done()  # waits for the handler
        release.set()
        await stopping

        assert await call == ("ok", PARCEL)

    async def test_after_stop_no_request_is_taken(self, stage: Stage) -> None:
        handled: list[dict] = []
        connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT])
        connector.service("tra-cuu-thua-dat", major=1)(lambda request: handled.append(request) or PARCEL)
        async with stage.runner(connector):
            assert (await stage.gateway.call())[0] == "ok"

        with pytest.raises(BusTimeout):
            await stage.gateway.send(stage.gateway.signed(), timeout=0.3)
        assert len(handled) == 1


class TestDuplicateDelivery:
    async def test_a_redelivered_request_runs_the_handler_once(self, stage: Stage) -> None:
        release, running, peak = asyncio.Event(), [], []  # type: ignore[var-annotated]
        request = stage.gateway.signed()
        topic = Address.parse(request.subject or "").service_topic
        replies = []

        async with stage.runner(blocking_connector(release, running, peak)):
            reply = asyncio.create_task(stage.gateway.send(request))
            await eventually(lambda: len(running) == 1)
            await stage.gateway.bus.publish(topic, request)  # Kafka redelivery: same exchange id
            await asyncio.sleep(0.05)
            release.set()
            replies.append(await reply)
            await stage.gateway.bus.publish(topic, request)  # and once more after it was answered
            await asyncio.sleep(0.05)

        assert len(peak) == 1
        assert orjson.loads(replies[0].data) == PARCEL


class TestContracts:
    async def test_given_as_a_document_object(self, stage: Stage) -> None:
        document = load_contract(CONTRACT.read_bytes())
        connector = Connector("H50.20", "csdl-dat-dai", contracts=[document])
        connector.service("tra-cuu-thua-dat", major=1)(lambda request: PARCEL)
        async with stage.runner(connector):
            assert await stage.gateway.call() == ("ok", PARCEL)

    async def test_missing_without_a_gateway_client_stops_the_start(self, stage: Stage) -> None:
        runner = stage.runner(parcel_connector(with_contract=False))
        with pytest.raises(ContractUnavailable, match=r"H50\.20/tra-cuu-thua-dat/v1"):
            await runner.start()

    async def test_a_contract_of_another_database_is_refused_at_start(self, stage: Stage) -> None:
        connector = Connector("H50.20", "csdl-quy-hoach", contracts=[CONTRACT])
        connector.service("tra-cuu-thua-dat", major=1)(lambda request: PARCEL)
        with pytest.raises(ContractMismatch, match="csdl-quy-hoach"):
            await stage.runner(connector).start()

    def test_one_address_served_by_two_connectors_is_refused(self, stage: Stage) -> None:
        with pytest.raises(ValueError, match="more than one connector"):
            ConnectorRunner([parcel_connector(), parcel_connector()], stage.connector_bus, keys=stage.keys)


class TestRegistration:
    def test_a_handler_with_too_many_parameters_is_refused_at_registration(self) -> None:
        connector = Connector("H50.20", "csdl-dat-dai")
        with pytest.raises(TypeError, match="request, context"):
            connector.service("tra-cuu-thua-dat")(lambda request, context, extra: None)

    def test_two_handlers_for_one_service_are_refused(self) -> None:
        connector = parcel_connector()
        with pytest.raises(ValueError, match="already has a handler"):
            connector.service("tra-cuu-thua-dat", major=1)(lambda request: None)
