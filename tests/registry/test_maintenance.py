"""A provider's maintenance window for a service: announced with PATCH (or `lgsp service maintenance`), shown in
the catalogue and the service's OpenAPI, and enforced by the gateway with 503 `urn:lgsp:error:maintenance`
until it ends, after which calls are answered again without anyone doing anything."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.sdk import ConnectorRunner, GatewayClient, GatewayKeys
from tests.connectors.parcels import PARCELS, parcel_connector
from tests.harness import (
    LAND_ADDRESS,
    LAND_DATASET,
    LAND_SERVICE,
    Harness,
    LiveGateway,
    land_department,
    register_contract,
    run_cli,
)

SERVICE = f"/api/v1/services/{LAND_ADDRESS}"
REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}
NOTICE = "Nâng cấp máy chủ CSDL đất đai"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def window(starts: timedelta, ends: timedelta, notice: str = NOTICE) -> dict[str, Any]:
    """A window from now + `starts` to now + `ends`."""
    now = datetime.now(UTC)
    return {"from": iso(now + starts), "until": iso(now + ends), "notice": notice}


CURRENT = (timedelta(minutes=-1), timedelta(hours=1))
ANNOUNCED = (timedelta(hours=1), timedelta(hours=2))
ENDING_SOON = (timedelta(seconds=-1), timedelta(seconds=2))


async def announce(
    harness: Harness, body: dict[str, Any] | None, headers: dict[str, str] | None = None
) -> Any:
    return await harness.http.patch(
        SERVICE, json={"maintenance": body}, headers=headers or await harness.admin()
    )


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll until `check` holds (a window ending in a second or two); fail after a generous deadline."""
    for _ in range(300):
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"never: {what}")


def runner(harness: Harness) -> ConnectorRunner:
    """The land department's connector on the gateway's in-process bus."""
    transport = httpx.ASGITransport(app=harness.app)
    return ConnectorRunner(
        parcel_connector(with_contract=False),
        harness.app.state.runtime.bus,
        keys=GatewayKeys(url="http://testserver", transport=transport),
        gateway=GatewayClient("http://testserver", transport=transport),
    )


@pytest.fixture
async def land(gateway: Harness) -> Harness:
    await land_department(gateway)
    return gateway


@pytest.fixture
async def consumer(land: Harness) -> dict[str, str]:
    """A client of Sở Tư pháp (H50.05) holding a grant for the land-parcel lookup."""
    await land.create_agency("H50.05", "Sở Tư pháp")
    client_id, secret = await land.create_client("H50.05", "h50-05-portal")
    granted = await land.post(
        "/api/v1/grants", {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "Thủ tục hành chính"}
    )
    assert granted.status_code == 201, granted.text
    return await land.auth(client_id, secret)


async def call(harness: Harness, headers: dict[str, str] | None) -> httpx.Response:
    return await harness.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers or {})


class TestAnnounceReadAndClear:
    async def test_the_window_is_set_read_back_and_cleared(self, land: Harness) -> None:
        body = window(*ANNOUNCED)
        response = await announce(land, body)
        assert response.status_code == 200, response.text
        shown = response.json()["maintenance"]
        assert shown["notice"] == NOTICE
        assert datetime.fromisoformat(shown["from"]) == datetime.fromisoformat(body["from"])
        assert datetime.fromisoformat(shown["until"]) == datetime.fromisoformat(body["until"])

        assert (await land.http.get(SERVICE)).json()["maintenance"] == shown
        assert (await land.http.get(f"{SERVICE.removesuffix('/v1')}")).json()[0]["maintenance"] == shown
        assert (await land.http.get(f"{SERVICE.removesuffix('/v1')}/1.0.0")).json()["maintenance"] == shown

        cleared = await announce(land, None)
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["maintenance"] is None
        assert (await land.http.get(SERVICE)).json()["maintenance"] is None

    async def test_other_changes_leave_the_window_as_it_is(self, land: Harness) -> None:
        await announce(land, window(*ANNOUNCED))
        response = await land.http.patch(SERVICE, json={"capture_payloads": True}, headers=await land.admin())
        assert response.status_code == 200, response.text
        assert response.json()["maintenance"]["notice"] == NOTICE

    async def test_the_providers_own_manager_may_announce(self, land: Harness) -> None:
        client_id, secret = await land.create_client("H50.20", "h50-20-admin", role="agency_admin")
        response = await announce(land, window(*ANNOUNCED), await land.auth(client_id, secret))
        assert response.status_code == 200, response.text


