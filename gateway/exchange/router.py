"""`POST /exchange/...` (call a department's service) and `POST /share/...` (publish records to the warehouse)."""

from fastapi import APIRouter, Request, Response

from contracts.errors import NotFound, PayloadTooLarge
from gateway.exchange.calls import ServiceCalls
from gateway.exchange.flow import Inbound, Outbound
from gateway.exchange.shares import ShareIntake
from gateway.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA

router = APIRouter(tags=["exchange"])

_PROBLEM = {"content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "the provider's reply, checked against the contract",
        "content": {"application/json": {}},
    },
    202: {"description": "accepted (Prefer: respond-async); the result appears at Location"},
    **{
        status: {"description": text, **_PROBLEM}
        for status, text in {
            400: "malformed JSON",
            401: "no valid token",
            403: "no grant, or the token lacks the service's scope",
            404: "unknown service or version",
            410: "a former address (agency merged, database moved), or a deprecated contract version, past its sunset;"
            " names the successor",
            413: "body too large",
            415: "not application/json",
            422: "request does not match the contract",
            429: "over the grant's call rate (Retry-After)",
            502: "the provider failed or answered against the contract",
            503: "bus or exchange log unavailable, or the service under maintenance (Retry-After)",
            504: "no reply from the provider in time",
        }.items()
    },
}


def inbound(request: Request, address: str, limit: int) -> Inbound:
    async def read_body() -> bytes:
        body = await request.body()
        if len(body) > limit:
            raise PayloadTooLarge(f"the body of {len(body)} bytes is over the limit of {limit} bytes")
        return body

    headers = request.headers
    return Inbound(
        address=address,
        authorization=headers.get("authorization"),
        content_type=headers.get("content-type"),
        read_body=read_body,
        request_id=headers.get("x-request-id"),
        traceparent=headers.get("traceparent"),
        respond_async="respond-async" in headers.get("prefer", "").lower(),
        source=request.client.host if request.client else "",
    )


def response(result: Outbound, arrived: Inbound) -> Response:
    media_type = PROBLEM_MEDIA_TYPE if result.problem else "application/json"
    headers = result.headers | arrived.notice if arrived.notice else result.headers
    return Response(result.body, status_code=result.status, headers=headers, media_type=media_type)


@router.post(
    "/exchange/{agency}/{service}/v{major}",
    responses=_RESPONSES,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {}}}}},
)
async def exchange(agency: str, service: str, major: str, request: Request) -> Response:
    """Call a service. The body is the request defined by the service's contract (see its OpenAPI)."""
    calls: ServiceCalls = request.app.state.calls
    arrived = inbound(request, f"{agency}/{service}/v{major}", calls.services.max_body_bytes)
    crossing = getattr(request.app.state, "crossing", None)
    if crossing is not None and crossing.is_remote(
        arrived.address
    ):  # another member's: across the federation
        return response(await crossing.originate(arrived), arrived)
    return response(await calls.call(arrived), arrived)


@router.post(
    "/share/{agency}/{dataset}/v{major}",
    responses={**_RESPONSES, 202: {"description": "accepted: logged and on its way to the warehouse"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["records"],
                        "properties": {"records": {"type": "array"}},
                    }
                }
            },
        }
    },
)
async def share(agency: str, dataset: str, major: str, request: Request) -> Response:
    """Publish a batch of a dataset's records to the shared data warehouse (refused whole if any is invalid)."""
    shares: ShareIntake = request.app.state.shares
    arrived = inbound(request, f"{agency}/{dataset}/v{major}", shares.services.max_body_bytes)
    return response(await shares.share(arrived), arrived)


@router.post("/exchange/{agency}/{service}/{version}", include_in_schema=False)
@router.post("/share/{agency}/{service}/{version}", include_in_schema=False)
async def not_a_major(agency: str, service: str, version: str, request: Request) -> Response:
    """An address names the major version (v1), never a full version (1.0.0): say so rather than 'Not Found'."""
    root = request.url.path.split("/")[1]
    major = version.removeprefix("v").split(".")[0]
    example = f"v{major}" if major.isdigit() else "v1"
    raise NotFound(
        f"an address takes the major version, as in /{root}/{agency}/{service}/{example}, not '{version}'"
    )
