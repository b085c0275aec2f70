"""The path of one exchange across the federation: each instance's own hop from its log, and the other hops read
from the instances that took part (`GET /api/v1/federation/hops/{id}`, authenticated by a client assertion, answered
only to a member that took part in that exchange)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.errors import NotFound, Unauthorized
from federation.assertions import make_assertion
from gateway.crossing.flow import ORIGIN, PROVIDER, TRANSIT, Crossing, Index
from gateway.exchangelog.models import Exchange
from gateway.exchangelog.repository import ExchangeRepository
from registry.auth import Principal

ROLE_ORDER = {ORIGIN: 0, TRANSIT: 1, PROVIDER: 2}
TRACE_TIMEOUT = 5.0


class HopPublic(BaseModel):
    member: str
    role: str
    outcome: str
    http_status: int | None
    error_type: str | None
    address: str | None
    client_id: str | None
    received_at: datetime
    sent_at: datetime | None
    replied_at: datetime | None
    completed_at: datetime | None


class HopMissing(BaseModel):
    member: str
    detail: str


class TracePublic(BaseModel):
    exchange_id: str
    hops: list[HopPublic]
    missing: list[HopMissing]


def member_of(agency: str | None, index: Index | None) -> str | None:
    """The member an agency belongs to (`H50.03` → `H50`), as the directory lists it."""
    if not agency or index is None:
        return None
    codes = [index.directory.national.get("code"), *index.base_urls]
    return next(
        (c for c in codes if isinstance(c, str) and (agency == c or agency.startswith(c + "."))), None
    )


def _participants(exchange: Exchange, own: str, index: Index | None) -> set[str]:
    national = index.directory.national.get("code") if index else None
    address_agency = (exchange.address or "").split("/")[0]
    found = {own, member_of(exchange.consumer_agency, index), member_of(address_agency, index), national}
    return {code for code in found if isinstance(code, str)}


def _hop(exchange: Exchange, member: str) -> HopPublic:
    return HopPublic(
        member=member,
        role=exchange.role or "",
        outcome=exchange.outcome,
        http_status=exchange.http_status,
        error_type=exchange.error_type,
        address=exchange.address,
        client_id=exchange.client_id,
        received_at=exchange.received_at,
        sent_at=exchange.sent_at,
        replied_at=exchange.replied_at,
        completed_at=exchange.completed_at,
    )


class Hops:
    def __init__(self, session: AsyncSession, crossing: Crossing) -> None:
        self.session = session
        self.crossing = crossing
        self.own = crossing.config.code

    async def _crossed(self, exchange_id: str) -> Exchange | None:
        exchange = await ExchangeRepository(self.session).get(exchange_id)
        return exchange if exchange is not None and exchange.role is not None else None

    async def for_member(self, exchange_id: str, authorization: str | None) -> list[HopPublic]:
        """This instance's hop of the exchange, to a member (or the national tier) that took part in it."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("a client assertion (RFC 7523) is required as the bearer token")
        index = await self.crossing.index()
        if index is None:
            raise NotFound("this platform holds no verified federation directory")
        signer = self.crossing.verifier.verify(token.strip(), index.directory)
        exchange = await self._crossed(exchange_id)
        if exchange is None or signer not in _participants(exchange, self.own, index):
            raise NotFound(
                f"exchange {exchange_id} is not in this platform's log of calls across the federation"
            )
        return [_hop(exchange, self.own)]

    async def trace(self, exchange_id: str, principal: Principal) -> TracePublic:
        """The whole path: this instance's hop, then the others' read through the federation."""
        exchange = await ExchangeRepository(self.session).get(exchange_id)
        if exchange is None or not (
            principal.is_admin or principal.agency in (exchange.consumer_agency, exchange.provider_agency)
        ):
            raise NotFound(f"exchange {exchange_id} is not in the log")
        hops = [_hop(exchange, self.own)]
        missing: list[HopMissing] = []
        if exchange.role is not None:
            index = await self.crossing.index()
            others = sorted(_participants(exchange, self.own, index) - {self.own})
            answers = await asyncio.gather(*(self._ask(index, code, exchange_id) for code in others))
            for code, answer in zip(others, answers, strict=True):
                if isinstance(answer, str):
                    missing.append(HopMissing(member=code, detail=answer))
                else:
                    hops.extend(answer)
        hops.sort(key=lambda hop: ROLE_ORDER.get(hop.role, 3))
        return TracePublic(exchange_id=exchange_id, hops=hops, missing=missing)

    async def _ask(self, index: Index | None, code: str, exchange_id: str) -> list[HopPublic] | str:
        """The hops `code` logged, or why they could not be read."""
        if index is None:
            return "no verified federation directory"
        national = index.directory.national
        base_url = (
            str(national.get("base_url", "")) if national.get("code") == code else index.base_urls.get(code)
        )
        if not base_url:
            return "not in the verified federation directory"
        base_url = base_url.rstrip("/")
        assertion = make_assertion(self.crossing.federation.key, self.own, base_url)
        try:
            response = await self.crossing.http.get(
                f"{base_url}/api/v1/federation/hops/{exchange_id}",
                headers={"Authorization": f"Bearer {assertion}"},
                timeout=TRACE_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            return f"unreachable ({exc.__class__.__name__})"
        if response.status_code != 200:
            return f"answered {response.status_code}"
        try:
            rows: list[dict[str, Any]] = response.json()
            return [HopPublic.model_validate(row) for row in rows]
        except (ValueError, TypeError):
            return "answered something other than its hops"
