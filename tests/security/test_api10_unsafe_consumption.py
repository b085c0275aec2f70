"""API10 Unsafe consumption of APIs: what a provider answers is checked against the contract before a consumer
sees it, and when it breaks the contract neither the consumer's problem nor the gateway's log carries its values."""

import logging

import pytest

from tests.harness import LAND_ADDRESS, Harness
from tests.security.province import REQUEST, provider, seed

CITIZEN_ID = "045089001234"
OWNER = "Nguyễn Văn An"
BAD_REPLY = {
    "parcel_id": "19234-12-345",
    "area_m2": -312.5,  # breaks exclusiveMinimum
    "land_use": "SECRET-USE",  # not in the enum
    "owner": {"full_name": OWNER, "citizen_id": f"{CITIZEN_ID}-X"},  # breaks the pattern
}


class TestReplyBreakingItsContract:
    async def test_the_502_names_pointers_and_keywords_never_values(
        self, gateway: Harness, caplog: pytest.LogCaptureFixture
    ) -> None:
        province = await seed(gateway)
        caplog.set_level(logging.DEBUG)
        async with provider(gateway.app.state.runtime.bus, lambda _request: BAD_REPLY):
            response = await gateway.http.post(
                f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal
            )
        assert response.status_code == 502
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:reply-invalid"
        assert {(e["pointer"], e["keyword"]) for e in problem["errors"]} == {
            ("/area_m2", "exclusiveMinimum"),
            ("/land_use", "enum"),
            ("/owner/citizen_id", "pattern"),
        }
        for value in (CITIZEN_ID, "SECRET-USE", "312.5", OWNER):
            assert value not in response.text
            assert value not in caplog.text

    async def test_a_reply_that_is_not_json_is_a_502_without_its_content(self, gateway: Harness) -> None:
        province = await seed(gateway)
        bus = gateway.app.state.runtime.bus

        from contracts.addresses import Address
        from contracts.envelope import make_reply

        async def handle(request):  # type: ignore[no-untyped-def]
            await bus.reply(
                request, make_reply(request, source="urn:test", data=f"<html>{CITIZEN_ID}".encode())
            )

        subscription = await bus.subscribe([Address.parse(LAND_ADDRESS).service_topic], "test.raw", handle)
        await subscription.ready()
        try:
            response = await gateway.http.post(
                f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal
            )
        finally:
            await subscription.stop()
        assert response.status_code == 502
        assert CITIZEN_ID not in response.text

    async def test_a_reply_within_the_contract_reaches_the_consumer(self, gateway: Harness) -> None:
        province = await seed(gateway)
        good = {
            **BAD_REPLY,
            "area_m2": 312.5,
            "land_use": "ONT",
            "owner": {"full_name": OWNER, "citizen_id": CITIZEN_ID},
        }
        async with provider(gateway.app.state.runtime.bus, lambda _request: good):
            response = await gateway.http.post(
                f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal
            )
        assert (response.status_code, response.json()) == (200, good)
