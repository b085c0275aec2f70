import asyncio
import base64
from pathlib import Path

import jwt as pyjwt

from tests.harness import ADMIN_ID, ADMIN_SECRET, Harness, basic, gateway_settings, running_gateway


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


class TestKeyRotationWithoutRestart:
    async def test_a_new_key_is_published_at_once_and_signs_once_every_gateway_has_it(
        self, gateway: Harness
    ) -> None:
        from gateway.oauth.keys import KeyRing

        ring = gateway.app.state.runtime.keyring
        old_token = await fresh_token(gateway)
        old_kids = ring.tokens.kid, ring.envelopes.kid
        async with gateway.app.state.sessionmaker() as session:
            new_kids = await KeyRing.rotate(session, gateway.settings.issuer)
        await ring.refresh()  # what each gateway's periodic registry refresh does

        for path, old, new in zip(
            ("/.well-known/jwks.json", "/.well-known/envelope-jwks.json"), old_kids, new_kids, strict=True
        ):
            published = {key["kid"] for key in (await gateway.http.get(path)).json()["keys"]}
            assert published == {old, new}
        # published, but not signing yet: a gateway that has not refreshed would not know it
        assert (ring.tokens.kid, ring.envelopes.kid) == old_kids
        assert pyjwt.get_unverified_header(await fresh_token(gateway))["kid"] == old_kids[0]

        await backdate(
            gateway, new_kids, seconds=gateway.settings.registry_refresh_seconds
        )  # a handover later
        await ring.refresh()
        assert (ring.tokens.kid, ring.envelopes.kid) == tuple(new_kids)
        new_token = await fresh_token(gateway)
        assert pyjwt.get_unverified_header(new_token)["kid"] == new_kids[0]
        for token in (old_token, new_token):  # the retired key still verifies what it signed
            response = await gateway.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200

    async def test_the_periodic_refresh_publishes_a_rotation_without_restart(
        self, database_url: str, tmp_path: Path
    ) -> None:
        from gateway.oauth.keys import KeyRing

        settings = gateway_settings(database_url, tmp_path, registry_refresh_seconds=0.2)
        async with running_gateway(settings) as running:
            async with running.app.state.sessionmaker() as session:
                new_token_kid, _ = await KeyRing.rotate(session, settings.issuer)
            for _ in range(100):
                token = await fresh_token(running)
                if pyjwt.get_unverified_header(token)["kid"] == new_token_kid:
                    break
                await asyncio.sleep(0.1)
            assert pyjwt.get_unverified_header(token)["kid"] == new_token_kid
            response = await running.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200


async def fresh_token(gateway: Harness) -> str:
    """A token issued now (the harness keeps the first one it got)."""
    form = {"grant_type": "client_credentials"}
    response = await gateway.http.post("/oauth/token", data=form, headers=basic(ADMIN_ID, ADMIN_SECRET))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def backdate(gateway: Harness, kids: list[str], *, seconds: float) -> None:
    from datetime import timedelta

    from gateway.oauth.models import SigningKey

    async with gateway.app.state.sessionmaker() as session:
        for kid in kids:
            key = await session.get(SigningKey, kid)
            assert key is not None
            key.created_at -= timedelta(seconds=seconds)
            session.add(key)
        await session.commit()
