"""The provider's grant to a remote client, with its fields and rate, and how a reply cut down to those fields
travels back: the provider marks it (`X-LGSP-Projected`), and the hops after it, which check the reply against
the contract again, accept the members the projection left out (only those: any other violation stands)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Final

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.validation import Violation
from federation.grants import FederationGrantRepository
from gateway.exchange.directory import GrantRule
from gateway.exchange.fields import field_tree

PROJECTED_HEADER: Final = "X-LGSP-Projected"
# whether the reply the next hop just sent was projected; set and read within one call's task
_projected: ContextVar[bool] = ContextVar("lgsp_reply_projected", default=False)


async def provider_grant(session: AsyncSession, client: str, address: str) -> GrantRule | None:
    """The active grant letting the remote client `{member}:{client}` call `address` here, as a grant rule: its
    rate limited per grant (so per remote client and address), its fields projected from the reply."""
    grant = await FederationGrantRepository(session).active(client, address)
    if grant is None:
        return None
    fields = field_tree(grant.fields) if grant.fields else None
    return GrantRule(f"federation:{grant.id}", fields, grant.calls_per_minute, grant.created_at, None, None)


def provided_headers(grant: GrantRule) -> dict[str, str]:
    return {PROJECTED_HEADER: "1"} if grant.fields is not None else {}


def note_reply(response: httpx.Response) -> None:
    _projected.set(PROJECTED_HEADER in response.headers)


def passed_on_headers() -> dict[str, str]:
    """A projected reply stays marked as it travels back to the origin's caller."""
    return {PROJECTED_HEADER: "1"} if _projected.get() else {}


def tolerated(found: list[Violation]) -> list[Violation]:
    """A projected reply may lack members the contract requires; nothing else is let through."""
    if not _projected.get():
        return found
    return [violation for violation in found if violation.keyword != "required"]
