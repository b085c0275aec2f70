"""/api/v1/federation: the national tier's members, decisions, reports and signed directory; a member's join,
publications, status and the remote services of its catalogue."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from contracts.errors import NotFound
from federation.models import MemberStatus
from federation.national import NationalPublications
from federation.runtime import Federation
from federation.schemas import (
    FederationStatus,
    JoinCreate,
    JoinRequest,
    MemberPublic,
    PublicationCreate,
    RemoteServicePublic,
    ServiceReport,
)
from federation.service import MemberFederation, NationalFederation, catalogue, remote_public
from registry.agencies.schemas import AgencyCode
from registry.auth import CurrentPrincipal, ManagerPrincipal
from registry.deps import SessionDep

router = APIRouter(prefix="/api/v1/federation", tags=["federation"])


def get_federation(request: Request) -> Federation:
    federation: Federation = request.app.state.federation
    return federation


FederationDep = Annotated[Federation, Depends(get_federation)]
Decision = Annotated[str, "approve | refuse | suspend | resume"]


@router.post("/members", status_code=status.HTTP_202_ACCEPTED, response_model=MemberPublic)
async def request_to_join(data: JoinRequest, session: SessionDep, federation: FederationDep) -> MemberPublic:
    """(national tier) A platform asks to join, signed by a key it names; it waits for the operator's decision."""
    return await NationalFederation(session, federation).request_to_join(data.request)


@router.get("/members", response_model=list[MemberPublic])
async def list_members(
    session: SessionDep,
    federation: FederationDep,
    principal: CurrentPrincipal,
    status: MemberStatus | None = None,
) -> list[MemberPublic]:
    """(national tier, platform admin) Every member and request to join."""
    return await NationalFederation(session, federation).listed(principal, status)


@router.get("/members/{code}", response_model=MemberPublic)
async def get_member(
    code: AgencyCode, session: SessionDep, federation: FederationDep, principal: CurrentPrincipal
) -> MemberPublic:
    return await NationalFederation(session, federation).get(code, principal)


def _decision(action: str) -> Any:
    async def decide(
        code: AgencyCode, session: SessionDep, federation: FederationDep, principal: ManagerPrincipal
    ) -> MemberPublic:
        return await NationalFederation(session, federation).decide(code, action, principal)

    decide.__doc__ = f"(national tier, platform admin) {action.capitalize()} a member: the directory changes."
    return decide


for _action in ("approve", "refuse", "suspend", "resume"):
    router.add_api_route(
        f"/members/{{code}}/{_action}", _decision(_action), methods=["POST"], response_model=MemberPublic,
        name=f"{_action}_member",
    )  # fmt: skip


@router.get(
    "/directory",
    response_class=Response,
    responses={200: {"content": {"application/jose": {"schema": {"type": "string"}}}}},
)
async def directory(session: SessionDep, federation: FederationDep) -> Response:
    """(national tier, public) The signed, versioned federation directory: a compact JWS."""
    token = await NationalFederation(session, federation).signed_directory()
    return Response(token, media_type="application/jose", headers={"Cache-Control": "no-store"})


@router.post("/services", response_model=RemoteServicePublic | None)
async def report_service(data: ServiceReport, session: SessionDep, federation: FederationDep) -> Any:
    """(national tier) A member reports a service it shares nationally, or withdraws it; signed by its key."""
    return await NationalFederation(session, federation).report(data.report)


@router.post("/join")
async def join(
    session: SessionDep,
    federation: FederationDep,
    principal: ManagerPrincipal,
    data: JoinCreate | None = None,
) -> Any:
    """(member, platform admin) Ask the national tier to join, with this platform's code, URL and keys."""
    return await MemberFederation(session, federation).join(data.name if data else None, principal)


@router.post("/publications")
async def publish(
    data: PublicationCreate, session: SessionDep, federation: FederationDep, principal: ManagerPrincipal
) -> Any:
    """(member) Share a service version beyond the province, or withdraw it (`national: false`); on the national
    tier, a service of its own registry (a national database's), answered by its own connector."""
    if federation.config.is_national:
        return await NationalPublications(session, federation).publish(data.address, data.national, principal)
    return await MemberFederation(session, federation).publish(data.address, data.national, principal)


@router.get("/status", response_model=FederationStatus)
async def federation_status(
    session: SessionDep, federation: FederationDep, _principal: CurrentPrincipal
) -> FederationStatus:
    """This platform's tier, its status in the verified directory, and that directory's version and source
    (on the national tier: the version it signs now)."""
    status = MemberFederation(session, federation).status()
    if federation.config.is_national:
        payload = await NationalFederation(session, federation).directory_payload()
        status.directory.version, status.directory.source = payload["version"], "national"
        status.directory.members = len(payload["members"])
    return status


@router.get("/catalogue", response_model=list[RemoteServicePublic])
async def remote_catalogue(session: SessionDep, federation: FederationDep) -> list[RemoteServicePublic]:
    """The services other members share nationally, from the verified directory: remote services."""
    return [remote_public(service) for service in await catalogue(session, federation)]


@router.get("/catalogue/{agency}/{code}/{major}/openapi.json")
async def remote_openapi(
    agency: str, code: str, major: str, session: SessionDep, federation: FederationDep
) -> dict[str, Any]:
    """A remote service's OpenAPI, as its provider reported it."""
    address = f"{agency}/{code}/{major}"
    for service in await catalogue(session, federation):
        if service["address"] == address:
            openapi: dict[str, Any] = service["openapi"]
            return openapi
    raise NotFound(f"{address} is not a remote service in the verified federation directory")
