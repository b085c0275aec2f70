"""API2 Broken authentication: `/oauth/token` answers unknown clients as slowly as wrong secrets, throttles failed
attempts per client id and per source address, and only access tokens (`typ` at+jwt) are accepted as tokens."""

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from joserfc import jwt

from registry.clients import secrets as client_secrets
from tests.harness import ADMIN_ID, ADMIN_SECRET, Harness, basic, gateway_settings, running_gateway

FORM = {"grant_type": "client_credentials"}


async def token_attempt(harness: Harness, client_id: str, secret: str) -> Any:
    return await harness.http.post("/oauth/token", data=FORM, headers=basic(client_id, secret))


class CountingHasher:
    """The Argon2 hasher, counting verifications."""

    def __init__(self, hasher: Any) -> None:
        self.hasher, self.verified = hasher, 0

    def hash(self, secret: str) -> str:
        return str(self.hasher.hash(secret))

    def verify(self, secret_hash: str, secret: str) -> bool:
        self.verified += 1
        return bool(self.hasher.verify(secret_hash, secret))


class TestUnknownClientsCostAsMuchAsWrongSecrets:
    async def test_an_unknown_client_is_checked_against_a_hash_like_a_known_one(
        self, gateway: Harness, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        counting = CountingHasher(client_secrets._hasher)
        monkeypatch.setattr(client_secrets, "_hasher", counting)
        await token_attempt(gateway, ADMIN_ID, "wrong")
        known = counting.verified
        unknown = await token_attempt(gateway, "no-such-client", "wrong")
        assert unknown.status_code == 401
        assert known == 1
        assert counting.verified - known == 1  # the same Argon2 work: the time does not tell ids apart

    async def test_a_disabled_client_is_refused_like_a_wrong_secret(self, gateway: Harness) -> None:
        client_id, secret = await gateway.create_client("H50", "h50-old-portal")
        await gateway.http.patch(
            f"/api/v1/clients/{client_id}", json={"disabled": True}, headers=await gateway.admin()
        )
        response = await token_attempt(gateway, client_id, secret)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


class TestWrongSecretsAreThrottledPerClient:
    async def test_thirty_wrong_secrets_get_a_429_with_retry_after(self, gateway: Harness) -> None:
        statuses = [(await token_attempt(gateway, ADMIN_ID, f"guess-{n}")).status_code for n in range(30)]
        last = await token_attempt(gateway, ADMIN_ID, ADMIN_SECRET)
        assert statuses[0] == 401
        assert statuses[-1] == 429
        assert last.status_code == 429  # even the right secret waits: the guesser cannot tell it is right
        assert int(last.headers["Retry-After"]) >= 1
        assert last.json()["status"] == 429

    async def test_another_client_from_the_same_address_keeps_getting_tokens(self, gateway: Harness) -> None:
        client_id, secret = await gateway.create_client("H50", "h50-portal")
        for n in range(30):
            await token_attempt(gateway, ADMIN_ID, f"guess-{n}")
        assert (await token_attempt(gateway, client_id, secret)).status_code == 200

    async def test_right_secrets_are_never_throttled(self, gateway: Harness) -> None:
        statuses = {(await token_attempt(gateway, ADMIN_ID, ADMIN_SECRET)).status_code for _ in range(40)}
        assert statuses == {200}


@pytest.fixture
async def strict(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    settings = gateway_settings(
        database_url, tmp_path_factory.mktemp("data"), token_failures_per_source_per_minute=5
    )
    async with running_gateway(settings) as harness:
        yield harness


class TestGuessesAreThrottledPerSource:
    async def test_guessing_many_client_ids_from_one_address_gets_429(self, strict: Harness) -> None:
        statuses = [(await token_attempt(strict, f"guess-{n}", "secret")).status_code for n in range(8)]
        assert statuses[:5] == [401] * 5
        assert set(statuses[5:]) == {429}


def admin_claims(tokens: Any) -> dict[str, Any]:
    """The claims of a genuine admin token of this gateway, for a test to sign otherwise."""
    now = int(time.time())
    return {
        "iss": tokens.issuer, "aud": tokens.audience, "sub": ADMIN_ID, "client_id": ADMIN_ID,
        "agency": "H50", "scope": "lgsp:admin", "iat": now, "exp": now + 60,
    }  # fmt: skip


class TestOnlyAccessTokensAreTokens:
    async def test_a_jwt_signed_by_the_gateway_without_the_access_token_type_is_refused(
        self, gateway: Harness
    ) -> None:
        tokens = gateway.app.state.tokens
        claims = admin_claims(tokens)
        keys = tokens.keyring.tokens
        forged = jwt.encode(
            {"alg": "ES256", "kid": keys.kid}, claims, keys.signing_key
        )  # a token key, no typ
        response = await gateway.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401
        assert "typ" in response.json()["detail"]

    async def test_a_token_signed_with_the_envelope_key_is_refused(self, gateway: Harness) -> None:
        tokens = gateway.app.state.tokens
        claims = admin_claims(tokens)
        envelopes = tokens.keyring.envelopes
        header = {"alg": "ES256", "kid": envelopes.kid, "typ": "at+jwt"}  # all else as a genuine token
        forged = jwt.encode(header, claims, envelopes.signing_key)
        response = await gateway.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401
        assert envelopes.kid not in {
            key["kid"] for key in (await gateway.http.get("/.well-known/jwks.json")).json()["keys"]
        }
        published = (await gateway.http.get("/.well-known/envelope-jwks.json")).json()["keys"]
        assert [key["kid"] for key in published] == [envelopes.kid]
        assert "d" not in published[0]

    async def test_an_envelope_signature_is_not_a_token(self, gateway: Harness) -> None:
        from contracts.envelope import Envelope, utc_now
        from contracts.signing import sign_envelope

        keyring = gateway.app.state.tokens.keyring.envelopes
        envelope = Envelope(id="x", source="urn:test", type="t", subject="s", data=b"{}", time=utc_now())
        signature = sign_envelope(envelope, keyring.signing_key, keyring.kid).signature
        response = await gateway.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {signature}"})
        assert response.status_code == 401
