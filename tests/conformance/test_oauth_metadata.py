"""The authorization server metadata (RFC 8414), validated by Authlib's own validator."""

import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from gateway.oauth.metadata import server_metadata
from tests.harness import Harness

JWT_CLIENT_AUTH = {"private_key_jwt", "client_secret_jwt"}


class TestAuthorizationServerMetadata:
    async def test_authlib_accepts_it(self, demo: Harness) -> None:
        response = await demo.http.get("/.well-known/oauth-authorization-server")
        assert response.status_code == 200
        metadata = AuthorizationServerMetadata(response.json())
        metadata.validate()
        assert metadata["response_types_supported"]
        assert metadata["grant_types_supported"] == ["client_credentials"]

    async def test_signing_algorithms_only_for_jwt_client_authentication(self, demo: Harness) -> None:
        metadata = (await demo.http.get("/.well-known/oauth-authorization-server")).json()
        if not JWT_CLIENT_AUTH & set(metadata["token_endpoint_auth_methods_supported"]):
            assert "token_endpoint_auth_signing_alg_values_supported" not in metadata

    async def test_it_names_the_endpoints_that_answer(self, demo: Harness) -> None:
        metadata = (await demo.http.get("/.well-known/oauth-authorization-server")).json()
        base = metadata["issuer"].rstrip("/")
        for endpoint in ("token_endpoint", "jwks_uri"):
            assert metadata[endpoint].startswith(base)
        assert (await demo.http.get(metadata["jwks_uri"].removeprefix(base))).status_code == 200
        token = await demo.http.post(metadata["token_endpoint"].removeprefix(base), data={})
        assert token.status_code in (400, 401)  # there, and refusing a request without credentials


class TestPlainHttpIssuers:
    def test_an_internal_http_issuer_starts_and_the_rest_is_still_validated(self) -> None:
        metadata = server_metadata("http://gateway:8080")  # docker-compose's: plain HTTP on its network
        assert metadata["token_endpoint"] == "http://gateway:8080/oauth/token"
        with pytest.raises(ValueError, match="issuer"):
            server_metadata("http://gateway:8080/?tenant=x")  # RFC 8414: no query in the issuer
