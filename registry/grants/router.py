from fastapi import APIRouter, Response, status

from registry.auth import CurrentPrincipal, ManagerPrincipal
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.grants.schemas import GrantCreate, GrantPublic
from registry.grants.service import GrantService
from registry.links import created_links
from registry.schemas import Page

router = APIRouter(prefix="/grants", tags=["grants"])


@router.get("", response_model=Page[GrantPublic])
async def list_grants(
    session: SessionDep,
    principal: CurrentPrincipal,
    client_id: str | None = None,
    provider: str | None = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[GrantPublic]:
    items, total = await GrantService(session).list(
        principal, client_id=client_id, provider=provider, offset=offset, limit=limit
    )
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantPublic,
    responses=created_links("/api/v1/grants/{grant_id}", {"grant_id": "id"}, ("get", "delete")),
)
async def create_grant(
    data: GrantCreate, session: SessionDep, events: EventsDep, principal: ManagerPrincipal, response: Response
) -> GrantPublic:
    grant = await GrantService(session, events).create(data, principal)
    response.headers["Location"] = f"/api/v1/grants/{grant.id}"
    return grant


@router.get("/{grant_id}", response_model=GrantPublic)
async def get_grant(grant_id: str, session: SessionDep, principal: CurrentPrincipal) -> GrantPublic:
    return await GrantService(session).get(grant_id, principal)


@router.delete("/{grant_id}", response_model=GrantPublic)
async def revoke_grant(
    grant_id: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> GrantPublic:
    """Revoke the grant; it stays on record with its revocation time."""
    return await GrantService(session, events).revoke(grant_id, principal)
