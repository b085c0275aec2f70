"""The gateway's own OpenAPI document: how each operation is authorised, and where the gateway is.

Operations that depend on the caller's principal get their `security` from FastAPI (the OAuth2 and bearer
schemes of `registry.auth`). The rest is said here: `/exchange` and `/share` authenticate inside the exchange
path rather than through a dependency, the token endpoint takes the client's credentials, and every other
operation is public, which the document states with an empty `security`.
"""

from typing import Any

from fastapi import FastAPI

from registry.auth import BEARER, OAUTH2

CLIENT_BASIC = "clientSecretBasic"
TOKEN_PATH = "/oauth/token"
EXCHANGE_PREFIXES = ("/exchange/", "/share/")
BEARER_TOKEN: list[dict[str, list[str]]] = [{OAUTH2.scheme_name: []}, {BEARER.scheme_name: []}]


def _secure(schema: dict[str, Any]) -> None:
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[CLIENT_BASIC] = {
        "type": "http",
        "scheme": "basic",
        "description": "The client's id and secret (client_secret_basic); or send them in the form instead",
    }
    for name, scheme in ((OAUTH2.scheme_name, OAUTH2.model), (BEARER.scheme_name, BEARER.model)):
        schemes.setdefault(name, scheme.model_dump(by_alias=True, exclude_none=True))
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if "security" in operation:
                continue
            if path == TOKEN_PATH:
                operation["security"] = [{CLIENT_BASIC: []}, {}]
            elif path.startswith(EXCHANGE_PREFIXES):
                operation["security"] = BEARER_TOKEN
            else:
                operation["security"] = []


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (served at /openapi.json) declare how every operation is authorised."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _secure(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
