"""Grants for calls across the federation.

One row names a client and an address. At the origin the client is local and the address another member's
(the outbound grant: this platform lets its client call out); at the provider the client is remote, written
`{member code}:{client id}`, and the address local (the provider lets that member's client call in).

Not the `access_grant` table: its client and endpoint are foreign keys to local rows, and a remote address has
no local endpoint, a remote client no local client row. Keeping these apart leaves local grants (fields, rates,
access requests) as they are. A provider's grant to a remote client may limit the reply's fields and the rate, as a
local grant does (federation/grant_options.py); the provider's contract applies in any case.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as Attribute
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address
from contracts.errors import Conflict, InvalidInput, NotFound
from federation.grant_options import check_options
from registry.auth import Principal
from registry.clients.repository import ClientRepository
from registry.grants.schemas import Pointer
from registry.repository import Repository
from registry.storage import JSONDocument, UTCDateTime, utcnow

REMOTE_CLIENT = re.compile(r"^[A-Z][A-Z0-9.]{0,34}:[A-Za-z0-9._-]{1,64}$")


class FederationGrant(SQLModel, table=True):
    __tablename__ = "federation_grant"
    __table_args__ = (Index("ix_federation_grant_client_address", "client", "address"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    client: str = Field(max_length=100)  # a local client id, or `{member code}:{client id}` of another member
    address: str = Field(max_length=140)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    calls_per_minute: int | None = None
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FederationGrantCreate(BaseModel):
    client: str = Attribute(min_length=1, max_length=100, examples=["consumer-portal", "H93:consumer-portal"])
    address: str = Attribute(min_length=1, max_length=140, examples=["H50.03/trich-luc-khai-sinh/v1"])
    fields: list[Pointer] = Attribute(
        default_factory=list, max_length=200, description="the reply's allowed fields"
    )
    calls_per_minute: int | None = Attribute(default=None, ge=1, le=1_000_000)


class FederationGrantPublic(BaseModel):
    id: str
    client: str
    address: str
    fields: list[str]
    calls_per_minute: int | None
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

    async def active_grants(self) -> Sequence[FederationGrant]:
        return await self.all(self.select().where(col(FederationGrant.revoked_at).is_(None)))

    async def outbound_addresses(self, client_id: str) -> set[str]:
        """The remote addresses a local client may call out to: what its tokens may carry as scopes."""
        statement = self.select().where(
            FederationGrant.client == client_id, col(FederationGrant.revoked_at).is_(None)
        )
        return {grant.address for grant in await self.all(statement)}


class FederationGrants:
    """Who may decide: the provider's manager for a remote client calling in (a `{member}:{client}` name),
    the client's agency's manager for a local client calling out."""

    def __init__(self, session: AsyncSession, on_change: Callable[[], Awaitable[None]] | None = None) -> None:
        self.session = session
        self.grants = FederationGrantRepository(session)
        self.on_change = (
            on_change  # what holds the grants in memory reads them again (gateway/crossing/grants.py)
        )

    async def _commit(self) -> None:
        await self.session.commit()
        if self.on_change is not None:
            await self.on_change()

    async def create(self, data: FederationGrantCreate, principal: Principal) -> FederationGrantPublic:
        address = Address.parse(data.address)
        await self._require_decider(data.client, address, principal)
        await check_options(self.session, data.client, address, data.fields, data.calls_per_minute)
        existing = await self.grants.active(data.client, str(address))
        if existing is not None:
            if (existing.fields, existing.calls_per_minute) != (data.fields, data.calls_per_minute):
                raise Conflict(
                    f"grant {existing.id} gives {data.client} {address} otherwise: revoke it first"
                )
            return FederationGrantPublic.model_validate(existing, from_attributes=True)
        grant = FederationGrant(
            client=data.client, address=str(address), fields=data.fields, calls_per_minute=data.calls_per_minute,
            created_by=principal.client_id,
        )  # fmt: skip
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
