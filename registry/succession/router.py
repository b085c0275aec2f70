from fastapi import APIRouter

from registry.auth import ManagerPrincipal
from registry.deps import EventsDep, SessionDep
from registry.succession.schemas import ChangePublic, MergeCreate, MoveCreate, RenameCreate
from registry.succession.service import SuccessionService

router = APIRouter(tags=["reorganisation"])


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
