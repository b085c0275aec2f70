"""The draft contract `lgsp contract import` writes: built from a mapped operation, checked, as YAML."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from contracts import pointers
from contracts.errors import ContractInvalid, PayloadTooLarge
from contracts.loading import load_contract
from contracts.openapi_examples import example_name
from contracts.openapi_import import MappedOperation, map_operation
from contracts.openapi_schemas import Unmappable
from contracts.openapi_source import OpenApiSource, Operation

MAX_TITLE, MAX_DESCRIPTION = 300, 5000
_VARIABLE = re.compile(r"\{([^{}]*)\}")
_NUMERIC = re.compile(r"[-+]?[0-9][0-9_.:eE+-]*")


@dataclass(frozen=True)
class ImportOptions:
    operation_id: str
    provider: str
    database: str
    code: str | None = None
    version: str = "1.0.0"
    bind: bool = False


@dataclass(frozen=True)
class Draft:
    document: dict[str, Any]
    header: str
    notes: list[str]

    def yaml(self) -> str:
        return self.header + dump_yaml(self.document)


class _DraftDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # an inlined component used twice is written twice, not as a YAML alias


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # YAML 1.1 reads 045223000389 as a string, YAML 1.2 readers as a number: quote what looks numeric
    style = '"' if _NUMERIC.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DraftDumper.add_representer(str, _string)


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_DraftDumper, allow_unicode=True, sort_keys=False, width=110)


def kebab_case(name: str) -> str:
    """`traCuuThuaDat`, `tra_cuu_thua_dat` or `TraCuu ThửaĐất` → `tra-cuu-thua-dat`."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-")


def import_operation(data: bytes, source_name: str, options: ImportOptions) -> Draft:
    source = OpenApiSource.parse(data)
    operation = source.operation(options.operation_id)
    mapped = map_operation(source, operation)
    node = operation.node
    document: dict[str, Any] = {
        "kind": "service",
        "code": options.code or kebab_case(operation.id),
        "version": options.version,
        "provider": options.provider,
        "database": options.database,
        "title": _clip(" ".join(str(node.get("summary") or "").split()) or operation.id, MAX_TITLE),
        "description": _clip(" ".join(str(node.get("description") or "").split()), MAX_DESCRIPTION),
        "classification": "internal",
        "compatibility": "backward",
    }
    if options.bind:
        document["backend"] = {"url": backend_url(source, operation, mapped)}
    document |= {"request": mapped.request, "response": mapped.response, "sensitive": []}
    taken: set[str] = set()
    document["examples"] = [
        {
            "name": example_name(request, response, taken),
            **(
                {"description": request.summary or response.summary}
                if request.summary or response.summary
                else {}
            ),
            "request": request.value,
            "response": response.value,
        }
        for request, response in mapped.examples
    ]
    info = source.document.get("info") or {}
    header = _header(source_name, info, source.version, operation, mapped.response_code)
    draft = Draft(document, header, mapped.notes)
    _check(draft, mapped)
    return draft


def backend_url(source: OpenApiSource, operation: Operation, mapped: MappedOperation) -> str:
    """The operation's URL from its `servers` (the operation's, its path's, or the description's)."""
    if path_parameter := next((p for p in mapped.parameters if p.location == "path"), None):
        raise Unmappable(
            f"--bind: path parameter '{path_parameter.name}' at {path_parameter.at}: a bound backend has one "
            f"fixed URL, so {{{path_parameter.name}}} in {operation.path} could not be filled; "
            "import without --bind"
        )
    if mapped.parameters or operation.method != "post":
        what = ", ".join(f"{p.location} parameter '{p.name}'" for p in mapped.parameters)
        raise Unmappable(
            f"--bind: {operation.method.upper()} {operation.path} ({operation.at}) "
            f"{'has ' + what if what else 'is not a POST'}: the HTTP connector POSTs the request to the backend "
            "as one JSON body; import without --bind"
        )
    for owner, at in (
        (operation.node, operation.at),
        (operation.path_item, operation.path_item_at),
        (source.document, ""),
    ):
        if owner.get("servers"):
            return _server_url(owner["servers"][0], f"{at}/servers/0") + operation.path
    raise Unmappable("--bind: the description has no servers, so the backend's URL is unknown")


def _server_url(server: dict[str, Any], at: str) -> str:
    variables = server.get("variables") or {}

    def default(match: re.Match[str]) -> str:
        name = match[1]
        if name not in variables:
            raise Unmappable(f"--bind: server variable '{name}' at {at}/url is not declared")
        return str(variables[name]["default"])

    url = _VARIABLE.sub(default, str(server["url"])).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unmappable(f"--bind: the server URL '{url}' at {at}/url is not an absolute http or https URL")
    return url


def _check(draft: Draft, mapped: MappedOperation) -> None:
    """The draft as `lgsp contract lint` reads it; the description's examples must validate, as any contract's."""
    # registration binds the backend member (when the gateway's contract knows it); the checks are the rest's
    document = {key: value for key, value in draft.document.items() if key != "backend"}
    try:
        load_contract(dump_yaml(document))
    except PayloadTooLarge as error:
        raise Unmappable(f"the draft is too large to be a contract: {error.detail}") from None
    except ContractInvalid as error:
        if not error.errors:  # malformed: nested deeper than a contract may be, once the $refs are inlined
            raise Unmappable(f"the draft cannot be a contract: {error.detail}") from None
        places = []
        for issue in error.errors:
            segments = pointers.split(issue["pointer"]) if issue["pointer"] else []
            origin = ""
            if segments[:1] == ["examples"] and len(segments) > 2 and segments[1].isdigit():
                request, response = mapped.examples[int(segments[1])]
                origin = f" (from {(request if segments[2] == 'request' else response).at or 'the request'})"
            places.append({"pointer": issue["pointer"], "message": issue["message"] + origin})
        examples_only = all(place["pointer"].startswith("/examples/") for place in places)
        what = (
            "the description's examples do not validate"
            if examples_only
            else "the draft is not a valid contract"
        )
        raise ContractInvalid(
            f"{what} ({len(places)} problem(s)); first: {places[0]['pointer'] or '/'}: {places[0]['message']}",
            errors=places,
        ) from None


def _header(name: str, info: dict[str, Any], version: str, operation: Operation, code: str) -> str:
    title = " ".join(f"{info.get('title', '')} {info.get('version', '')}".split())
    lines = [
        f"Draft made by `lgsp contract import` from {' '.join(name.split())} ({title}, OpenAPI {version}):",
        f"operation {operation.id}, {operation.method.upper()} {operation.path}, answer {code}.",
        "Review the title, classification, sensitive fields and compatibility rule before registering it.",
    ]
    return "".join(f"# {line}\n" for line in lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
