"""A former address after a merger: answered by the successor's service, deprecated, then refused after the sunset."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.sdk import ConnectorRunner, GatewayKeys
from tests.connectors.parcels import parcel_connector
from tests.delivery.signers import register_signer
from tests.harness import LAND_ADDRESS, Harness, land_department
from tests.registry.test_succession import registered_on

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}
SUCCESSOR_ADDRESS = "H50.30/tra-cuu-thua-dat/v1"
VIETNAM = timezone(timedelta(hours=7))


def days_ago(days: int) -> date:
    return datetime.now(VIETNAM).date() - timedelta(days=days)


async def land_with_consumer(gateway: Harness) -> tuple[dict[str, str], tuple[str, str]]:
    """The land service, the successor H50.30, and a consumer's headers with a token issued before any merger."""
    await land_department(gateway)
    await registered_on(gateway, ["H50.20"], datetime(2024, 8, 7, tzinfo=VIETNAM))
    await gateway.create_agency("H50.30", "Sở Nông nghiệp và Môi trường")
    client_id, secret = await gateway.create_client("H50.05", "h50-05-portal")
    grant = {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "Thủ tục hành chính"}
    assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
    return await gateway.auth(client_id, secret), (client_id, secret)


async def logged(gateway: Harness, exchange_id: str) -> dict[str, Any]:
    response = await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=await gateway.admin())
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestFormerAddressAfterAMerger:
    async def test_answered_by_the_successor_with_deprecation_sunset_and_link(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.05", "Sở Tư pháp")
        headers, credentials = await land_with_consumer(gateway)
        await gateway.create_client("H50.20", "ket-noi-tnmt")  # the provider's client, which signs replies
        signer = await register_signer(gateway, "ket-noi-tnmt")
        merged_on = days_ago(1)
        merge = {"from": ["H50.20"], "into": "H50.30", "at": merged_on.isoformat(), "sunset_days": 90}
        assert (await gateway.post("/api/v1/agencies/merge", merge)).status_code == 200
        runtime = gateway.app.state.runtime
        keys = GatewayKeys(key_set=runtime.keyring.envelopes.key_set)
        runner = ConnectorRunner(parcel_connector(), runtime.bus, keys=keys, signer=signer)
        await runner.start()
        try:
            old = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
            # a token asked for after the merger names the new address
            fresh = await gateway.auth(*credentials, scope=SUCCESSOR_ADDRESS)
            new = await gateway.http.post(f"/exchange/{SUCCESSOR_ADDRESS}", json=REQUEST, headers=fresh)
        finally:
            await runner.stop()

        assert old.status_code == 200, old.text
        assert old.json()["parcel_id"] == "19234-12-345"
        start = datetime.combine(merged_on, time(), VIETNAM)
        assert old.headers["deprecation"] == f"@{int(start.timestamp())}"
        assert parsedate_to_datetime(old.headers["sunset"]) == (start + timedelta(days=90)).astimezone(UTC)
        assert old.headers["link"] == f'</exchange/{SUCCESSOR_ADDRESS}>; rel="successor-version"'
        record = await logged(gateway, old.headers["x-exchange-id"])
        assert (record["address"], record["provider_agency"], record["outcome"]) == (
            SUCCESSOR_ADDRESS,
            "H50.30",
            "ok",
        )

        assert new.status_code == 200, new.text
        assert "deprecation" not in new.headers

    async def test_refused_after_the_sunset_naming_the_successor(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.05", "Sở Tư pháp")
        headers, _ = await land_with_consumer(gateway)
        merge = {"from": ["H50.20"], "into": "H50.30", "at": days_ago(100).isoformat(), "sunset_days": 30}
        assert (await gateway.post("/api/v1/agencies/merge", merge)).status_code == 200

        gone = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
        assert gone.status_code == 410
        problem = gone.json()
        assert problem["type"] == "urn:lgsp:error:address-retired"
        assert problem["successor"] == f"/exchange/{SUCCESSOR_ADDRESS}"
        assert SUCCESSOR_ADDRESS in problem["detail"]
        assert gone.headers["link"] == f'</exchange/{SUCCESSOR_ADDRESS}>; rel="successor-version"'
        record = await logged(gateway, gone.headers["x-exchange-id"])
        assert (record["address"], record["http_status"]) == (LAND_ADDRESS, 410)

    async def test_an_address_that_never_existed_is_still_unknown(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.05", "Sở Tư pháp")
        headers, _ = await land_with_consumer(gateway)
        merge = {"from": ["H50.20"], "into": "H50.30", "at": days_ago(1).isoformat()}
        assert (await gateway.post("/api/v1/agencies/merge", merge)).status_code == 200
        unknown = await gateway.http.post("/exchange/H50.20/khong-co/v1", json=REQUEST, headers=headers)
        assert unknown.status_code == 404
        assert "deprecation" not in unknown.headers
