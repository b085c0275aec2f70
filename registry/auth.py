"""Who is calling: the principal behind a request, and the rules for what it may change.

The gateway installs an `Authenticator` on `app.state.authenticator` (OAuth2 bearer tokens); the registry only
depends on this interface.
"""

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPBearer, OAuth2

from contracts.errors import Forbidden, Unauthorized

ADMIN_SCOPE = "lgsp:admin"
MANAGE_SCOPE = "lgsp:manage"


@dataclass(frozen=True, slots=True)
class Principal:
    client_id: str
    agency: str
    scopes: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    def may_manage(self, agency: str) -> bool:
        """Platform admins manage everything; an agency's admin client its own agency and the agencies below it."""
        if self.is_admin:
            return True
        return MANAGE_SCOPE in self.scopes and (agency == self.agency or agency.startswith(self.agency + "."))

    @property
    def is_manager(self) -> bool:
        return self.is_admin or MANAGE_SCOPE in self.scopes

    def may_see(self, agency: str) -> bool:
        return self.is_admin or agency == self.agency or agency.startswith(self.agency + ".")

    def may_see_clients_of(self, agency: str) -> bool:
        """A client's own agency; the agencies below it only for clients that manage them."""
        return agency == self.agency or self.may_manage(agency)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden(f"this needs the {ADMIN_SCOPE} scope")

    def require_manage(self, agency: str) -> None:
        if not self.may_manage(agency):
            raise Forbidden(f"client '{self.client_id}' may not manage agency {agency}")


class Authenticator(Protocol):
    async def __call__(self, request: Request) -> Principal | None: ...


# How a token is obtained and sent, for the OpenAPI document (and /docs' Authorize button): the authenticator
# reads the header itself, so these never refuse a request (auto_error=False).
TOKEN_URL = "/oauth/token"
OAUTH2 = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl=TOKEN_URL,
            scopes={
                ADMIN_SCOPE: "manage the whole platform",
                MANAGE_SCOPE: "manage the client's own agency and the agencies below it",
            },
        )
    ),
    scheme_name="oauth2",
    description="OAuth2 client credentials (RFC 6749 §4.4) at POST /oauth/token; a service's address is its scope",
    auto_error=False,
)
BEARER = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An access token from POST /oauth/token, as 'Authorization: Bearer <token>'",
    auto_error=False,
)


async def optional_principal(
    request: Request,
    _oauth2: Annotated[str | None, Security(OAUTH2)],
    _bearer: Annotated[object, Security(BEARER)],
) -> Principal | None:
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator(request)


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("a bearer token is required (POST /oauth/token with client credentials)")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def manager_principal(principal: CurrentPrincipal) -> Principal:
    """The principal of a route that changes the registry: refused before its body is looked at."""
    if not principal.is_manager:
        raise Forbidden(f"this needs the {MANAGE_SCOPE} or {ADMIN_SCOPE} scope")
    return principal


ManagerPrincipal = Annotated[Principal, Depends(manager_principal)]
