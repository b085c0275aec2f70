from fastapi import APIRouter, Response, status

from registry.auth import ManagerPrincipal
from registry.databases.models import DatabaseStatus
from registry.databases.schemas import DatabaseCreate, DatabasePublic, DatabaseUpdate
from registry.databases.service import DatabaseService
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.links import created_links
from registry.schemas import Page

router = APIRouter(prefix="/databases", tags=["databases"])


@router.get("", response_model=Page[DatabasePublic])
async def list_databases(
    session: SessionDep,
    agency: str | None = None,
    status: DatabaseStatus | None = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[DatabasePublic]:
    rows, total = await DatabaseService(session).list(
        agency=agency, status=status, offset=offset, limit=limit
    )
    return Page(
        items=[DatabasePublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DatabasePublic,
    responses=created_links(
        "/api/v1/databases/{agency}/{code}",
        {"agency": "agency", "code": "code"},
        ("get", "patch", "delete"),
    ),
)
async def create_database(
    data: DatabaseCreate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
    response: Response,
) -> DatabasePublic:
    database = await DatabaseService(session, events).create(data, principal)
    response.headers["Location"] = f"/api/v1/databases/{database.agency_code}/{database.code}"
    return DatabasePublic.model_validate(database)


@router.get("/{agency}/{code}", response_model=DatabasePublic)
async def get_database(agency: str, code: str, session: SessionDep) -> DatabasePublic:
    return DatabasePublic.model_validate(await DatabaseService(session).get(agency, code))


@router.patch("/{agency}/{code}", response_model=DatabasePublic)
async def update_database(
    agency: str,
    code: str,
    data: DatabaseUpdate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
) -> DatabasePublic:
    database = await DatabaseService(session, events).update(agency, code, data, principal)
    return DatabasePublic.model_validate(database)


@router.delete("/{agency}/{code}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_database(
    agency: str, code: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> None:
    await DatabaseService(session, events).delete(agency, code, principal)
