from tests.harness import Harness, basic


class TestClientSecret:
    async def test_secret_is_shown_once_and_works(self, gateway: Harness) -> None:
        created = await gateway.post("/api/v1/clients", {"agency": "H50", "name": "Cổng dịch vụ công"})
        assert created.status_code == 201
        body = created.json()
        assert body["client_id"].startswith("h50-")
        assert created.headers["cache-control"] == "no-store"

        shown = await gateway.http.get(f"/api/v1/clients/{body['client_id']}", headers=await gateway.admin())
        assert "client_secret" not in shown.json()
        assert "secret_hash" not in shown.json()
        token = await gateway.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers=basic(body["client_id"], body["client_secret"]),
        )
        assert token.status_code == 200

    async def test_secret_is_stored_hashed(self, gateway: Harness) -> None:
        from registry.clients.models import Client

        client_id, secret = await gateway.create_client("H50", "h50-portal")
        async with gateway.app.state.sessionmaker() as session:
            stored = await session.get(Client, client_id)
        assert stored is not None
        assert secret not in stored.secret_hash
        assert stored.secret_hash.startswith("$argon2id$")

    async def test_rotation_replaces_the_secret(self, gateway: Harness) -> None:
        client_id, old = await gateway.create_client("H50", "h50-portal")
        rotated = await gateway.http.post(
            f"/api/v1/clients/{client_id}/secret", headers=await gateway.admin()
        )
        new = rotated.json()["client_secret"]
        assert new != old
        form = {"grant_type": "client_credentials"}
        assert (
            await gateway.http.post("/oauth/token", data=form, headers=basic(client_id, old))
        ).status_code == 401
        assert (
            await gateway.http.post("/oauth/token", data=form, headers=basic(client_id, new))
        ).status_code == 200


class TestDisabledClient:
    async def test_disabled_client_gets_no_token(self, gateway: Harness) -> None:
        client_id, secret = await gateway.create_client("H50", "h50-portal")
        response = await gateway.http.patch(
            f"/api/v1/clients/{client_id}", json={"disabled": True}, headers=await gateway.admin()
        )
        assert response.json()["disabled"] is True
        token = await gateway.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
        )
        assert token.status_code == 401
        assert token.json()["error"] == "invalid_client"


class TestClientVisibility:
    async def test_agency_sees_only_its_own_clients(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_agency("H50.21", "Sở Xây dựng")
        own_id, own_secret = await gateway.create_client("H50.20", "h50-20-app")
        other_id, _ = await gateway.create_client("H50.21", "h50-21-app")
        headers = await gateway.auth(own_id, own_secret)

        listed = (await gateway.http.get("/api/v1/clients", headers=headers)).json()
        assert [c["client_id"] for c in listed["items"]] == [own_id]
        assert (await gateway.http.get(f"/api/v1/clients/{other_id}", headers=headers)).status_code == 404

    async def test_only_a_platform_admin_creates_admin_clients(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        client_id, secret = await gateway.create_client("H50.20", "h50-20-admin", role="agency_admin")
        response = await gateway.post(
            "/api/v1/clients",
            {"agency": "H50.20", "name": "x", "role": "admin"},
            headers=await gateway.auth(client_id, secret),
        )
        assert response.status_code == 403
