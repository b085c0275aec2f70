from collections.abc import Callable

from fastapi import Request

from contracts.errors import Unauthorized
from gateway.oauth.tokens import TokenService
from registry.auth import Principal


class BearerAuthenticator:
    """Finds the principal of a request from its `Authorization: Bearer` token (registry's `Authenticator`)."""

    def __init__(
        self, tokens: TokenService, is_disabled: Callable[[str], bool] = lambda _client_id: False
    ) -> None:
        self.tokens = tokens
        self.is_disabled = is_disabled

    async def __call__(self, request: Request) -> Principal | None:
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(
                "send an OAuth2 access token as 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": 'Bearer realm="lgsp"'},
            )
        principal = self.tokens.verify(token.strip())
        if self.is_disabled(principal.client_id):
            raise Unauthorized(
                f"client {principal.client_id} is disabled",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return principal
