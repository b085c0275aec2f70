"""A connector's services over HTTP, for a gateway that calls them as a bound backend (`lgsp connector serve`).

One route per service version, `POST /{agency}/{service}/v{major}`, taking the gateway's request in CloudEvents
HTTP binary mode (connectors/sdk/http_envelope.py). Each request is admitted and answered exactly as on the bus
(connectors/sdk/responder.py `ServiceAnswerer`): the platform's signature checked against its envelope JWKS,
the deadline, freshness and replay checks, then the request and the answer checked against the contract. The
answer is 200 with the JSON body; anything else an RFC 9457 problem with its status.
"""

import logging
from collections.abc import Awaitable, Callable, Iterable

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.sdk.connector import Connector
from connectors.sdk.http_envelope import envelope_from_http
from connectors.sdk.keys import GatewayKeys
from connectors.sdk.responder import FRESHNESS, RecentIds, ServiceAnswerer
from contracts.addresses import Address
from contracts.envelope import EXCHANGE_REQUEST, STATUS_OK, EnvelopeInvalid
from contracts.errors import LgspError, NotFound, PayloadTooLarge
from contracts.signing import SignatureInvalid

log = logging.getLogger("lgsp.connector")
PROBLEM = "application/problem+json"
MAX_BODY_BYTES = 1_048_576  # the gateway's own default limit (LGSP_MAX_BODY_BYTES)


class MethodNotAllowed(LgspError):
    name, status, title = "method-not-allowed", 405, "Method not allowed"


def route_path(address: Address) -> str:
    return f"/{address.agency}/{address.code}/v{address.major}"


def _problem(error: LgspError, exchange_id: str | None = None) -> Response:
    body = error.problem()
    if exchange_id:
        body["exchange_id"] = exchange_id
    return Response(orjson.dumps(body), status_code=error.status, media_type=PROBLEM, headers=error.headers)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body of {declared} bytes is over the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
    return bytes(body)


def _endpoint(answerer: ServiceAnswerer, max_body_bytes: int) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        try:
            body = await _body(request, max_body_bytes)
            if not request.headers.get("ce-signature"):
                raise SignatureInvalid(
                    "the request is not signed: this endpoint answers only the platform's signed requests"
                )
            envelope = envelope_from_http(request.headers, body)
            if envelope.type != EXCHANGE_REQUEST:
                raise EnvelopeInvalid(f"ce-type is {envelope.type!r}, expected '{EXCHANGE_REQUEST}'")
            await answerer.admit(envelope)
        except LgspError as refused:
            log.warning("%s: refused a request: %s", answerer.address, refused.detail)
            return _problem(refused, request.headers.get("ce-id"))
        reply = await answerer.answer(envelope)
        if reply.status == STATUS_OK:
            return Response(reply.data, media_type="application/json", headers={"ce-id": envelope.id})
        status = orjson.loads(reply.data).get("status")
        return Response(
            reply.data,
            status_code=status if isinstance(status, int) and 400 <= status <= 599 else 502,
            media_type=PROBLEM,
            headers={"ce-id": envelope.id},
        )

    return serve


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return _problem(MethodNotAllowed(f"{request.method} is not allowed here: send POST"))
    return _problem(NotFound(f"this connector serves no service at {request.url.path}"))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected failure answering %s", request.url.path, exc_info=exc)
    return _problem(LgspError("the connector failed unexpectedly; its log says why"))


def build_http_app(
    connectors: Connector | Iterable[Connector],
    keys: GatewayKeys,
    *,
    recent: RecentIds | None = None,
    freshness: float = FRESHNESS,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    """The ASGI app serving every service of `connectors`; their contracts must be loaded already
    (connectors/sdk/runner.py `fetch_missing_contracts`). It does not own `keys` or `recent`."""
    served = [connectors] if isinstance(connectors, Connector) else list(connectors)
    addresses = [address for connector in served for address in connector.services]
    if duplicates := sorted({str(a) for a in addresses if addresses.count(a) > 1}):
        raise ValueError(f"served by more than one connector: {', '.join(duplicates)}")
    recent = recent or RecentIds(window=freshness)
    routes = []
    for connector in served:
        for address, registration in connector.services.items():
            answerer = ServiceAnswerer(
                address=address, contract=connector.contract(address), handler=registration.handler, keys=keys,
                source=connector.source, validate_requests=connector.validate_requests, recent=recent,
                freshness=freshness,
            )  # fmt: skip
            routes.append(Route(route_path(address), _endpoint(answerer, max_body_bytes), methods=["POST"]))
    if not routes:
        raise ValueError("the connectors answer no service")
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _unexpected})