class TestRefusals:
    @pytest.mark.parametrize(
        ("body", "where"),
        [
            (window(timedelta(hours=2), timedelta(hours=1)), "until must be after"),
            (window(timedelta(hours=1), timedelta(hours=1)), "until must be after"),
            (window(*ANNOUNCED, notice="x" * 501), "/maintenance/notice"),
            (window(*ANNOUNCED, notice="   "), "/maintenance/notice"),
            ({"from": "2026-12-24T08:00:00", "until": "2026-12-24T09:00:00", "notice": NOTICE}, "timezone"),
            ({"until": "2099-12-24T09:00:00Z", "notice": NOTICE}, "/maintenance/from"),
        ],
        ids=["ends-before-it-starts", "empty", "notice-too-long", "blank-notice", "no-zone", "no-from"],
    )
    async def test_a_bad_window_is_422(self, land: Harness, body: dict[str, Any], where: str) -> None:
        response = await announce(land, body)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:invalid-input"
        assert where in problem["detail"]
        assert (await land.http.get(SERVICE)).json()["maintenance"] is None

    async def test_a_window_that_has_ended_is_422(self, land: Harness) -> None:
        response = await announce(land, window(timedelta(hours=-2), timedelta(hours=-1)))
        assert response.status_code == 422, response.text
        assert response.json()["type"] == "urn:lgsp:error:invalid-input"
        assert "ended already" in response.json()["detail"]

    async def test_a_dataset_has_no_maintenance_window(self, land: Harness) -> None:
        assert (await register_contract(land, LAND_DATASET)).status_code == 201
        response = await land.http.patch(
            "/api/v1/datasets/H50.20/thua-dat/v1",
            json={"maintenance": window(*ANNOUNCED)},
            headers=await land.admin(),
        )
        assert response.status_code == 422, response.text
        assert "maintenance windows are announced for services" in response.json()["detail"]

    async def test_another_agencys_manager_is_403(self, land: Harness) -> None:
        await land.create_agency("H50.21", "Sở Xây dựng")
        client_id, secret = await land.create_client("H50.21", "h50-21-admin", role="agency_admin")
        response = await announce(land, window(*CURRENT), await land.auth(client_id, secret))
        assert response.status_code == 403, response.text
        assert (await land.http.get(SERVICE)).json()["maintenance"] is None

    async def test_a_consumer_is_403(self, land: Harness, consumer: dict[str, str]) -> None:
        assert (await announce(land, window(*CURRENT), consumer)).status_code == 403

    async def test_anonymous_is_401_whatever_the_body(self, land: Harness) -> None:
        for body in (window(*CURRENT), {"from": "nonsense"}):
            response = await land.http.patch(SERVICE, json={"maintenance": body})
            assert response.status_code == 401, response.text


class TestCallsInsideTheWindow:
    async def test_a_call_is_503_with_retry_after_and_the_notice_and_logged(
        self, land: Harness, consumer: dict[str, str]
    ) -> None:
        assert (await announce(land, window(*CURRENT))).status_code == 200
        async with runner(land):
            response = await call(land, consumer)

        assert response.status_code == 503, response.text
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:maintenance"
        assert LAND_ADDRESS in problem["detail"]
        assert NOTICE in problem["detail"]
        assert problem["notice"] == NOTICE
        assert int(response.headers["retry-after"]) >= 1
        logged = await land.http.get(
            f"/api/v1/exchanges/{response.headers['x-exchange-id']}", headers=await land.admin()
        )
        assert logged.status_code == 200, logged.text
        assert (logged.json()["outcome"], logged.json()["http_status"]) == ("maintenance", 503)
        assert logged.json()["error_type"] == "maintenance"

    async def test_callers_who_may_not_call_learn_nothing_of_it(
        self, land: Harness, consumer: dict[str, str]
    ) -> None:
        await announce(land, window(*CURRENT))
        assert (await call(land, None)).status_code == 401
        client_id, secret = await land.create_client("H50.05", "h50-05-other")
        refused = await call(land, await land.auth(client_id, secret))
        assert refused.status_code == 403
        assert refused.json()["type"] != "urn:lgsp:error:maintenance"

    async def test_the_request_body_is_not_needed(self, land: Harness, consumer: dict[str, str]) -> None:
        await announce(land, window(*CURRENT))
        response = await land.http.post(f"/exchange/{LAND_ADDRESS}", json={"bad": True}, headers=consumer)
        assert response.json()["type"] == "urn:lgsp:error:maintenance"


class TestCallsOutsideTheWindow:
    async def test_before_an_announced_window_calls_are_answered(
        self, land: Harness, consumer: dict[str, str]
    ) -> None:
        await announce(land, window(*ANNOUNCED))
        async with runner(land):
            response = await call(land, consumer)
        assert response.status_code == 200, response.text
        assert response.json() == PARCELS[("19234", 12, 345)]

    async def test_after_the_window_calls_are_answered_with_nothing_done(
        self, land: Harness, consumer: dict[str, str]
    ) -> None:
        assert (await announce(land, window(*ENDING_SOON))).status_code == 200
        async with runner(land):
            inside = await call(land, consumer)
            assert inside.status_code == 503, inside.text  # the window is a couple of seconds long
            assert inside.json()["type"] == "urn:lgsp:error:maintenance"

            async def answered() -> bool:
                response = await call(land, consumer)
                assert response.status_code in (200, 503), response.text
                return response.status_code == 200

            await eventually(answered, "the call is answered once the window is over")

    async def test_a_cleared_window_stops_at_once(self, land: Harness, consumer: dict[str, str]) -> None:
        await announce(land, window(*CURRENT))
        assert (await call(land, consumer)).status_code == 503
        await announce(land, None)
        async with runner(land):
            assert (await call(land, consumer)).status_code == 200


