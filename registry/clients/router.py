from fastapi import APIRouter, Response, status

from registry.auth import CurrentPrincipal, ManagerPrincipal
from registry.clients.schemas import ClientCreate, ClientPublic, ClientUpdate, ClientWithSecret
from registry.clients.service import ClientService
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.schemas import Page

router = APIRouter(prefix="/clients", tags=["clients"])


@router.get("", response_model=Page[ClientPublic])
async def list_clients(
    session: SessionDep,
    principal: CurrentPrincipal,
    agency: str | None = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[ClientPublic]:
    rows, total = await ClientService(session).list(principal, agency=agency, offset=offset, limit=limit)
    return Page(items=[ClientPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientWithSecret)
async def create_client(
    data: ClientCreate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
    response: Response,
) -> ClientWithSecret:
    client, secret = await ClientService(session, events).create(data, principal)
    response.headers["Location"] = f"/api/v1/clients/{client.client_id}"
    response.headers["Cache-Control"] = "no-store"
    return ClientWithSecret.model_validate(
        {**ClientPublic.model_validate(client).model_dump(), "client_secret": secret}
    )


@router.get("/{client_id}", response_model=ClientPublic)
async def get_client(client_id: str, session: SessionDep, principal: CurrentPrincipal) -> ClientPublic:
    return ClientPublic.model_validate(await ClientService(session).get(client_id, principal))


@router.patch("/{client_id}", response_model=ClientPublic)
async def update_client(
    client_id: str, data: ClientUpdate, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> ClientPublic:
    return ClientPublic.model_validate(
        await ClientService(session, events).update(client_id, data, principal)
    )


@router.post("/{client_id}/secret", response_model=ClientWithSecret)
async def rotate_client_secret(
    client_id: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal, response: Response
) -> ClientWithSecret:
    client, secret = await ClientService(session, events).rotate_secret(client_id, principal)
    response.headers["Cache-Control"] = "no-store"
    return ClientWithSecret.model_validate(
        {**ClientPublic.model_validate(client).model_dump(), "client_secret": secret}
    )


@router.delete("/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_client(
    client_id: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> None:
    await ClientService(session, events).delete(client_id, principal)
