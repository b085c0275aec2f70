"""Grants for calls across the federation.

One row names a client and an address. At the origin the client is local and the address another member's
(the outbound grant: this platform lets its client call out); at the provider the client is remote, written
`{member code}:{client id}`, and the address local (the provider lets that member's client call in).

Not the `access_grant` table: its client and endpoint are foreign keys to local rows, and a remote address has
no local endpoint, a remote client no local client row. Keeping these apart leaves local grants (fields, rates,
access requests) as they are; a federation grant gives the whole reply, and the provider's contract still applies.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as Attribute
from sqlalchemy import Index
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address
from contracts.errors import InvalidInput, NotFound
from registry.auth import Principal
from registry.clients.repository import ClientRepository
from registry.repository import Repository
from registry.storage import UTCDateTime, utcnow

REMOTE_CLIENT = re.compile(r"^[A-Z][A-Z0-9.]{0,34}:[A-Za-z0-9._-]{1,64}$")
RECHECK_SECONDS = 1.0  # how soon a change made through another gateway instance on the same database applies


class FederationGrant(SQLModel, table=True):
    __tablename__ = "federation_grant"
    __table_args__ = (Index("ix_federation_grant_client_address", "client", "address"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    client: str = Field(max_length=100)  # a local client id, or `{member code}:{client id}` of another member
    address: str = Field(max_length=140)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FederationGrantCreate(BaseModel):
    client: str = Attribute(min_length=1, max_length=100, examples=["consumer-portal", "H93:consumer-portal"])
    address: str = Attribute(min_length=1, max_length=140, examples=["H50.03/trich-luc-khai-sinh/v1"])


class FederationGrantPublic(BaseModel):
    id: str
    client: str
    address: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class FederationGrantRepository(Repository[FederationGrant]):
    model = FederationGrant

    async def active(self, client: str, address: str) -> FederationGrant | None:
        return await self.first(
            self.select().where(
                FederationGrant.client == client,
                FederationGrant.address == address,
                col(FederationGrant.revoked_at).is_(None),
            )
        )

    async def listed(self) -> Sequence[FederationGrant]:
        return await self.all(self.select().order_by(col(FederationGrant.created_at)))

    async def active_pairs(self) -> set[tuple[str, str]]:
        rows = await self.session.exec(
            select(FederationGrant.client, FederationGrant.address).where(
                col(FederationGrant.revoked_at).is_(None)
            )
        )
        return {(client, address) for client, address in rows.all()}


class FederationGrantIndex:
    """The active grants held in memory: `allows` is asked on every call across, at the origin and at the
    provider. Read again at once after a grant is made or revoked through this instance, and at most
    RECHECK_SECONDS after the last read otherwise (a change made through another instance)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self._pairs: frozenset[tuple[str, str]] = frozenset()
        self._read_at = float("-inf")  # when the read that gave `_pairs` began
        self._lock = asyncio.Lock()

    async def allows(self, client: str, address: str) -> bool:
        if time.monotonic() - self._read_at > RECHECK_SECONDS:
            await self.reload()
        return (client, address) in self._pairs

    async def reload(self) -> None:
        """Read the grants, unless a read that began after this was asked has ended meanwhile (one read serves
        every caller waiting for it)."""
        asked = time.monotonic()
        async with self._lock:
            if self._read_at >= asked:
                return
            began = time.monotonic()
            async with self.sessionmaker() as session:
                pairs = await FederationGrantRepository(session).active_pairs()
            self._pairs, self._read_at = frozenset(pairs), began


class FederationGrants:
    """Who may decide: the provider's manager for a remote client calling in (a `{member}:{client}` name),
    the client's agency's manager for a local client calling out."""

    def __init__(self, session: AsyncSession, index: FederationGrantIndex | None = None) -> None:
        self.session = session
        self.grants = FederationGrantRepository(session)
        self.index = index

    async def _commit(self) -> None:
        await self.session.commit()
        if self.index is not None:
            await self.index.reload()

    async def create(self, data: FederationGrantCreate, principal: Principal) -> FederationGrantPublic:
        address = Address.parse(data.address)
        await self._require_decider(data.client, address, principal)
        existing = await self.grants.active(data.client, str(address))
        if existing is not None:
            return FederationGrantPublic.model_validate(existing, from_attributes=True)
        grant = FederationGrant(client=data.client, address=str(address), created_by=principal.client_id)
        await self.grants.add(grant)
        await self._commit()
        return FederationGrantPublic.model_validate(grant, from_attributes=True)

    async def _require_decider(self, client_id: str, address: Address, principal: Principal) -> None:
        if ":" in client_id:
            if not REMOTE_CLIENT.match(client_id):
                raise InvalidInput("a remote client is written MEMBER:CLIENT_ID, e.g. H93:consumer-portal")
            principal.require_manage(address.agency)
            return
        client = await ClientRepository(self.session).get(client_id)
        if client is None:
            raise NotFound(f"client {client_id} is not registered here")
        principal.require_manage(client.agency_code)

    async def listed(self, principal: Principal) -> list[FederationGrantPublic]:
        principal.require_admin()
        return [
            FederationGrantPublic.model_validate(g, from_attributes=True) for g in await self.grants.listed()
        ]

    async def revoke(self, grant_id: str, principal: Principal) -> FederationGrantPublic:
        grant = await self.grants.get(grant_id)
        if grant is None:
            raise NotFound(f"no federation grant {grant_id}")
        await self._require_decider(grant.client, Address.parse(grant.address), principal)
        grant.revoked_at = grant.revoked_at or utcnow()
        await self.grants.add(grant)
        await self._commit()
        return FederationGrantPublic.model_validate(grant, from_attributes=True)
