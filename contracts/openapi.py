"""OpenAPI 3.1 for services: one `POST /exchange/{agency}/{service}/v{major}` operation per address.

Contract schemas are embedded under `components/schemas` with their local `$ref`s rebased, so a schema with
`$defs` stays valid inside the larger document.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.document import ContractDocument, Kind
from contracts.errors import InvalidInput
from contracts.maintenance import MaintenanceWindow
from contracts.subschemas import children, rebase_refs, walk

OPENAPI_VERSION = "3.1.0"
PROBLEM_JSON = "application/problem+json"

ERRORS = {
    400: ("BadRequest", "The body is not JSON, or a header is malformed"),
    401: ("Unauthorized", "No valid bearer token"),
    403: ("Forbidden", "The client has no grant for this service"),
    404: ("NotFound", "No active contract at this address"),
    413: ("PayloadTooLarge", "The body is larger than the gateway accepts"),
    415: ("UnsupportedMediaType", "The body is not application/json"),
    422: ("UnprocessableContent", "The request does not match the contract's request schema"),
    429: ("TooManyRequests", "The grant's call rate is exceeded"),
    502: ("BadGateway", "The provider's connector failed or answered outside the contract"),
    503: (
        "ServiceUnavailable",
        "The event bus or the exchange log is unavailable, or the service is under maintenance",
    ),
    504: ("GatewayTimeout", "The provider's connector did not answer in time"),
}


def exchange_path(doc: ContractDocument) -> str:
    address = doc.address
    return f"/exchange/{address.agency}/{address.code}/v{address.major}"


def service_scope(doc: ContractDocument) -> str:
    """The OAuth2 scope a client asks for to call this service: its address."""
    return str(doc.address)


def schema_name(doc: ContractDocument, part: str) -> str:
    address = doc.address
    return f"{address.agency}.{address.code}.v{address.major}.{part.capitalize()}"


_SAME_INSTANCE = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas"})


def declare_required(schema: Any) -> Any:
    """`schema`, changed in place so that every subschema defines the properties it `required`s.

    The usual `if`/`then`, `anyOf` and `not` patterns require names that the enclosing object defines; tools that
    read one subschema at a time (linters, example checkers that treat a subschema as closed) see them as
    undefined. Such a subschema gets `{}` for each of those names and for the names the enclosing object
    defines. What validates is unchanged, since `{}` accepts anything; where a new property name would matter
    (`additionalProperties` or `patternProperties` beside it, `unevaluatedProperties` anywhere) nothing is added.
    """
    if any(isinstance(node, dict) and "unevaluatedProperties" in node for _, node in walk(schema)):
        return schema
    _declare(schema, ())
    return schema


def _declare(node: Any, enclosing: tuple[str, ...]) -> None:
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    own = tuple(properties) if isinstance(properties, dict) else ()
    required = node.get("required")
    if (
        isinstance(required, list)
        and (properties is None or isinstance(properties, dict))
        and "additionalProperties" not in node
        and "patternProperties" not in node
        and any(isinstance(name, str) and name not in own for name in required)
    ):
        names = [*enclosing, *(name for name in required if isinstance(name, str))]
        node["properties"] = {**{name: {} for name in names if name not in own}, **(properties or {})}
    here = tuple(dict.fromkeys((*enclosing, *own)))
    for path, child in children(node):
        _declare(child, here if path[0] in _SAME_INSTANCE else ())


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "An RFC 9457 problem",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string", "format": "uri", "examples": ["urn:lgsp:error:invalid-input"]},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "exchange_id": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "pointer": {"type": "string", "description": "RFC 6901 JSON Pointer"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    }


def _trace_headers() -> dict[str, Any]:
    return {
        "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
        "X-Exchange-ID": {"$ref": "#/components/headers/X-Exchange-ID"},
    }


def _components(server_url: str, scopes: dict[str, str]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, (name, description) in ERRORS.items():
        headers = _trace_headers()
        if status in (429, 503):
            headers["Retry-After"] = {"description": "Seconds to wait", "schema": {"type": "integer"}}
        if status == 401:
            headers["WWW-Authenticate"] = {"schema": {"type": "string"}}
        responses[name] = {
            "description": description,
            "headers": headers,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return {
        "schemas": {"Problem": _problem_schema()},
        "responses": responses,
        "headers": {
            "X-Request-ID": {"description": "The client's request id, echoed", "schema": {"type": "string"}},
            "X-Exchange-ID": {
                "description": "The exchange id in the exchange log",
                "schema": {"type": "string"},
            },
        },
        "parameters": {
            "X-Request-ID": {
                "name": "X-Request-ID",
                "in": "header",
                "description": "The client's own id for this call, kept in the exchange log",
                "schema": {"type": "string", "maxLength": 200},
            },
            "Prefer": {
                "name": "Prefer",
                "in": "header",
                "description": "`respond-async` answers 202 at once with the reply's Location",
                "schema": {"type": "string", "examples": ["respond-async"]},
            },
        },
        "securitySchemes": {
            "oauth2": {
                "type": "oauth2",
                "description": "OAuth2 client credentials (RFC 6749 §4.4); one scope per service address",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": f"{server_url.rstrip('/')}/oauth/token",
                        "scopes": scopes,
                    }
                },
            }
        },
    }


def _examples(doc: ContractDocument, part: str) -> dict[str, Any]:
    return {
        example.name: {"summary": example.description or example.name, "value": getattr(example, part)}
        for example in doc.examples
        if part in example.model_fields_set
    }


def _media(doc: ContractDocument, part: str) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{schema_name(doc, part)}"}}
    if examples := _examples(doc, part):
        media["examples"] = examples
    return {"application/json": media}


def _extensions(doc: ContractDocument) -> dict[str, Any]:
    return {
        "x-lgsp-address": str(doc.address),
        "x-lgsp-contract-version": doc.version,
        "x-lgsp-provider": doc.provider,
        "x-lgsp-database": doc.database,
        "x-lgsp-classification": str(doc.classification),
        "x-lgsp-sensitive": list(doc.sensitive),
    }


def _maintenance_response(doc: ContractDocument, window: MaintenanceWindow) -> dict[str, Any]:
    """The operation's 503 while a maintenance window is announced or current: what a call inside it gets."""
    times = window.as_json()
    return {
        "description": f"Under maintenance from {times['from']} until {times['until']} "
        "(and when the event bus or the exchange log is unavailable)",
        "headers": {
            **_trace_headers(),
            "Retry-After": {"description": "Seconds until the window ends", "schema": {"type": "integer"}},
        },
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "examples": {
                    "maintenance": {
                        "summary": "A call inside the maintenance window",
                        "value": {
                            "type": "urn:lgsp:error:maintenance",
                            "title": "Service under maintenance",
                            "status": 503,
                            "detail": f"{doc.title} ({doc.address}) is under maintenance until {times['until']}: "
                            f"{window.notice}",
                        },
                    }
                },
            }
        },
    }


