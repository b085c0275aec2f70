from fastapi import APIRouter, Response, status

from registry.agencies.models import AgencyTier
from registry.agencies.schemas import AgencyCreate, AgencyPublic, AgencyUpdate
from registry.agencies.service import AgencyService
from registry.auth import ManagerPrincipal
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.links import created_links
from registry.schemas import Page

router = APIRouter(prefix="/agencies", tags=["agencies"])


@router.get("", response_model=Page[AgencyPublic])
async def list_agencies(
    session: SessionDep,
    parent: str | None = None,
    tier: AgencyTier | None = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[AgencyPublic]:
    rows, total = await AgencyService(session).list(parent=parent, tier=tier, offset=offset, limit=limit)
    return Page(items=[AgencyPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AgencyPublic,
    responses=created_links("/api/v1/agencies/{code}", {"code": "code"}, ("get", "patch", "delete")),
)
async def create_agency(
    data: AgencyCreate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
    response: Response,
) -> AgencyPublic:
    agency = await AgencyService(session, events).create(data, principal)
    response.headers["Location"] = f"/api/v1/agencies/{agency.code}"
    return AgencyPublic.model_validate(agency)


@router.get("/{code}", response_model=AgencyPublic)
async def get_agency(code: str, session: SessionDep) -> AgencyPublic:
    return AgencyPublic.model_validate(await AgencyService(session).get(code))


@router.patch("/{code}", response_model=AgencyPublic)
async def update_agency(
    code: str, data: AgencyUpdate, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> AgencyPublic:
    return AgencyPublic.model_validate(await AgencyService(session, events).update(code, data, principal))


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_agency(
    code: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> None:
    await AgencyService(session, events).delete(code, principal)
