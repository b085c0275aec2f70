"""`POST /oauth/token` (RFC 6749 §4.4 client credentials), the JWKS (RFC 7517) and metadata (RFC 8414)."""

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from gateway.oauth.errors import (
    InvalidClient,
    InvalidRequest,
    InvalidScope,
    OAuthError,
    TooManyAttempts,
    UnsupportedGrantType,
)
from gateway.oauth.scopes import allowed_scopes
from gateway.oauth.throttle import FailureThrottle
from gateway.oauth.tokens import TokenService
from registry.clients.service import ClientService
from registry.deps import SessionDep

router = APIRouter(tags=["oauth"])
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="lgsp"'}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise InvalidClient("use HTTP Basic or client_id/client_secret in the form", headers=_BASIC_CHALLENGE)
    try:
        client_id, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("the Basic credentials are not valid base64", headers=_BASIC_CHALLENGE) from None
    if not sep:
        raise InvalidClient("the Basic credentials need client_id:client_secret", headers=_BASIC_CHALLENGE)
    # RFC 6749 §2.3.1: both parts are form-urlencoded before the Basic encoding
    return unquote(client_id), unquote(secret)


@router.post("/oauth/token")
async def token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[str, Form()] = "",
    scope: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    basic = _basic_credentials(request)
    if basic is not None and (client_id or client_secret):
        raise InvalidRequest("send the client credentials once: in HTTP Basic or in the form, not both")
    if grant_type != "client_credentials":
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not grant_type and sent != "application/x-www-form-urlencoded":
            raise InvalidRequest(
                "the token endpoint takes a form (application/x-www-form-urlencoded) such as "
                f"grant_type=client_credentials, not {sent or 'a body without a content type'}"
            )
        raise UnsupportedGrantType(f"grant_type must be client_credentials, not '{grant_type or 'nothing'}'")
    credentials = basic or (client_id, client_secret)
    if not credentials[0] or not credentials[1]:
        raise InvalidClient("client credentials are required", headers=_BASIC_CHALLENGE)
    keys = (f"client:{credentials[0]}", f"source:{request.client.host if request.client else ''}")
    clients, sources = _throttles(request)
    wait = await clients.retry_after(keys[0]) or await sources.retry_after(keys[1])
    if wait is not None:
        raise TooManyAttempts(
            "too many failed attempts for this client or from this address; try again later",
            headers={"Retry-After": str(wait)},
        )
    client = await ClientService(session).authenticate(str(credentials[0]), str(credentials[1]))
    if client is None:
        await clients.failed(keys[0])
        await sources.failed(keys[1])
        raise InvalidClient("unknown client, wrong secret or disabled client", headers=_BASIC_CHALLENGE)
    allowed = await allowed_scopes(session, client)
    requested = scope.split() if scope else sorted(allowed)
    refused = [item for item in requested if item not in allowed]
    if refused:
        raise InvalidScope(f"client {client.client_id} may not have: {' '.join(refused)}")
    tokens: TokenService = request.app.state.tokens
    access_token = tokens.issue(client.client_id, client.agency_code, requested)
    body = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": tokens.ttl_seconds,
        "scope": " ".join(requested),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _throttles(request: Request) -> tuple[FailureThrottle, FailureThrottle]:
    """The app's failed-attempt throttles, per client id and per source address (made on first use)."""
    state = request.app.state
    if not hasattr(state, "token_throttles"):
        settings, store = state.settings, state.runtime.rates
        state.token_throttles = (
            FailureThrottle(settings.token_failures_per_client_per_minute, store, "token-client"),
            FailureThrottle(settings.token_failures_per_source_per_minute, store, "token-source"),
        )
    throttles: tuple[FailureThrottle, FailureThrottle] = state.token_throttles
    return throttles


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    """The keys that sign access tokens (RFC 8414 `jwks_uri`)."""
    keys: dict[str, Any] = request.app.state.tokens.keyring.tokens.public_keys
    return JSONResponse(keys, media_type="application/jwk-set+json", headers={"Cache-Control": "max-age=300"})


@router.get("/.well-known/envelope-jwks.json")
async def envelope_jwks(request: Request) -> JSONResponse:
    """The keys that sign bus request envelopes, for connectors and the warehouse; they never sign a token."""
    keys: dict[str, Any] = request.app.state.tokens.keyring.envelopes.public_keys
    return JSONResponse(keys, media_type="application/jwk-set+json", headers={"Cache-Control": "max-age=300"})


@router.get("/.well-known/oauth-authorization-server")
async def metadata(request: Request) -> dict[str, Any]:
    document: dict[str, Any] = request.app.state.oauth_metadata  # built and validated at start
    return document


async def oauth_error(request: Request, exc: Exception) -> JSONResponse:
    """Token errors answer as RFC 6749 requires: application/json with `error` and `error_description`."""
    assert isinstance(exc, OAuthError)
    return JSONResponse(
        exc.problem(request.url.path),
        status_code=exc.status,
        headers={"Cache-Control": "no-store", **exc.headers},
    )
