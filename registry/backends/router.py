"""`/services/{agency}/{code}/v{major}/backend`: bind a service major to an HTTP backend."""

from typing import Any

from fastapi import APIRouter, Request, status
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.errors import LgspError
from contracts.loading import load_contract
from registry.auth import ManagerPrincipal, Principal
from registry.backends.deps import CipherDep, GuardDep, get_cipher, get_guard
from registry.backends.schemas import BackendCreate, BackendPublic
from registry.backends.service import BackendService
from registry.deps import EventsDep, SessionDep
from registry.events import EventSink

router = APIRouter(tags=["backends"])
PATH = "/services/{agency}/{code}/{major}/backend"


async def _resync(request: Request) -> None:
    """The HTTP connector in this process (embedded default) serves the change at once."""
    connector = getattr(request.app.state, "http_backends", None)
    if connector is not None:
        await connector.sync()


async def check_documented(request: Request, raw: bytes, max_bytes: int) -> None:
    """Refuse a contract document whose `backend` is outside the networks (its other faults: registration's)."""
    try:
        document = load_contract(raw, max_bytes=max_bytes)
    except LgspError:
        return
    if document.backend is not None:
        await get_guard(request).check(document.backend.url)


async def bind_documented(
    request: Request,
    session: AsyncSession,
    events: EventSink,
    principal: Principal,
    address: str,
    backend: dict[str, Any],
) -> None:
    """Bind the service a registered contract document names a `backend` for (the same checks as the PUT)."""
    service = BackendService(session, get_cipher(request), get_guard(request), events)
    await service.bind_from_document(address, backend["url"], backend.get("timeout_seconds", 10.0), principal)
    await _resync(request)


@router.put(PATH, response_model=BackendPublic)
async def bind_backend(
    agency: str,
    code: str,
    major: str,
    data: BackendCreate,
    request: Request,
    session: SessionDep,
    events: EventsDep,
    principal: ManagerPrincipal,
    cipher: CipherDep,
    guard: GuardDep,
) -> BackendPublic:
    """Bind the service major (`major` is `v1`) to an HTTP backend. Header values and auth secrets are sealed and
    never shown back; the URL (and an OAuth2 token URL) must resolve inside `LGSP_BACKEND_NETWORKS`."""
    bound = await BackendService(session, cipher, guard, events).bind(
        f"{agency}/{code}/{major}", data, principal
    )
    await _resync(request)
    return bound


@router.get(PATH, response_model=BackendPublic)
async def get_backend(
    agency: str, code: str, major: str, session: SessionDep, principal: ManagerPrincipal, cipher: CipherDep,
    guard: GuardDep,
) -> BackendPublic:  # fmt: skip
    return await BackendService(session, cipher, guard).get(f"{agency}/{code}/{major}", principal)


@router.delete(PATH, status_code=status.HTTP_204_NO_CONTENT)
async def unbind_backend(
    agency: str, code: str, major: str, request: Request, session: SessionDep, events: EventsDep,
    principal: ManagerPrincipal, cipher: CipherDep, guard: GuardDep,
) -> None:  # fmt: skip
    await BackendService(session, cipher, guard, events).unbind(f"{agency}/{code}/{major}", principal)
    await _resync(request)
