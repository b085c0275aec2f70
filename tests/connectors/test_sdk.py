"""What a connector does with each request: answer, refuse, or report a problem; never send bad data."""

import logging
import threading

import orjson
import pytest
from pydantic import BaseModel

from connectors.sdk import Connector, ProviderProblem, RequestContext
from contracts.addresses import Address
from tests.connectors.conftest import VALID_REQUEST, Stage, new_key
from tests.connectors.parcels import ADDRESS, CONTRACT, PARCELS, parcel_connector

PARCEL = PARCELS[("19234", 12, 345)]


class Lookup(BaseModel):
    commune_code: str
    map_sheet: int
    parcel_number: int


class StrictLookup(Lookup):
    year: int  # more than the contract asks


class Owner(BaseModel):
    full_name: str
    citizen_id: str


class Parcel(BaseModel):
    parcel_id: str
    area_m2: float
    land_use: str
    owner: Owner
    address: str | None = None  # optional in the contract: left out, not sent as null


def connector_with(handler, **options) -> Connector:  # type: ignore[no-untyped-def]
    connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT], **options)
    connector.service("tra-cuu-thua-dat", major=1)(handler)
    return connector


class TestAnswer:
    async def test_a_signed_request_gets_the_handlers_answer(self, any_stage: Stage) -> None:
        async with any_stage.runner(parcel_connector()):
            status, data = await any_stage.gateway.call(VALID_REQUEST)

        assert (status, data) == ("ok", PARCEL)

    async def test_the_handler_sees_the_exchange_it_answers(self, stage: Stage) -> None:
        seen: list[RequestContext] = []

        async def handler(request: dict, context: RequestContext) -> dict:
            seen.append(context)
            return PARCEL

        request = stage.gateway.signed(VALID_REQUEST)
        async with stage.runner(connector_with(handler)):
            reply = await stage.gateway.send(request)

        assert reply.id == request.id
        [context] = seen
        assert (context.exchange_id, str(context.address), context.consumer_agency) == (
            request.id,
            "H50.20/tra-cuu-thua-dat/v1",
            "H50.1",
        )
        assert context.trace_id == "a" * 32
        assert context.requested_at is not None

    async def test_a_domain_problem_becomes_an_error_reply_with_its_status(self, stage: Stage) -> None:
        async with stage.runner(parcel_connector()):
            status, problem = await stage.gateway.call({**VALID_REQUEST, "parcel_number": 9})

        assert status == "error"
        assert problem["type"] == "urn:lgsp:error:parcel-not-found"
        assert (problem["status"], problem["detail"]) == (404, "no parcel 19234-12-9")


class TestPydanticHandler:
    async def test_request_and_answer_as_models(self, stage: Stage) -> None:
        async def handler(request: Lookup, context: RequestContext) -> Parcel:
            return Parcel(
                parcel_id=f"{request.commune_code}-{request.map_sheet}-{request.parcel_number}",
                area_m2=80,
                land_use="ODT",
                owner=Owner(full_name="Lê Thị Cúc", citizen_id="045190000001"),
            )

        async with stage.runner(connector_with(handler)):
            status, data = await stage.gateway.call(VALID_REQUEST)

        assert status == "ok"
        assert data == {
            "parcel_id": "19234-12-345",
            "area_m2": 80.0,
            "land_use": "ODT",
            "owner": {"full_name": "Lê Thị Cúc", "citizen_id": "045190000001"},
        }

    async def test_a_request_the_model_refuses_is_not_handed_to_the_handler(self, stage: Stage) -> None:
        calls: list[StrictLookup] = []

        async def handler(request: StrictLookup, context: RequestContext) -> dict:
            calls.append(request)
            return PARCEL

        async with stage.runner(connector_with(handler)):
            status, problem = await stage.gateway.call(VALID_REQUEST)

        assert (status, problem["type"], calls) == ("error", "urn:lgsp:error:request-invalid", [])
        assert problem["errors"][0]["pointer"] == "/year"


class TestSyncHandler:
    async def test_a_plain_function_runs_off_the_event_loop(self, stage: Stage) -> None:
        threads: list[str] = []

        def handler(request: dict) -> dict:
            threads.append(threading.current_thread().name)
            return PARCEL

        async with stage.runner(connector_with(handler)):
            status, data = await stage.gateway.call(VALID_REQUEST)

        assert (status, data) == ("ok", PARCEL)
        assert threads
        assert threads[0] != threading.main_thread().name


