"""`lgsp contract import`: one operation of an OpenAPI description as a draft service contract.

The request is one JSON object: the request body's properties and the path, query and header parameters side
by side, as a consumer sends it to the gateway. The response is the success response's JSON body. Examples
are the description's, paired by name; the draft is checked as any contract is before it is written.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from contracts import pointers
from contracts.checks import DIALECT
from contracts.openapi_examples import Example, media_examples, pair_examples
from contracts.openapi_schemas import SchemaInliner, Unmappable
from contracts.openapi_source import OpenApiSource, Operation

_JSON = re.compile(r"^application/(?:[\w.-]+\+)?json$")
# OpenAPI: "If in is header and the name is Accept, Content-Type or Authorization, the definition is ignored"
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_SUCCESS = re.compile(r"^2(?:\d\d|XX)$")


@dataclass
class Parameter:
    name: str
    location: str
    at: str
    required: bool
    schema: Any
    examples: dict[str | None, Example] = field(default_factory=dict)


@dataclass
class MappedOperation:
    operation: Operation
    request: dict[str, Any]
    response: dict[str, Any]
    parameters: list[Parameter]
    response_code: str
    examples: list[tuple[Example, Example]]
    notes: list[str]


def map_operation(source: OpenApiSource, operation: Operation) -> MappedOperation:
    if "callbacks" in operation.node:
        raise Unmappable(
            f"callbacks at {operation.at}/callbacks: a contract is one request and its answer; "
            "the backend calling the consumer back cannot be expressed"
        )
    inliner = SchemaInliner(source.references, oas30=source.oas30)
    notes: list[str] = []
    parameters = _parameters(source, operation, inliner)
    body, body_examples = _request_body(source, operation, inliner)
    request = _request_schema(operation, parameters, body)
    code, response, response_examples = _success_response(source, operation, inliner)
    requests = _request_examples(parameters, body_examples, notes)
    if not requests and not parameters and body is None:
        requests = {None: Example(None, {}, "", "")}  # nothing to send: every answer pairs with {}
    examples = pair_examples(requests, response_examples, notes)
    return MappedOperation(operation, request, response, parameters, code, examples, notes)


def _parameters(source: OpenApiSource, operation: Operation, inliner: SchemaInliner) -> list[Parameter]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for owner, owner_at in ((operation.path_item, operation.path_item_at), (operation.node, operation.at)):
        for index, node in enumerate(owner.get("parameters") or []):
            parameter, at = source.references.follow(node, f"{owner_at}/parameters/{index}")
            merged[(parameter["name"], parameter["in"])] = (parameter, at)  # the operation's win
    parameters = []
    for (name, location), (node, at) in merged.items():
        if location == "cookie":
            raise Unmappable(
                f"cookie parameter '{name}' at {at}: consumers call the gateway with a JSON body; "
                "a cookie cannot be part of it"
            )
        if location == "header" and name.lower() in _IGNORED_HEADERS:
            continue
        if "content" in node:
            media, media_at = _json_media(node["content"], f"{at}/content", f"parameter '{name}'")
            schema = inliner.inline(media.get("schema", {}), f"{media_at}/schema")
        else:
            schema = inliner.inline(node.get("schema", {}), f"{at}/schema")
        if isinstance(schema, dict) and node.get("description") and "description" not in schema:
            schema = {**schema, "description": node["description"]}
        examples = media_examples(source.references, node, at, schema)
        parameters.append(Parameter(name, location, at, bool(node.get("required")), schema, examples))
    return parameters


def _json_media(content: dict[str, Any], at: str, what: str) -> tuple[dict[str, Any], str]:
    for media, node in content.items():
        if _JSON.match(media.split(";")[0].strip().lower()):
            return node, f"{at}/{pointers.escape(media)}"
    kinds = ", ".join(content) or "none"
    if any(media.split(";")[0].strip().lower() == "multipart/form-data" for media in content):
        raise Unmappable(
            f"{what} at {at} is multipart/form-data ({kinds}), not JSON: a contract carries one JSON document, "
            "not a form or files"
        )
    raise Unmappable(f"{what} at {at} has no JSON media type (only {kinds}): a contract carries JSON")


def _request_body(
    source: OpenApiSource, operation: Operation, inliner: SchemaInliner
) -> tuple[tuple[Any, str] | None, dict[str | None, Example]]:
    if "requestBody" not in operation.node:
        return None, {}
    body, at = source.references.follow(operation.node["requestBody"], f"{operation.at}/requestBody")
    media, media_at = _json_media(body.get("content") or {}, f"{at}/content", "the request body")
    schema = inliner.inline(media.get("schema", {}), f"{media_at}/schema")
    examples = media_examples(source.references, media, media_at, schema)
    return (schema, media_at), examples


def _request_schema(
    operation: Operation, parameters: list[Parameter], body: tuple[Any, str] | None
) -> dict[str, Any]:
    if body is not None and not parameters:
        schema, _ = body
        return _rooted(schema if isinstance(schema, dict) else {"allOf": [schema]})
    properties: dict[str, Any] = {}
    required: list[str] = []
    base: dict[str, Any] = {"type": "object", "additionalProperties": False}
    owner: dict[str, str] = {}
    if body is not None:
        schema, at = body
        if not (isinstance(schema, dict) and isinstance(schema.get("properties"), dict)):
            raise Unmappable(
                f"the request body at {at}/schema is not an object with properties, so the parameters of "
                f"{operation.at} cannot be properties beside it"
            )
        base = {k: v for k, v in schema.items() if k not in ("properties", "required")}
        properties = dict(schema["properties"])
        required = list(schema.get("required") or [])
        owner = {name: f"{at}/schema/properties/{pointers.escape(name)}" for name in properties}
    for parameter in parameters:
        if parameter.name in owner:
            raise Unmappable(
                f"{parameter.location} parameter '{parameter.name}' at {parameter.at} has the name of "
                f"{owner[parameter.name]}: they cannot be one request object's properties"
            )
        owner[parameter.name] = parameter.at
        properties[parameter.name] = parameter.schema
        if parameter.required:
            required.append(parameter.name)
    return _rooted({**base, "properties": properties, **({"required": required} if required else {})})


def _success_response(
    source: OpenApiSource, operation: Operation, inliner: SchemaInliner
) -> tuple[str, dict[str, Any], dict[str | None, Example]]:
    responses_at = f"{operation.at}/responses"
    codes = sorted(code for code in operation.node.get("responses", {}) if _SUCCESS.match(str(code)))
    if not codes:
        raise Unmappable(f"no success response (200, 201 or another 2XX) at {responses_at}")
    code = next((c for c in ("200", "201") if c in codes), codes[0])
    response, at = source.references.follow(
        operation.node["responses"][code], f"{responses_at}/{pointers.escape(code)}"
    )
    if not response.get("content"):
        raise Unmappable(f"the success response {code} at {at} has no body: a contract's answer is JSON")
    media, media_at = _json_media(response["content"], f"{at}/content", f"the success response {code}")
    schema = inliner.inline(media.get("schema", {}), f"{media_at}/schema")
    examples = media_examples(source.references, media, media_at, schema)
    return code, _rooted(schema if isinstance(schema, dict) else {"allOf": [schema]}), examples


def _rooted(schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DIALECT, **{k: v for k, v in schema.items() if k != "$schema"}}


def _request_examples(
    parameters: list[Parameter], body: dict[str | None, Example], notes: list[str]
) -> dict[str | None, Example]:
    """One request example per name found on the body or a parameter; a lone example serves every name."""
    names: list[str | None] = [name for name in body if name is not None]
    for parameter in parameters:
        names += [name for name in parameter.examples if name is not None and name not in names]
    if not names and (None in body or any(None in p.examples for p in parameters)):
        names = [None]

    def pick(examples: dict[str | None, Example], name: str | None) -> Example | None:
        if name in examples:
            return examples[name]
        if None in examples:
            return examples[None]
        return next(iter(examples.values())) if len(examples) == 1 else None

    requests: dict[str | None, Example] = {}
    for name in names:
        from_body = pick(body, name)
        value: Any = from_body.value if from_body is not None else None
        sources = [from_body.at] if from_body is not None else []
        if parameters:
            if value is not None and not isinstance(value, dict):
                notes.append(f"request example at {sources[0]} is not an object: left out")
                continue
            value = dict(value or {})
            for parameter in parameters:
                given = pick(parameter.examples, name)
                if given is not None:
                    value[parameter.name] = given.value
                    sources.append(given.at)
        summary = from_body.summary if from_body is not None else ""
        requests[name] = Example(name, value, ", ".join(sources), summary)
    return requests
