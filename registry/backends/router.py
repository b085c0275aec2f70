"""`/services/{agency}/{code}/v{major}/backend`: bind a service major to an HTTP backend."""

from fastapi import APIRouter, Request, status

from registry.auth import ManagerPrincipal
from registry.backends.deps import CipherDep, GuardDep
from registry.backends.schemas import BackendCreate, BackendPublic
from registry.backends.service import BackendService
from registry.deps import EventsDep, SessionDep

router = APIRouter(tags=["backends"])
PATH = "/services/{agency}/{code}/{major}/backend"


async def _resync(request: Request) -> None:
    """The HTTP connector in this process (embedded default) serves the change at once."""
    connector = getattr(request.app.state, "http_backends", None)
    if connector is not None:
        await connector.sync()


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
