from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from registry.access.models import AccessStatus
from registry.access.schemas import AccessApproval, AccessRefusal, AccessRequestCreate, AccessRequestPublic
from registry.access.service import AccessRequestService
from registry.agencies.schemas import AgencyCode
from registry.auth import CurrentPrincipal, ManagerPrincipal
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.links import created_links
from registry.schemas import Page

router = APIRouter(prefix="/access-requests", tags=["access requests"])


@router.get("", response_model=Page[AccessRequestPublic])
async def list_access_requests(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: AccessStatus | None = None,
    agency: Annotated[AgencyCode | None, Query(description="where this agency asks or provides")] = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[AccessRequestPublic]:
    """The requests your agency made or must decide (all of them for a platform admin), newest first."""
    items, total = await AccessRequestService(session).list(
        principal, status=status, agency=agency, offset=offset, limit=limit
    )
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AccessRequestPublic,
    responses=created_links("/api/v1/access-requests/{request_id}", {"request_id": "id"}, ("get",)),
)
async def request_access(
    data: AccessRequestCreate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
    response: Response,
) -> AccessRequestPublic:
    """Ask the provider for access, for one of your agency's clients: the request waits for its decision."""
    created = await AccessRequestService(session, events).create(data, principal)
    response.headers["Location"] = f"/api/v1/access-requests/{created.id}"
    return created


@router.get("/{request_id}", response_model=AccessRequestPublic)
async def get_access_request(
    request_id: str, session: SessionDep, principal: CurrentPrincipal
) -> AccessRequestPublic:
    return await AccessRequestService(session).get(request_id, principal)


@router.post("/{request_id}/approve", response_model=AccessRequestPublic)
async def approve_access_request(
    request_id: str, data: AccessApproval, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> AccessRequestPublic:
    """Approve as asked, or narrower (fewer fields, a lower rate, a shorter period): the grant is made."""
    return await AccessRequestService(session, events).approve(request_id, data, principal)


@router.post("/{request_id}/refuse", response_model=AccessRequestPublic)
async def refuse_access_request(
    request_id: str, data: AccessRefusal, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> AccessRequestPublic:
    """Refuse in writing: a reason and its legal basis, both required (Decree 194/2025/NĐ-CP Art. 16)."""
    return await AccessRequestService(session, events).refuse(request_id, data, principal)


@router.post("/{request_id}/withdraw", response_model=AccessRequestPublic)
async def withdraw_access_request(
    request_id: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> AccessRequestPublic:
    """Take the request back before it is decided."""
    return await AccessRequestService(session, events).withdraw(request_id, principal)
