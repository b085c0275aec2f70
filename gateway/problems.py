"""RFC 9457 problem responses for every failure, so no client ever sees a bare 500 or a traceback."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.errors import LgspError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("lgsp.gateway")

_HTTP_NAMES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def problem_response(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    body.setdefault("instance", request.url.path)
    exchange_id = getattr(request.state, "exchange_id", None)
    if exchange_id:
        body.setdefault("exchange_id", exchange_id)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def pointer_of(location: tuple[Any, ...]) -> str:
    """FastAPI's error location as a JSON Pointer into the body, or the parameter's name."""
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in location[1:]]
    return "/" + "/".join(parts) if parts else ""


async def lgsp_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LgspError)
    return problem_response(request, exc.status, exc.problem(), exc.headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        location = tuple(error.get("loc", ()))
        entry = {"message": error.get("msg", "invalid")}
        if location and location[0] == "body":
            entry["pointer"] = pointer_of(location)
        else:
            entry["parameter"] = ".".join(str(part) for part in location[1:]) or str(
                location[0] if location else ""
            )
            entry["in"] = str(location[0]) if location else ""
        errors.append(entry)
    body = {
        "type": "urn:lgsp:error:invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": "; ".join(
            f"{e.get('pointer') or e.get('parameter') or '/'}: {e['message']}" for e in errors[:5]
        ),
        "errors": errors,
    }
    return problem_response(request, 422, body)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    name, title = _HTTP_NAMES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    body = {"type": f"urn:lgsp:error:{name}", "title": title, "status": exc.status_code, "detail": detail}
    return problem_response(request, exc.status_code, body, dict(exc.headers or {}))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    body = {
        "type": "urn:lgsp:error:internal",
        "title": "Internal error",
        "status": 500,
        "detail": "the gateway failed unexpectedly; the error is logged",
    }
    return problem_response(request, 500, body)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LgspError, lgsp_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "properties": {
        "type": {"type": "string", "examples": ["urn:lgsp:error:no-grant"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "exchange_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail"],
}
