from tests.harness import LAND_ADDRESS, Harness, basic, land_department


async def consumer(gateway: Harness) -> tuple[str, str]:
    await gateway.create_agency("H50.05", "Sở Tư pháp")
    return await gateway.create_client("H50.05", "h50-05-portal")


class TestGrant:
    async def test_grant_puts_the_address_in_the_clients_token_scope(self, gateway: Harness) -> None:
        await land_department(gateway)
        client_id, secret = await consumer(gateway)
        created = await gateway.post(
            "/api/v1/grants",
            {
                "client_id": client_id,
                "address": LAND_ADDRESS,
                "purpose": "Giải quyết thủ tục hành chính",
                "calls_per_minute": 60,
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["active"] is True
        token = await gateway.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
        )
        assert token.json()["scope"] == LAND_ADDRESS

    async def test_revoked_grant_leaves_the_scope_and_stays_on_record(self, gateway: Harness) -> None:
        await land_department(gateway)
        client_id, secret = await consumer(gateway)
        grant = (
            await gateway.post(
                "/api/v1/grants", {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "Tra cứu"}
            )
        ).json()
        revoked = await gateway.http.delete(f"/api/v1/grants/{grant['id']}", headers=await gateway.admin())
        assert revoked.json()["active"] is False
        assert revoked.json()["revoked_at"] is not None
        token = await gateway.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": LAND_ADDRESS},
            headers=basic(client_id, secret),
        )
        assert token.status_code == 400
        assert token.json()["error"] == "invalid_scope"

    async def test_allowed_fields_must_exist_in_the_reply(self, gateway: Harness) -> None:
        await land_department(gateway)
        client_id, _ = await consumer(gateway)
        response = await gateway.post(
            "/api/v1/grants",
            {
                "client_id": client_id,
                "address": LAND_ADDRESS,
                "purpose": "Tra cứu",
                "fields": ["/area_m2", "/owner/full_name", "/so_do"],
            },
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [{"pointer": "/fields/2", "message": "not a property"}]

    async def test_unknown_address_and_client_are_refused(self, gateway: Harness) -> None:
        await land_department(gateway)
        client_id, _ = await consumer(gateway)
        unknown_address = await gateway.post(
            "/api/v1/grants", {"client_id": client_id, "address": "H50.20/khong-co/v1", "purpose": "x" * 5}
        )
        assert unknown_address.status_code == 422
        unknown_client = await gateway.post(
            "/api/v1/grants", {"client_id": "nobody-here", "address": LAND_ADDRESS, "purpose": "x" * 5}
        )
        assert unknown_client.status_code == 422

    async def test_only_the_provider_side_may_grant(self, gateway: Harness) -> None:
        await land_department(gateway)
        client_id, _ = await consumer(gateway)
        admin_id, admin_secret = await gateway.create_client("H50.05", "h50-05-admin", role="agency_admin")
        response = await gateway.post(
            "/api/v1/grants",
            {"client_id": client_id, "address": LAND_ADDRESS, "purpose": "Tự cấp quyền"},
            headers=await gateway.auth(admin_id, admin_secret),
        )
        assert response.status_code == 403

    async def test_consumer_sees_its_own_grants_only(self, gateway: Harness) -> None:
        await land_department(gateway)
        client_id, secret = await consumer(gateway)
        await gateway.create_agency("H50.06", "Sở Y tế")
        other_id, _ = await gateway.create_client("H50.06", "h50-06-app")
        for who in (client_id, other_id):
            await gateway.post(
                "/api/v1/grants", {"client_id": who, "address": LAND_ADDRESS, "purpose": "Tra cứu"}
            )
        listed = (
            await gateway.http.get("/api/v1/grants", headers=await gateway.auth(client_id, secret))
        ).json()
        assert [g["client_id"] for g in listed["items"]] == [client_id]
