"""Calls across the federation between hops (`/api/v1/federation/exchange/...`, authenticated by an RFC 7523
client assertion), and the grants that let clients call across (`/api/v1/federation/grants`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from contracts.errors import NotFound
from federation.grants import FederationGrantCreate, FederationGrantPublic, FederationGrants
from gateway.crossing.flow import CLIENT_HEADER, DEADLINE_HEADER, Crossing, Hop
from gateway.crossing.hops import HopPublic, Hops, TracePublic
from gateway.exchange.router import inbound, response
from registry.auth import CurrentPrincipal, ManagerPrincipal
from registry.deps import SessionDep

router = APIRouter(prefix="/api/v1/federation", tags=["federation"])


def crossing_of(request: Request) -> Crossing:
    crossing: Crossing | None = getattr(request.app.state, "crossing", None)
    if crossing is None:
        raise NotFound("this platform is not in a federation: it relays no calls across it")
    return crossing


@router.post("/exchange/{agency}/{service}/v{major}", include_in_schema=False)
async def relay(agency: str, service: str, major: str, request: Request) -> Response:
    """(between hops) A call across the federation, from the origin to the national tier or from the national
    tier to the provider; the bearer token is the previous hop's client assertion."""
    crossing = crossing_of(request)
    arrived = inbound(request, f"{agency}/{service}/v{major}", crossing.services.max_body_bytes)
    scheme, _, token = (arrived.authorization or "").partition(" ")
    hop = Hop(
        address=arrived.address,
        assertion=token.strip() if scheme.lower() == "bearer" else None,
        exchange_id=request.headers.get("x-exchange-id"),
        client=request.headers.get(CLIENT_HEADER),
        deadline=request.headers.get(DEADLINE_HEADER),
        inbound=arrived,
    )
    return response(await crossing.relay(hop), arrived)


@router.get("/hops/{exchange_id}", response_model=list[HopPublic])
async def hops(exchange_id: str, request: Request, session: SessionDep) -> list[HopPublic]:
    """(between members) This platform's hop of a call across the federation, to a member that took part in it;
    the bearer token is that member's client assertion."""
    return await Hops(session, crossing_of(request)).for_member(
        exchange_id, request.headers.get("authorization")
    )


@router.get("/trace/{exchange_id}", response_model=TracePublic)
async def trace(
    exchange_id: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> TracePublic:
    """The path of an exchange across the federation: every hop's role, times and outcome (`lgsp log trace`)."""
    return await Hops(session, crossing_of(request)).trace(exchange_id, principal)


def grants_of(session: SessionDep, request: Request) -> FederationGrants:
    """The grants, with this platform's index of them read again once one changes."""
    crossing: Crossing | None = getattr(request.app.state, "crossing", None)
    return FederationGrants(session, crossing.grants.reload if crossing is not None else None)


GrantsDep = Annotated[FederationGrants, Depends(grants_of)]


@router.post("/grants", status_code=status.HTTP_201_CREATED, response_model=FederationGrantPublic)
async def create_grant(
    data: FederationGrantCreate, grants: GrantsDep, principal: ManagerPrincipal
) -> FederationGrantPublic:
    """Let a local client call a remote address (decided by the client's agency), or a remote client
    `MEMBER:CLIENT_ID` call a local address (decided by the provider's agency)."""
    return await grants.create(data, principal)


@router.get("/grants", response_model=list[FederationGrantPublic])
async def list_grants(session: SessionDep, principal: CurrentPrincipal) -> list[FederationGrantPublic]:
    return await FederationGrants(session).listed(principal)


@router.post("/grants/{grant_id}/revoke", response_model=FederationGrantPublic)
async def revoke_grant(grant_id: str, grants: GrantsDep, principal: ManagerPrincipal) -> Any:
    return await grants.revoke(grant_id, principal)