def _operation(doc: ContractDocument, maintenance: MaintenanceWindow | None = None) -> dict[str, Any]:
    address = doc.address
    responses: dict[str, Any] = {
        "200": {
            "description": "The provider's reply",
            "headers": _trace_headers(),
            "content": _media(doc, "response"),
        },
        "202": {
            "description": "Accepted (`Prefer: respond-async`): fetch the reply from Location",
            "headers": {
                **_trace_headers(),
                "Location": {"required": True, "schema": {"type": "string", "format": "uri-reference"}},
            },
        },
    }
    responses |= {
        str(status): {"$ref": f"#/components/responses/{name}"} for status, (name, _) in ERRORS.items()
    }
    description, extensions = doc.description, _extensions(doc)
    if maintenance is not None:
        responses["503"] = _maintenance_response(doc, maintenance)
        description = f"{description}\n\n{maintenance.sentence()}".strip()
        extensions["x-lgsp-maintenance"] = maintenance.as_json()
    return {
        "operationId": f"exchange_{address.agency}_{address.code}_v{address.major}".replace(".", "_").replace(
            "-", "_"
        ),
        "summary": doc.title,
        "description": description,
        "tags": [doc.provider],
        "parameters": [
            {"$ref": "#/components/parameters/X-Request-ID"},
            {"$ref": "#/components/parameters/Prefer"},
        ],
        "requestBody": {"required": True, "content": _media(doc, "request")},
        "responses": responses,
        "security": [{"oauth2": [service_scope(doc)]}],
        **extensions,
    }


def _document(
    services: Sequence[ContractDocument],
    info: dict[str, Any],
    server_url: str,
    maintenance: Mapping[str, MaintenanceWindow] | None = None,
) -> dict[str, Any]:
    components = _components(server_url, {service_scope(doc): doc.title for doc in services})
    paths: dict[str, Any] = {}
    for doc in services:
        for part, schema in doc.schemas().items():
            name = schema_name(doc, part)
            components["schemas"][name] = declare_required(rebase_refs(schema, f"/components/schemas/{name}"))
        paths[exchange_path(doc)] = {"post": _operation(doc, (maintenance or {}).get(str(doc.address)))}
    return {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": components,
    }


def _require_service(doc: ContractDocument) -> None:
    if doc.kind is not Kind.SERVICE:
        raise InvalidInput(
            f"{doc.address} is a {doc.kind}; OpenAPI describes services (use AsyncAPI for datasets)"
        )


def service_openapi(
    doc: ContractDocument,
    *,
    server_url: str = "http://localhost:8080",
    maintenance: MaintenanceWindow | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of one service version, with its maintenance window if one is announced."""
    _require_service(doc)
    info = {"title": doc.title, "version": doc.version, "description": doc.description, **_extensions(doc)}
    if maintenance is not None:
        info["description"] = f"{doc.description}\n\n{maintenance.sentence()}".strip()
        info["x-lgsp-maintenance"] = maintenance.as_json()
    return _document([doc], info, server_url, {str(doc.address): maintenance} if maintenance else None)


def latest_per_address(docs: Sequence[ContractDocument], kind: Kind) -> list[ContractDocument]:
    """The newest version of each address (agency, code, major) among `docs` of `kind`, by address."""
    latest: dict[str, ContractDocument] = {}
    for doc in docs:
        if doc.kind is not kind:
            continue
        key = str(doc.address)
        if key not in latest or doc.version_key > latest[key].version_key:
            latest[key] = doc
    return [latest[key] for key in sorted(latest)]


def catalogue_openapi(
    docs: Sequence[ContractDocument],
    *,
    server_url: str = "http://localhost:8080",
    title: str = "LGSP service catalogue",
    version: str = "1",
    maintenance: Mapping[str, MaintenanceWindow] | None = None,
) -> dict[str, Any]:
    """One OpenAPI 3.1 document for every service in `docs` (the latest version of each major); `maintenance`
    holds the announced windows by address."""
    services = latest_per_address(docs, Kind.SERVICE)
    info = {"title": title, "version": version, "description": f"{len(services)} services"}
    return _document(services, info, server_url, maintenance)
