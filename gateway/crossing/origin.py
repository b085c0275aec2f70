"""The origin's checks of a client's call to a remote address that a local call has too: the token's scope."""

from __future__ import annotations

from gateway.exchange.errors import InsufficientScope
from registry.auth import ADMIN_SCOPE, Principal


def require_scope(principal: Principal, address: str) -> None:
    """The same rule as a local call's: the token carries the address (or the admin scope), whatever the grants;
    a client asks /oauth/token for it, and may have it while it holds a federation grant to call it out."""
    if address not in principal.scopes and ADMIN_SCOPE not in principal.scopes:
        raise InsufficientScope(
            f"the token's scope does not include {address}; ask /oauth/token for it",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{address}"'},
        )
