"""The exchange path dispatched straight from ASGI.

`POST /exchange/...` and `POST /share/...` take the raw request and answer raw bytes, so FastAPI's routing,
dependency solving and exception layers, a fifth of each call's time, buy them nothing. This middleware hands
those two routes to their endpoints directly; FastAPI still routes (and documents) everything else, and the
two routes themselves when this middleware is not installed.
"""

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.exchange.router import exchange, share
from gateway.problems import PROBLEM_MEDIA_TYPE

log = logging.getLogger("lgsp.exchange")
Endpoint = Callable[[str, str, str, Request], Awaitable[Response]]
_ENDPOINTS: dict[str, Endpoint] = {"exchange": exchange, "share": share}
_KINDS = ("exchange", "share", "relay")
_RELAY = "/api/v1/federation/exchange/"  # a call across the federation from the hop before (gateway/crossing)
_INTERNAL = (
    b'{"type":"urn:lgsp:error:internal","title":"Internal error","status":500,'
    b'"detail":"the gateway failed unexpectedly; the error is logged"}'
)


def hot_route(path: str) -> tuple[str, str, str, str] | None:
    """(`exchange`, `share` or `relay`, agency, code, major) for `/exchange/A/C/vN`, `/share/A/C/vN` and
    `/api/v1/federation/exchange/A/C/vN`."""
    relayed = path.startswith(_RELAY)
    parts = ("/relay/" + path.removeprefix(_RELAY) if relayed else path).split("/")
    if len(parts) != 5 or parts[1] not in _KINDS or not parts[4].startswith("v"):
        return None
    _, kind, agency, code, major = parts
    if (kind == "relay") != relayed:
        return None
    return (kind, agency, code, major[1:]) if agency and code else None


class ExchangeHotPath:
    def __init__(self, app: ASGIApp, relay: Endpoint | None = None) -> None:
        self.app = app
        # the federation's hop route (gateway/crossing/router.py) is given by the app: crossing imports exchange
        self.endpoints = _ENDPOINTS | ({"relay": relay} if relay is not None else {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = hot_route(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if route is not None and route[0] == "relay" and not self._relays(scope):
            route = None  # not in a federation: FastAPI's route answers that with its problem
        if route is None:
            await self.app(scope, receive, send)
            return
        kind, agency, code, major = route
        try:
            response = await self.endpoints[kind](agency, code, major, Request(scope, receive))
        except Exception:
            log.exception("unhandled error on POST %s", scope["path"])
            headers = [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", b"%d" % len(_INTERNAL)),
            ]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": _INTERNAL})
            return
        await response(scope, receive, send)

    def _relays(self, scope: Scope) -> bool:
        return "relay" in self.endpoints and getattr(scope["app"].state, "crossing", None) is not None
