"""Federation grants held in memory: the origin asks on every call across whether its client may call out, the
provider whether the remote client may call in (and with which fields and rate). Read again at once when a grant
is made or revoked through this gateway, and at most RECHECK_SECONDS after the last read otherwise (a change made
through another gateway instance on the same database)."""

from __future__ import annotations

import asyncio
import time
from typing import Final

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from federation.grants import FederationGrant, FederationGrantRepository
from gateway.exchange.directory import GrantRule
from gateway.exchange.fields import field_tree

RECHECK_SECONDS: Final = 1.0


def grant_rule(grant: FederationGrant) -> GrantRule:
    """A provider's grant to `{member}:{client}` as a grant rule: its rate limited per grant (so per remote client
    and address), its fields projected from the reply."""
    fields = field_tree(grant.fields) if grant.fields else None
    return GrantRule(f"federation:{grant.id}", fields, grant.calls_per_minute, grant.created_at, None, None)


class GrantIndex:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self._rules: dict[tuple[str, str], GrantRule] = {}
        self._read_at = float("-inf")  # when the read that gave `_rules` began
        self._lock = asyncio.Lock()

    async def rule(self, client: str, address: str) -> GrantRule | None:
        """The active grant letting `client` call `address`, or None."""
        if time.monotonic() - self._read_at > RECHECK_SECONDS:
            await self.reload()
        return self._rules.get((client, address))

    async def allows(self, client: str, address: str) -> bool:
        return await self.rule(client, address) is not None

    async def reload(self) -> None:
        """Read the grants, unless a read that began after this was asked has ended meanwhile (one read serves
        every caller waiting for it)."""
        asked = time.monotonic()
        async with self._lock:
            if self._read_at >= asked:
                return
            began = time.monotonic()
            async with self.sessionmaker() as session:
                grants = await FederationGrantRepository(session).active_grants()
            self._rules = {(grant.client, grant.address): grant_rule(grant) for grant in grants}
            self._read_at = began