class TestSignatureRefused:
    @pytest.fixture
    def calls(self) -> list[dict]:
        return []

    @pytest.fixture
    def connector(self, calls: list[dict]) -> Connector:
        async def handler(request: dict, context: RequestContext) -> dict:
            calls.append(request)
            return PARCEL

        return connector_with(handler)

    async def _refused(self, stage: Stage, connector: Connector, request, caplog) -> dict:  # type: ignore[no-untyped-def]
        caplog.set_level(logging.WARNING, logger="lgsp.connector")
        async with stage.runner(connector):
            reply = await stage.gateway.send(request)
        assert reply.status == "error"
        problem = orjson.loads(reply.data)
        assert problem["type"] == "urn:lgsp:error:signature-invalid"
        assert any(request.id in record.getMessage() for record in caplog.records)
        return dict(problem)

    async def test_an_unsigned_request_is_refused(
        self, stage: Stage, connector: Connector, calls: list[dict], caplog: pytest.LogCaptureFixture
    ) -> None:
        await self._refused(stage, connector, stage.gateway.envelope(VALID_REQUEST), caplog)
        assert calls == []

    async def test_a_request_signed_by_another_key_with_the_gateways_kid_is_refused(
        self, stage: Stage, connector: Connector, calls: list[dict], caplog: pytest.LogCaptureFixture
    ) -> None:
        forger = stage.gateway.__class__(stage.gateway.bus, new_key())
        await self._refused(stage, connector, forger.signed(VALID_REQUEST), caplog)
        assert calls == []

    async def test_a_request_changed_after_signing_is_refused(
        self, stage: Stage, connector: Connector, calls: list[dict], caplog: pytest.LogCaptureFixture
    ) -> None:
        signed = stage.gateway.signed(VALID_REQUEST)
        tampered = signed.__class__(**{**_fields(signed), "consumer": "H50.99"})
        await self._refused(stage, connector, tampered, caplog)
        assert calls == []


class TestRequestAgainstContract:
    async def test_is_refused_before_the_handler_with_its_pointer(self, stage: Stage) -> None:
        calls: list[dict] = []

        async def handler(request: dict, context: RequestContext) -> dict:
            calls.append(request)
            return PARCEL

        async with stage.runner(connector_with(handler)):
            status, problem = await stage.gateway.call({**VALID_REQUEST, "map_sheet": "twelve"})

        assert (status, problem["type"], calls) == ("error", "urn:lgsp:error:request-invalid", [])
        assert [e["pointer"] for e in problem["errors"]] == ["/map_sheet"]


class TestMisroutedRequest:
    async def test_a_signed_request_for_another_address_is_not_handed_to_the_handler(
        self, stage: Stage
    ) -> None:
        calls: list[dict] = []

        async def handler(request: dict, context: RequestContext) -> dict:
            calls.append(request)
            return PARCEL

        other = stage.gateway.signed(VALID_REQUEST, address="H50.20/tra-cuu-quy-hoach/v1")
        topic = Address.parse(ADDRESS).service_topic
        async with stage.runner(connector_with(handler)):
            reply = await stage.gateway.bus.request(topic, other, timeout=30)

        assert (reply.status, orjson.loads(reply.data)["type"]) == ("error", "urn:lgsp:error:request-invalid")
        assert calls == []


class TestAnswerAgainstContract:
    async def test_becomes_an_error_reply_naming_the_pointers_never_data(
        self, stage: Stage, caplog: pytest.LogCaptureFixture
    ) -> None:
        async def handler(request: dict, context: RequestContext) -> dict:
            return {**PARCEL, "land_use": "XYZ", "owner": {"full_name": "An"}}

        async with stage.runner(connector_with(handler)):
            reply = await stage.gateway.send(stage.gateway.signed(VALID_REQUEST))

        assert "XYZ" not in reply.data.decode()  # the value, neither sent nor logged
        assert "XYZ" not in caplog.text
        assert "/land_use (" in caplog.text  # where, and the rule that failed

        problem = orjson.loads(reply.data)
        assert reply.status == "error"
        assert problem["type"] == "urn:lgsp:error:reply-invalid"
        assert sorted(e["pointer"] for e in problem["errors"]) == ["/land_use", "/owner"]
        assert "/land_use" in problem["detail"]
        assert "parcel_id" not in problem  # the answer itself is not in the reply

    async def test_an_answer_json_cannot_hold_is_reported(self, stage: Stage) -> None:
        async def handler(request: dict, context: RequestContext) -> object:
            return {**PARCEL, "area_m2": {1, 2}}

        async with stage.runner(connector_with(handler)):
            status, problem = await stage.gateway.call(VALID_REQUEST)

        assert (status, problem["type"]) == ("error", "urn:lgsp:error:reply-invalid")


class TestHandlerException:
    async def test_becomes_an_error_reply_naming_the_exception_type_not_its_traceback(
        self, stage: Stage, caplog: pytest.LogCaptureFixture
    ) -> None:
        async def handler(request: dict, context: RequestContext) -> dict:
            raise KeyError("secret-internal-column")

        caplog.set_level(logging.ERROR, logger="lgsp.connector")
        async with stage.runner(connector_with(handler)):
            status, problem = await stage.gateway.call(VALID_REQUEST)

        assert (status, problem["type"]) == ("error", "urn:lgsp:error:provider-error")
        assert "KeyError" in problem["detail"]
        assert "secret-internal-column" not in orjson.dumps(problem).decode()
        assert any(record.exc_info and record.exc_info[0] is KeyError for record in caplog.records)


class TestProviderProblemApi:
    def test_renders_as_an_rfc_9457_problem(self) -> None:
        problem = ProviderProblem(409, "the parcel is being split", name="parcel-locked").problem()
        assert problem == {
            "type": "urn:lgsp:error:parcel-locked",
            "title": "The provider reported a problem",
            "status": 409,
            "detail": "the parcel is being split",
        }


def _fields(envelope):  # type: ignore[no-untyped-def]
    return {name: getattr(envelope, name) for name in envelope.__dataclass_fields__}
