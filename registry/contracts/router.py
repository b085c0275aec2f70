"""Contracts: registration, the services and datasets with their versions, and their specifications."""

from typing import Any

from fastapi import APIRouter, Request, Response, status

from contracts.asyncapi import datasets_asyncapi
from contracts.document import ContractDocument, Kind
from contracts.errors import UnsupportedMediaType
from contracts.openapi import service_openapi
from registry.auth import ManagerPrincipal
from registry.backends.router import bind_documented, check_documented
from registry.contracts.presenters import contract_public, endpoint_public
from registry.contracts.schemas import ContractPublic, ContractUpdate, EndpointPublic
from registry.contracts.service import ContractService
from registry.deps import EventsDep, LimitQuery, OffsetQuery, SessionDep
from registry.storage import utcnow

CONTRACT_MEDIA_TYPES = {
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
}

router = APIRouter(tags=["contracts"])


async def read_document(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CONTRACT_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"send the contract as application/yaml or application/json, not '{media_type or 'nothing'}'"
        )
    return await request.body()


@router.post(
    "/contracts",
    response_model=ContractPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {}},
            },
        }
    },
    responses={200: {"description": "the identical version was registered before", "model": ContractPublic}},
)
async def register_contract(
    request: Request, session: SessionDep, events: EventsDep, principal: ManagerPrincipal, response: Response
) -> ContractPublic:
    """Register a contract version (YAML or JSON document); it is checked, and refused if it breaks the rule."""
    max_bytes = request.app.state.settings.max_contract_bytes
    raw = await read_document(request)
    await check_documented(request, raw, max_bytes)  # before registering: a refused backend registers nothing
    registered = await ContractService(session, events, max_bytes=max_bytes).register(raw, principal)
    if (backend := registered.version.document.get("backend")) is not None:
        await bind_documented(request, session, events, principal, registered.endpoint.address, backend)
    kind = "services" if registered.endpoint.kind == Kind.SERVICE else "datasets"
    response.headers["Location"] = (
        f"/api/v1/{kind}/{registered.endpoint.agency_code}/{registered.endpoint.code}/{registered.version.version}"
    )
    if not registered.created:
        response.status_code = status.HTTP_200_OK
    return contract_public(registered.endpoint, registered.version)


def _add_kind_routes(kind: Kind, collection: str) -> None:
    @router.get(f"/{collection}", response_model=list[EndpointPublic], name=f"list_{collection}")
    async def list_endpoints(
        session: SessionDep, agency: str | None = None, offset: OffsetQuery = 0, limit: LimitQuery = 100
    ) -> list[EndpointPublic]:
        """A page of the addresses (`offset`, `limit`), each with its versions."""
        service = ContractService(session)
        return [
            endpoint_public(endpoint, await service.versions.versions(endpoint.id or 0))
            for endpoint, _ in await service.listing(kind=kind, agency=agency, offset=offset, limit=limit)
        ]

    @router.get(f"/{collection}/{{agency}}/{{code}}", response_model=list[EndpointPublic], name=f"get_{kind}")
    async def get_endpoint(agency: str, code: str, session: SessionDep) -> list[EndpointPublic]:
        return [
            endpoint_public(e, versions)
            for e, versions in await ContractService(session).majors(kind, agency, code)
        ]

    @router.get(
        f"/{collection}/{{agency}}/{{code}}/{{version}}",
        response_model=ContractPublic,
        name=f"get_{kind}_version",
    )
    async def get_version(
        agency: str, code: str, version: str, session: SessionDep, response: Response
    ) -> ContractPublic:
        """`version` is a major (`v1`: its newest version) or an exact version (`1.2.0`). A deprecated version
        is announced in `Deprecation` and, once its end is set, `Sunset` headers."""
        endpoint, found = await ContractService(session).version(kind, agency, code, version)
        response.headers.update(found.notice())
        return contract_public(endpoint, found)

    @router.patch(
        f"/{collection}/{{agency}}/{{code}}/{{version}}", response_model=ContractPublic, name=f"update_{kind}"
    )
    async def update_version(
        agency: str,
        code: str,
        version: str,
        data: ContractUpdate,
        session: SessionDep,
        events: EventsDep,
        principal: ManagerPrincipal,
    ) -> ContractPublic:
        """`status` and `sunset_at` change the version named in the path; `capture_payloads` and, for a service,
        `maintenance` (`{"from", "until", "notice"}`, or null to clear it) the whole major. During an announced
        maintenance window the gateway answers the service's calls 503 `urn:lgsp:error:maintenance`."""
        service = ContractService(session, events)
        endpoint, found = await service.version(kind, agency, code, version)
        if "maintenance" in data.model_fields_set:
            window = None if data.maintenance is None else data.maintenance.window()
            endpoint = await service.set_maintenance(endpoint, window, principal)
        if data.capture_payloads is not None:
            endpoint = await service.set_capture(endpoint, data.capture_payloads, principal)
        if data.status is not None:
            endpoint, found = await service.set_status(
                kind, agency, code, found.version, data.status, principal
            )
        if data.sunset_at is not None:
            endpoint, found = await service.set_sunset(
                kind, agency, code, found.version, data.sunset_at, principal
            )
        return contract_public(endpoint, found)

    @router.delete(
        f"/{collection}/{{agency}}/{{code}}/{{version}}",
        status_code=status.HTTP_204_NO_CONTENT,
        name=f"delete_{kind}_version",
    )
    async def delete_version(
        agency: str,
        code: str,
        version: str,
        session: SessionDep,
        events: EventsDep,
        principal: ManagerPrincipal,
    ) -> None:
        await ContractService(session, events).delete_version(kind, agency, code, version, principal)


_add_kind_routes(Kind.SERVICE, "services")
_add_kind_routes(Kind.DATASET, "datasets")


@router.get("/services/{agency}/{code}/{version}/openapi.json", tags=["catalogue"])
async def service_specification(
    agency: str, code: str, version: str, session: SessionDep, request: Request
) -> dict[str, Any]:
    """OpenAPI 3.1 for calling one service version through the gateway."""
    endpoint, found = await ContractService(session).version(Kind.SERVICE, agency, code, version)
    return service_openapi(
        ContractDocument.model_validate(found.document),
        server_url=server_url(request),
        maintenance=endpoint.maintenance_shown(utcnow()),
    )


@router.get("/datasets/{agency}/{code}/{version}/asyncapi.json", tags=["catalogue"])
async def dataset_specification(
    agency: str, code: str, version: str, session: SessionDep, request: Request
) -> dict[str, Any]:
    """AsyncAPI 3 for publishing one dataset version."""
    _, found = await ContractService(session).version(Kind.DATASET, agency, code, version)
    return datasets_asyncapi(
        [ContractDocument.model_validate(found.document)],
        server_url=server_url(request),
        kafka_bootstrap=kafka_bootstrap(request),
    )


def server_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def kafka_bootstrap(request: Request) -> str | None:
    """The Kafka the platform's bus runs on, when it does (the app's settings, read without importing them)."""
    bootstrap = getattr(getattr(request.app.state, "settings", None), "kafka_bootstrap", None)
    return bootstrap if isinstance(bootstrap, str) and bootstrap else None
