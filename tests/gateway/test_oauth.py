import base64

import jwt as pyjwt

from tests.harness import ADMIN_ID, ADMIN_SECRET, Harness, basic


class TestTokenEndpoint:
    async def test_token_verifies_with_an_independent_library_against_the_jwks(
        self, gateway: Harness
    ) -> None:
        response = await gateway.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(ADMIN_ID, ADMIN_SECRET)
        )
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer"
        jwks = (await gateway.http.get("/.well-known/jwks.json")).json()
        kid = pyjwt.get_unverified_header(body["access_token"])["kid"]
        key = next(pyjwt.PyJWK(k) for k in jwks["keys"] if k["kid"] == kid)
        assert "d" not in next(k for k in jwks["keys"] if k["kid"] == kid)
        claims = pyjwt.decode(
            body["access_token"],
            key.key,
            algorithms=["ES256"],
            audience="lgsp",
            issuer=gateway.settings.issuer,
        )
        assert claims["sub"] == ADMIN_ID
        assert "lgsp:admin" in claims["scope"].split()

    async def test_credentials_in_the_form_work_too(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": ADMIN_ID, "client_secret": ADMIN_SECRET},
        )
        assert response.status_code == 200

    async def test_wrong_secret_is_invalid_client(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(ADMIN_ID, "wrong")
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.headers["www-authenticate"].startswith("Basic")

    async def test_other_grant_types_are_unsupported(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/oauth/token", data={"grant_type": "password"}, headers=basic(ADMIN_ID, ADMIN_SECRET)
        )
        assert response.status_code == 400
        assert response.json()["error"] == "unsupported_grant_type"

    async def test_scope_beyond_the_clients_is_invalid_scope(self, gateway: Harness) -> None:
        client_id, secret = await gateway.create_client("H50", "h50-portal")
        response = await gateway.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "lgsp:admin"},
            headers=basic(client_id, secret),
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"

    async def test_garbage_basic_header_is_a_clear_error(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


class TestMetadata:
    async def test_server_metadata_points_at_token_endpoint_and_jwks(self, gateway: Harness) -> None:
        metadata = (await gateway.http.get("/.well-known/oauth-authorization-server")).json()
        assert metadata["issuer"] == gateway.settings.issuer
        assert metadata["token_endpoint"].endswith("/oauth/token")
        assert metadata["grant_types_supported"] == ["client_credentials"]


class TestKeyRotation:
    async def test_old_key_stays_published_and_its_tokens_still_verify(self, gateway: Harness) -> None:
        from gateway.oauth.keys import KeyRing

        old_token = await gateway.token(ADMIN_ID, ADMIN_SECRET)
        async with gateway.app.state.sessionmaker() as session:
            new_kid = await KeyRing.rotate(session, gateway.settings.issuer)
        ring = await KeyRing.load(
            gateway.app.state.sessionmaker, gateway.settings.token_ttl_seconds, gateway.settings.issuer
        )
        assert ring.kid == new_kid
        assert len(ring.public_keys["keys"]) == 2
        gateway.app.state.tokens.keyring = ring
        gateway.app.state.tokens.forget()
        assert (
            await gateway.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {old_token}"})
        ).status_code == 200
