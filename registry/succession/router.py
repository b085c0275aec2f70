from fastapi import APIRouter

from registry.auth import ManagerPrincipal
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.schemas import Page
from registry.succession.models import ChangeKind
from registry.succession.schemas import (
    ChangePublic,
    MergeCreate,
    MoveCreate,
    RenameCreate,
    ReorganisationPublic,
    SuccessionPublic,
)
from registry.succession.service import SuccessionService

router = APIRouter(tags=["reorganisation"])


@router.get("/reorganisations", response_model=Page[ReorganisationPublic])
async def list_reorganisations(
    session: SessionDep,
    agency: str | None = None,
    kind: ChangeKind | None = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[ReorganisationPublic]:
    """Every merge, rename and database move, with the date it took effect, oldest first; `agency`: the steps it
    took part in (merged, renamed, merged into, or a database moved from or to it)."""
    items, total = await SuccessionService(session).history(agency, kind, offset, limit)
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/agencies/{code}/succession", response_model=SuccessionPublic)
async def agency_succession(code: str, session: SessionDep) -> SuccessionPublic:
    """An agency's succession: what it was merged into and who holds its databases today, the agencies merged
    into it, and the steps it took part in."""
    return await SuccessionService(session).succession(code)


@router.post("/agencies/merge", response_model=ChangePublic)
async def merge_agencies(
    data: MergeCreate, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> ChangePublic:
    """Merge agencies into a successor at a date (platform admin): their databases, contracts, clients and grants
    pass to it; they stay, marked merged; their addresses answer, deprecated, for `sunset_days`."""
    return await SuccessionService(session, events).merge(data, principal)


@router.post("/agencies/{code}/rename", response_model=ChangePublic)
async def rename_agency(
    code: str, data: RenameCreate, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> ChangePublic:
    """Rename an agency from a date (platform admin); coverage before the date shows the former name."""
    return await SuccessionService(session, events).rename(code, data, principal)


@router.post("/databases/{agency}/{code}/move", response_model=ChangePublic)
async def move_database(
    agency: str,
    code: str,
    data: MoveCreate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
) -> ChangePublic:
    """Move a database, with its contracts, to another agency at a date (platform admin)."""
    return await SuccessionService(session, events).move(agency, code, data, principal)
