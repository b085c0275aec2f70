from fastapi import APIRouter, Response, status

from registry.auth import CurrentPrincipal, ManagerPrincipal
from registry.clients.schemas import (
    ClientCreate,
    ClientKeyCreate,
    ClientKeyPublic,
    ClientPublic,
    ClientUpdate,
    ClientWithSecret,
)
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


@router.get("/{client_id}/keys", response_model=list[ClientKeyPublic])
async def list_client_keys(
    client_id: str, session: SessionDep, principal: CurrentPrincipal
) -> list[ClientKeyPublic]:
    """The public keys the client signs bus messages with (replies, acknowledgements), withdrawn ones too."""
    return [
        ClientKeyPublic.model_validate(k) for k in await ClientService(session).keys(client_id, principal)
    ]


@router.post("/{client_id}/keys", status_code=status.HTTP_201_CREATED, response_model=ClientKeyPublic)
async def register_client_key(
    client_id: str,
    data: ClientKeyCreate,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
    response: Response,
) -> ClientKeyPublic:
    """Register the public half of a message signing key (a private key is refused)."""
    key = await ClientService(session, events).register_key(client_id, data, principal)
    response.headers["Location"] = f"/api/v1/clients/{client_id}/keys/{key.kid}"
    return ClientKeyPublic.model_validate(key)


@router.delete("/{client_id}/keys/{kid}", response_model=ClientKeyPublic)
async def withdraw_client_key(
    client_id: str, kid: str, session: SessionDep, events: EventsDep, principal: ManagerPrincipal
) -> ClientKeyPublic:
    """Withdraw a key: messages signed with it are no longer believed."""
    return ClientKeyPublic.model_validate(
        await ClientService(session, events).withdraw_key(client_id, kid, principal)
    )
