"""The authorization server's metadata (RFC 8414), built once per gateway and checked by Authlib's validator, so
a gateway never serves a document an OAuth 2.0 client library would reject (the conformance tests check it
again from outside).

RFC 8414 wants an `https` issuer. Gateways are often configured with plain HTTP on an internal network or behind
a TLS-terminating proxy (docker-compose's `http://gateway:8080`), so the scheme is the one rule not enforced: a
plain-HTTP document is validated as it reads behind TLS."""

from typing import Any

from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from registry.auth import ADMIN_SCOPE, MANAGE_SCOPE


def server_metadata(issuer: str) -> dict[str, Any]:
    """The metadata of the gateway whose `LGSP_ISSUER` is `issuer`; ValueError naming what RFC 8414 refuses."""
    base = issuer.rstrip("/")
    metadata = AuthorizationServerMetadata(
        {
            "issuer": issuer,
            "token_endpoint": f"{base}/oauth/token",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            # RFC 8414 requires response types; with no authorization endpoint, "none" (OAuth 2.0 Multiple
            # Response Type Encoding Practices §4) is the only honest one. No token_endpoint_auth_signing_alg_
            # values: they are for the JWT client authentication methods, which this server does not take.
            "response_types_supported": ["none"],
            "scopes_supported": [ADMIN_SCOPE, MANAGE_SCOPE],
            "service_documentation": f"{base}/docs",
        }
    )
    checked = (
        metadata if issuer.startswith("https://") else AuthorizationServerMetadata(_behind_tls(metadata))
    )
    checked.validate()
    return dict(metadata)


def _behind_tls(document: dict[str, Any]) -> dict[str, Any]:
    return {
        name: "https://" + value.removeprefix("http://")
        if isinstance(value, str) and value.startswith("http://")
        else value
        for name, value in document.items()
    }