async def catalogued(harness: Harness) -> dict[str, Any]:
    entries = (await harness.http.get("/api/v1/catalogue", params={"kind": "service"})).json()
    return next(entry for entry in entries if entry["address"] == LAND_ADDRESS)


def operation(spec: dict[str, Any]) -> dict[str, Any]:
    return dict(spec["paths"][f"/exchange/{LAND_ADDRESS}"]["post"])


class TestCatalogueAndOpenApi:
    async def test_they_show_a_window_until_it_ends(self, land: Harness) -> None:
        assert (await announce(land, window(*ENDING_SOON))).status_code == 200
        entry = await catalogued(land)
        assert entry["maintenance"]["notice"] == NOTICE
        spec = (await land.http.get(f"{SERVICE}/openapi.json")).json()
        post = operation(spec)
        assert post["x-lgsp-maintenance"]["notice"] == NOTICE
        assert NOTICE in post["description"]
        assert spec["info"]["x-lgsp-maintenance"] == post["x-lgsp-maintenance"]
        example = post["responses"]["503"]["content"]["application/problem+json"]["examples"]["maintenance"]
        assert example["value"]["type"] == "urn:lgsp:error:maintenance"
        assert "Retry-After" in post["responses"]["503"]["headers"]
        whole = (await land.http.get("/api/v1/catalogue/openapi.json")).json()
        assert operation(whole)["x-lgsp-maintenance"] == post["x-lgsp-maintenance"]

        async def hidden() -> bool:
            return (await catalogued(land))["maintenance"] is None

        await eventually(hidden, "the catalogue stops showing an ended window")
        post = operation((await land.http.get(f"{SERVICE}/openapi.json")).json())
        assert "x-lgsp-maintenance" not in post
        assert NOTICE not in post["description"]
        assert post["responses"]["503"] == {"$ref": "#/components/responses/ServiceUnavailable"}
        assert "x-lgsp-maintenance" not in operation(
            (await land.http.get("/api/v1/catalogue/openapi.json")).json()
        )
        assert (await land.http.get(SERVICE)).json()["maintenance"] is None

    async def test_an_announced_window_is_shown_before_it_starts(self, land: Harness) -> None:
        await announce(land, window(*ANNOUNCED))
        assert (await catalogued(land))["maintenance"]["notice"] == NOTICE
        post = operation((await land.http.get(f"{SERVICE}/openapi.json")).json())
        assert post["x-lgsp-maintenance"]["notice"] == NOTICE


class TestFromTheCommandLine:
    async def test_announce_show_and_clear(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        for args in (
            ["agency", "create", "H50.20", "Sở Tài nguyên và Môi trường"],
            ["database", "create", "H50.20", "csdl-dat-dai", "CSDL đất đai"],
            ["contract", "register", str(LAND_SERVICE)],
        ):
            assert (await run_cli(args, env)).exit_code == 0
        body = window(*ANNOUNCED)
        announced = await run_cli(
            ["service", "maintenance", LAND_ADDRESS, "--from", body["from"], "--until", body["until"],
             "--notice", NOTICE],
            env,
        )  # fmt: skip
        assert announced.exit_code == 0, announced.output
        assert NOTICE in announced.output
        catalogue = json.loads((await run_cli(["catalogue", "--json"], env)).output)
        assert catalogue[0]["maintenance"]["notice"] == NOTICE

        cleared = await run_cli(["service", "maintenance", LAND_ADDRESS, "--clear"], env)
        assert cleared.exit_code == 0, cleared.output
        assert "cleared" in cleared.output
        catalogue = json.loads((await run_cli(["catalogue", "--json"], env)).output)
        assert catalogue[0]["maintenance"] is None

    async def test_mistakes_are_one_line(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        for args in (
            ["service", "maintenance", LAND_ADDRESS],
            ["service", "maintenance", LAND_ADDRESS, "--clear", "--notice", NOTICE],
            ["service", "maintenance", "tra-cuu-thua-dat", "--clear"],
        ):
            result = await run_cli(args, env)
            assert result.exit_code == 2, result.output
            assert "Traceback" not in result.output
        body = window(timedelta(hours=2), timedelta(hours=1))
        refused = await run_cli(
            ["service", "maintenance", "H50.20/khong-co/v1", "--from", body["from"], "--until", body["until"],
             "--notice", NOTICE],
            env,
        )  # fmt: skip
        assert refused.exit_code == 1
        assert "Traceback" not in refused.output
