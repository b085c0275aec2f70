"""What the gateway decides before a request reaches the bus: each refusal its own problem, each one logged."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.oauth.tokens import TokenService
from tests.harness import LAND_ADDRESS, Harness, gateway_settings, land_department, running_gateway

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}


@pytest.fixture
async def land(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """A gateway with the land-parcel service, a consumer client holding a grant, and no connector running."""
    settings = gateway_settings(database_url, tmp_path_factory.mktemp("data"), reply_timeout_seconds=0.5)
    async with running_gateway(settings) as harness:
        await land_department(harness)
        await harness.create_agency("H50.05", "Sở Tư pháp")
        await harness.create_client("H50.05", "h50-05-portal")
        await harness.create_client("H50.05", "h50-05-other")
        grant = await harness.post(
            "/api/v1/grants",
            {
                "client_id": "h50-05-portal",
                "address": LAND_ADDRESS,
                "purpose": "Thủ tục hành chính",
                "calls_per_minute": 3,
            },
        )
        assert grant.status_code == 201
        yield harness


async def portal_headers(harness: Harness) -> dict[str, str]:
    secret = await harness.http.post("/api/v1/clients/h50-05-portal/secret", headers=await harness.admin())
    return await harness.auth("h50-05-portal", secret.json()["client_secret"])


async def call(harness: Harness, headers: dict[str, str], body: Any = REQUEST, **extra: str) -> Any:
    return await harness.http.post(f"/exchange/{LAND_ADDRESS}", json=body, headers={**headers, **extra})


async def logged(harness: Harness, exchange_id: str) -> dict[str, Any]:
    response = await harness.http.get(f"/api/v1/exchanges/{exchange_id}", headers=await harness.admin())
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestAuthentication:
    async def test_missing_token_is_401_and_logged(self, land: Harness) -> None:
        response = await land.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST)
        assert response.status_code == 401
        assert response.json()["type"] == "urn:lgsp:error:unauthorized"
        record = await logged(land, response.headers["x-exchange-id"])
        assert (record["outcome"], record["http_status"]) == ("rejected", 401)

    @pytest.mark.parametrize("kind", ["expired", "wrong-audience", "forged"])
    async def test_bad_tokens_are_refused(self, land: Harness, kind: str) -> None:
        tokens: TokenService = land.app.state.tokens
        if kind == "forged":  # the right claims, signed by a key that only claims the gateway's kid
            from joserfc import jwt
            from joserfc.jwk import ECKey

            genuine = jwt.decode(
                tokens.issue("h50-05-portal", "H50.05", [LAND_ADDRESS]), tokens.keyring.tokens.key_set
            )
            impostor = ECKey.generate_key("P-256", private=True)
            token = jwt.encode(dict(genuine.header), dict(genuine.claims), impostor)
        else:
            ttl, audience = (-60, tokens.audience) if kind == "expired" else (60, "somebody-else")
            issuer = TokenService(tokens.keyring, issuer=tokens.issuer, audience=audience, ttl_seconds=ttl)
            token = issuer.issue("h50-05-portal", "H50.05", [LAND_ADDRESS])
        response = await call(land, {"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert "invalid_token" in response.headers["www-authenticate"]


class TestAuthorisation:
    async def test_client_without_a_grant_gets_403(self, land: Harness) -> None:
        secret = (
            await land.http.post("/api/v1/clients/h50-05-other/secret", headers=await land.admin())
        ).json()
        response = await call(land, await land.auth("h50-05-other", secret["client_secret"]))
        assert response.status_code == 403
        assert response.json()["type"] in ("urn:lgsp:error:insufficient-scope", "urn:lgsp:error:no-grant")

    async def test_token_without_the_service_scope_gets_403(self, land: Harness) -> None:
        tokens: TokenService = land.app.state.tokens
        token = tokens.issue("h50-05-portal", "H50.05", ["H50.20/other-service/v1"])
        response = await call(land, {"Authorization": f"Bearer {token}"})
        assert response.status_code == 403
        assert response.json()["type"] == "urn:lgsp:error:insufficient-scope"

    async def test_revoked_grant_takes_effect_at_once(self, land: Harness) -> None:
        headers = await portal_headers(land)
        assert (await call(land, headers)).status_code == 504  # admitted; no connector answers
        grants = (await land.http.get("/api/v1/grants", headers=await land.admin())).json()["items"]
        await land.http.delete(f"/api/v1/grants/{grants[0]['id']}", headers=await land.admin())
        response = await call(land, headers)
        assert response.status_code == 403
        assert response.json()["type"] == "urn:lgsp:error:no-grant"

    async def test_disabled_client_is_refused_with_a_valid_token(self, land: Harness) -> None:
        headers = await portal_headers(land)
        await land.http.patch(
            "/api/v1/clients/h50-05-portal", json={"disabled": True}, headers=await land.admin()
        )
        assert (await call(land, headers)).status_code == 401


class TestRequestChecks:
    async def test_unknown_service_and_version_are_404(self, land: Harness) -> None:
        headers = await portal_headers(land)
        for address in ("H50.20/tra-cuu-thua-dat/v9", "H50.20/khong-ton-tai/v1"):
            response = await land.http.post(f"/exchange/{address}", json=REQUEST, headers=headers)
            assert response.status_code == 404
            assert response.json()["type"] == "urn:lgsp:error:unknown-service"

    async def test_request_against_the_contract_is_422_with_pointers(self, land: Harness) -> None:
        response = await call(land, await portal_headers(land), {"commune_code": "1923", "map_sheet": "12"})
        assert response.status_code == 422
        problem = response.json()
        pointers = {error["pointer"] for error in problem["errors"]}
        assert {"/commune_code", "/map_sheet"} <= pointers or "" in pointers
        record = await logged(land, problem["exchange_id"])
        assert (record["outcome"], record["error_type"]) == ("client_error", "request-invalid")

    async def test_malformed_json_is_400(self, land: Harness) -> None:
        headers = {**await portal_headers(land), "Content-Type": "application/json"}
        response = await land.http.post(f"/exchange/{LAND_ADDRESS}", content=b"{nope", headers=headers)
        assert response.status_code == 400
        assert response.json()["type"] == "urn:lgsp:error:malformed-json"

    async def test_other_media_type_is_415(self, land: Harness) -> None:
        headers = {**await portal_headers(land), "Content-Type": "text/plain"}
        response = await land.http.post(f"/exchange/{LAND_ADDRESS}", content=b"hello", headers=headers)
        assert response.status_code == 415

    async def test_oversized_body_is_413_and_logged(self, land: Harness) -> None:
        body = {**REQUEST, "padding": "x" * (land.settings.max_body_bytes + 10)}
        response = await call(land, await portal_headers(land), body)
        assert response.status_code == 413
        record = await logged(land, response.headers["x-exchange-id"])
        assert record["http_status"] == 413


class TestCallRate:
    async def test_calls_over_the_grants_rate_get_429_with_retry_after(self, land: Harness) -> None:
        headers = await portal_headers(land)
        statuses = [(await call(land, headers, {"commune_code": "x"})).status_code for _ in range(3)]
        assert statuses == [422, 422, 422]
        limited = await call(land, headers)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1


class TestTimeout:
    async def test_no_connector_gives_504_and_the_log_says_timeout(self, land: Harness) -> None:
        response = await call(land, await portal_headers(land))
        assert response.status_code == 504
        record = await logged(land, response.json()["exchange_id"])
        assert record["outcome"] == "timeout"
        assert record["sent_at"] is not None


class TestRequestIds:
    async def test_client_request_id_is_echoed_and_logged(self, land: Harness) -> None:
        response = await call(
            land, await portal_headers(land), {"bad": 1}, **{"X-Request-ID": "ho-so-000123"}
        )
        assert response.headers["x-request-id"] == "ho-so-000123"
        record = await logged(land, response.headers["x-exchange-id"])
        assert record["request_id"] == "ho-so-000123"
        assert record["consumer_agency"] == "H50.05"
        assert record["provider_agency"] == "H50.20"
