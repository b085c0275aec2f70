"""The log comes first: a call whose record cannot be written is refused, and captured payloads are stored
masked and encrypted."""

from sqlalchemy import text

from tests.connectors.parcels import parcel_connector
from tests.harness import LAND_ADDRESS, Harness, land_department

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}


async def portal(gateway: Harness) -> dict[str, str]:
    await gateway.create_agency("H50.01", "Văn phòng UBND tỉnh")
    client_id, secret = await gateway.create_client("H50.01", "mot-cua-tinh")
    grant = {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "giải quyết thủ tục đất đai"}
    assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
    return await gateway.auth(client_id, secret)


class TestUnwritableLog:
    async def test_the_call_is_refused_with_503_and_nothing_reaches_the_provider(
        self, gateway: Harness
    ) -> None:
        await land_department(gateway)
        headers = await portal(gateway)
        engine = gateway.app.state.runtime.engine
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE exchange RENAME TO exchange_away"))
        try:
            response = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
        finally:
            async with engine.begin() as connection:
                await connection.execute(text("ALTER TABLE exchange_away RENAME TO exchange"))
        assert response.status_code == 503
        assert response.json()["type"] == "urn:lgsp:error:log-unavailable"
        ready = await gateway.http.get("/readyz")
        assert ready.json()["checks"]["exchange_log"] == "unavailable"


class TestCapturedPayloads:
    async def test_stored_encrypted_and_masked_shown_to_the_parties(self, gateway: Harness) -> None:
        from connectors.sdk import ConnectorRunner, GatewayKeys

        await land_department(gateway)
        headers = await portal(gateway)
        capture = await gateway.http.patch(
            f"/api/v1/services/{LAND_ADDRESS}", json={"capture_payloads": True}, headers=await gateway.admin()
        )
        assert capture.status_code == 200
        runtime = gateway.app.state.runtime
        runner = ConnectorRunner(
            parcel_connector(),
            runtime.bus,
            keys=GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set),
        )
        async with runner:
            response = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=headers)
        assert response.status_code == 200
        assert response.json()["owner"]["citizen_id"] == "045089001234"  # the consumer gets the real answer
        exchange_id = response.headers["x-exchange-id"]

        async with runtime.engine.connect() as connection:
            stored = (
                await connection.execute(
                    text("SELECT response_payload FROM exchange WHERE id = :id"), {"id": exchange_id}
                )
            ).scalar_one()
        for plain in ("045089001234", "Nguyễn", "parcel_id"):  # not even the unmasked field names
            assert plain not in stored

        logged = (await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=headers)).json()
        assert logged["response_payload"]["owner"] == {"full_name": "***", "citizen_id": "***"}
        assert logged["response_payload"]["parcel_id"] == "19234-12-345"
